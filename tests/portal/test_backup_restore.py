"""The documented pg_dump / pg_restore procedure restores every row (docs/operations.md)."""

import datetime
import shutil
import subprocess

import pytest
from django.apps import apps
from django.db import connection

from metrics.compute import snapshot_compute
from tests.conftest import require_service
from tests.factories import InstitutionClassFactory, InstitutionFactory

pytestmark = pytest.mark.services


def _dsn(name: str) -> str:
    s = connection.settings_dict
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgresql://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{name}"


def _row_counts(dsn: str) -> dict[str, int]:
    tables = sorted(m._meta.db_table for m in apps.get_models() if m._meta.managed)
    query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
    out = subprocess.run(["psql", dsn, "-At", "-F", "\t", "-c", query], check=True, capture_output=True,
                         text=True).stdout
    return {line.split("\t")[0]: int(line.split("\t")[1]) for line in out.splitlines() if line}


def test_dump_and_restore_into_a_fresh_database_keeps_every_row(require_postgresql, transactional_db, regions,
                                                                 tmp_path):
    require_service(bool(shutil.which("pg_dump")) and bool(shutil.which("pg_restore")),
                    "pg_dump and pg_restore (apt-get install postgresql-client)")
    from audit.services import audit_record

    for i in range(3):
        klass = InstitutionClassFactory(institution=InstitutionFactory(region_id="130102"), name=f"班{i}")
        audit_record(actor=None, action="class.add", target=klass)
    snapshot_compute(date=datetime.date.today())
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restored"
    dump = tmp_path / "tuoyu.dump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _dsn(source)], check=True)
    subprocess.run(["psql", _dsn("postgres"), "-q", "-c", f'DROP DATABASE IF EXISTS "{restored}"',
                    "-c", f'CREATE DATABASE "{restored}"'], check=True)
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_dsn(restored)}", str(dump)],
                       check=True)
        before, after = _row_counts(_dsn(source)), _row_counts(_dsn(restored))
        assert before == after
        assert before["institutions_institution"] == 3
        # The append-only trigger comes back with the schema.
        refused = subprocess.run(["psql", _dsn(restored), "-c", "DELETE FROM audit_auditentry"],
                                 capture_output=True, text=True)
        assert "append-only" in refused.stderr
        assert _row_counts(_dsn(restored))["audit_auditentry"] == before["audit_auditentry"] == 4  # 3 + the snapshot
    finally:
        subprocess.run(["psql", _dsn("postgres"), "-q", "-c", f'DROP DATABASE IF EXISTS "{restored}"'], check=True)
