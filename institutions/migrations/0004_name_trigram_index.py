"""Name search (`name__icontains`, i.e. UPPER(name) LIKE '%...%') is served by a trigram index on
PostgreSQL. SQLite has no such index and scans; that is fine at embedded scale.

If the pg_trgm extension cannot be created (no privilege), the migration leaves the search unindexed
rather than failing: the savepoint keeps the surrounding migration transaction usable.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS institution_name_trgm_idx ON institutions_institution "
    "USING gin (UPPER(name) gin_trgm_ops)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            for sql in CREATE:
                schema_editor.execute(sql)
    except Exception:  # noqa: BLE001 — an optional index must not block the deployment
        logger.warning("pg_trgm unavailable: institution name search stays unindexed", exc_info=True)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS institution_name_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("institutions", "0003_more_filter_indexes")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
