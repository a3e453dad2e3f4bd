"""DATABASE_REPLICA_URL: read-only dashboard and API requests read the replica, everything else the primary.

The replica is the test database itself under the alias `replica`, as the test settings' mirror makes it:
which alias a query goes to is what these tests check. The data is committed (transactional_db) so that the
replica's own connection sees it.
"""

from contextlib import ExitStack, contextmanager

import pytest
from django.db import connections, transaction
from django.test import RequestFactory

from portal import replica
from regions.models import Region


@pytest.fixture
def replica_alias(transactional_db, settings):
    """DATABASE_REPLICA_URL set, and its `replica` alias: a connection of its own to the test database, as
    the test settings' mirror makes it (the suite's database setup ran without the setting)."""
    from django.db.utils import load_backend

    settings.DATABASE_REPLICA_URL = "postgres://replica.invalid/tuoyu"
    settings_dict = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    alias = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias=replica.REPLICA)
    connections[replica.REPLICA] = alias
    try:
        yield alias
    finally:
        alias.close()
        if hasattr(alias, "close_pool"):
            alias.close_pool()
        del connections[replica.REPLICA]


@contextmanager
def queries_by_alias():
    """{"default": [sql, ...], "replica": [...]} of the statements run inside the block."""
    seen = {"default": [], replica.REPLICA: []}

    def note(alias):
        def wrapper(execute, sql, params, many, context):
            seen[alias].append(sql)
            return execute(sql, params, many, context)
        return wrapper

    with ExitStack() as stack:
        for alias in seen:
            stack.enter_context(connections[alias].execute_wrapper(note(alias)))
        yield seen


def _tables(statements):
    return {word.strip('"') for sql in statements for word in sql.split() if word.strip('"').startswith(
        ("regions_", "institutions_", "metrics_", "accounts_", "django_session"))}


def test_an_api_read_goes_to_the_replica_and_the_session_and_user_to_the_primary(client, replica_alias,
                                                                                  province_official):
    client.force_login(province_official)
    with queries_by_alias() as seen:
        response = client.get("/api/v1/regions/?level=city", HTTP_CACHE_CONTROL="no-cache")
    assert response.status_code == 200, response.content[:300]
    assert "regions_region" in _tables(seen[replica.REPLICA])
    assert "regions_region" not in _tables(seen["default"])
    # Sign-in state is read where it was just written: never from a replica that may lag.
    assert {"django_session", "accounts_user"} & _tables(seen["default"])
    assert not {"django_session", "accounts_user"} & _tables(seen[replica.REPLICA])


def test_a_dashboard_page_reads_the_replica(client, replica_alias, province_official):
    client.force_login(province_official)
    with queries_by_alias() as seen:
        response = client.get("/dashboards/13/")
    assert response.status_code == 200
    # The ORM's reads and the selectors' raw SQL (replica.connection_for_read) alike.
    assert "regions_region" in _tables(seen[replica.REPLICA]), "the dashboard read nothing from the replica"
    assert "regions_region" not in _tables(seen["default"])


def test_writes_and_other_pages_use_the_primary_only(client, replica_alias, province_official):
    client.force_login(province_official)
    with queries_by_alias() as seen:
        client.get("/")  # not a dashboard or API path
        client.post("/api/v1/regions/", {"code": "1399", "name": "x", "level": "city", "parent": "13"})
    assert seen["default"] and not seen[replica.REPLICA]


def _where_reads_go(request, step):
    """Runs `step()` inside a request through the middleware; returns the alias the router picks after it."""
    from django.db import router

    picked = {}

    def view(request):
        step()
        picked["alias"] = router.db_for_read(Region) or "default"
        from django.http import HttpResponse

        return HttpResponse()

    replica.ReplicaReadsMiddleware(view)(request)
    return picked["alias"]


def test_inside_a_transaction_or_after_a_write_the_request_reads_the_primary(replica_alias, regions):
    factory = RequestFactory()
    get = factory.get("/api/v1/regions/")
    assert _where_reads_go(get, lambda: None) == replica.REPLICA

    def in_atomic():
        with transaction.atomic():
            from django.db import router

            assert router.db_for_read(Region) == "default"

    assert _where_reads_go(get, in_atomic) == replica.REPLICA  # the block is over: the replica again
    assert _where_reads_go(get, lambda: Region.objects.filter(code="13").update(name="河北省")) == "default"

    def raw_write():
        with connections["default"].cursor() as cursor:
            cursor.execute("UPDATE regions_region SET name = name WHERE code = '13'")

    assert _where_reads_go(get, raw_write) == "default"
    assert _where_reads_go(factory.post("/api/v1/regions/"), lambda: None) == "default"
    assert _where_reads_go(factory.get("/institutions/"), lambda: None) == "default"


def test_without_the_setting_every_read_goes_to_the_primary(db):
    assert not replica.enabled()
    assert _where_reads_go(RequestFactory().get("/api/v1/regions/"), lambda: None) == "default"


def test_the_settings_add_the_alias_only_when_the_url_is_set_and_the_tests_mirror_it():
    import subprocess
    import sys

    from django.conf import settings

    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(sorted(s.DATABASES), s.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'), "
            "s.DATABASES.get('replica', {}).get('NAME'))")
    base = {"DJANGO_SETTINGS_MODULE": "portal.test_settings", "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "postgres://u@127.0.0.1:5432/primary"}
    off = subprocess.run([sys.executable, "-c", code], env={**base, "DATABASE_REPLICA_URL": ""},
                         capture_output=True, text=True, cwd=settings.BASE_DIR)
    on = subprocess.run([sys.executable, "-c", code], env={**base, "DATABASE_REPLICA_URL":
                                                           "postgres://u@10.0.0.2:5432/standby"},
                        capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert off.stdout.split() == ["['default']", "None", "None"], off.stderr[-500:]
    assert on.stdout.strip() == "['default', 'replica'] default standby", on.stderr[-500:]
