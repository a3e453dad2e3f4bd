"""The application's database role owns nothing and cannot tamper with the audit log.

A role of the test's own (a unique name, dropped at the end: roles are cluster-wide) is given exactly the
privileges `migrate` grants DATABASE_APP_ROLE (portal.roles); the test connects as it and tries what the
outage trial did as the superuser app user: TRUNCATE, DISABLE TRIGGER, session_replication_role = replica,
UPDATE and DELETE of audit rows — each must fail — while appending and reading the log, and the portal's
ordinary writes, still work.
"""

import secrets

import psycopg
import pytest
from django.db import connection
from psycopg import errors, sql

from portal.roles import grant_app_role

pytestmark = pytest.mark.services


def _conninfo(user: str | None = None) -> dict:
    s = connection.settings_dict
    return {"dbname": s["NAME"], "host": s.get("HOST") or "127.0.0.1", "port": s.get("PORT") or 5432,
            "user": user or s.get("USER") or "postgres", "password": s.get("PASSWORD") or None, "autocommit": True}


@pytest.fixture
def app_role(require_postgresql, transactional_db):
    role = f"tuoyu_test_app_{secrets.token_hex(4)}"
    admin = psycopg.connect(**_conninfo())
    password = secrets.token_hex(12)
    admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
    try:
        with admin.cursor() as cursor:
            grant_app_role(cursor, role)
        yield role, password
    finally:
        for statement in ("DROP OWNED BY {}", "DROP ROLE {}"):
            admin.execute(sql.SQL(statement).format(sql.Identifier(role)))
        admin.close()


def _as_app(role, password):
    return psycopg.connect(**{**_conninfo(role), "password": password})


TAMPERING = [
    "TRUNCATE audit_auditentry",
    "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",
    "UPDATE audit_auditentry SET action = 'forged'",
    "DELETE FROM audit_auditentry",
    "DROP TABLE audit_auditentry",
    "CREATE TABLE shadow_log (id int)",
    "INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())",
]


@pytest.mark.parametrize("statement", TAMPERING)
def test_the_app_role_cannot_tamper_with_the_audit_log(app_role, statement):
    with _as_app(*app_role) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement)


def test_the_app_role_appends_and_reads_the_log_does_its_work_and_owns_nothing(app_role, regions):
    role, password = app_role
    with _as_app(role, password) as conn:
        conn.execute("INSERT INTO audit_auditentry (at, actor_label, action, target_type, target_id, region_code) "
                     "VALUES (now(), 'test', 'test.append', 'region', '13', '13')")
        assert conn.execute("SELECT count(*) FROM audit_auditentry WHERE action = 'test.append'").fetchone()[0] == 1
        conn.execute("UPDATE regions_region SET name = name WHERE code = '13'")
        conn.execute("INSERT INTO portal_taskoutbox (task_name, args, kwargs, task_id, attempts, error, created_at) "
                     "VALUES ('portal.health', '[]', '{}', '', 0, '', now())")
        owned = conn.execute("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                             "WHERE r.rolname = current_user").fetchone()[0]
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
    assert owned == 0 and superuser is False
