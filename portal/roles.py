"""Least privilege on PostgreSQL: the portal connects as an application role that owns nothing.

Migrations (and `seed_demo`) run as the owner role, which owns the schema and every table. After each
`migrate`, the application role named by DATABASE_APP_ROLE is granted what the portal does and no more:
reading and writing the tables, using their sequences — except the audit log, which it may only read and
append to, and the migration history, which it may only read. Not being the owner, it cannot TRUNCATE,
ALTER (DISABLE TRIGGER), DROP or create tables, and not being a superuser it cannot switch triggers off
with session_replication_role: the append-only audit trigger holds against the application itself.
See README ("PostgreSQL roles") and docker-compose.yml for how the two roles are created.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

APPEND_ONLY_TABLES = ["audit_auditentry"]
READ_ONLY_TABLES = ["django_migrations"]


def grant_statements(role: str, schema: str = "public") -> list[str]:
    from psycopg import sql

    r, s = sql.Identifier(role), sql.Identifier(schema)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(s, r),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(s, r),
    ]
    for table in APPEND_ONLY_TABLES:
        statements.append(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {}.{} FROM {}")
                          .format(s, sql.Identifier(table), r))
    for table in READ_ONLY_TABLES:
        statements.append(sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {}.{} FROM {}")
                          .format(s, sql.Identifier(table), r))
    return statements


def grant_app_role(cursor, role: str) -> None:
    """Grants `role` the application's privileges on every table now in the schema. Safe to repeat."""
    for statement in grant_statements(role):
        cursor.execute(statement)


def grant_after_migrate(using: str = "default", **kwargs) -> None:
    """post_migrate receiver: re-grants after each migrate, so new tables are covered at once."""
    role = settings.DATABASE_APP_ROLE
    connection = connections[using]
    if not role or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            log.warning("DATABASE_APP_ROLE %s does not exist: no privileges granted", role)
            return
        grant_app_role(cursor.cursor, role)
