"""Shared fixtures: a small region tree and the actors of every role, of this area and of another.

Service requirements: a test that needs PostgreSQL, Redis, a Celery worker or Chromium asks for it
with `require_service(...)`. Locally a missing service skips the test with the reason; with
REQUIRE_SERVICES=1 (CI) it fails instead, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import User
from regions.models import Region, RegionPopulation

from .factories import InstitutionFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def require_service(available: bool, reason: str) -> None:
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"service missing (REQUIRE_SERVICES=1): {reason}", pytrace=False)
    pytest.skip(f"service missing: {reason}")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def require_postgresql():
    require_service(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL to a PostgreSQL database)")


@pytest.fixture
def require_redis(settings):
    url = settings.CELERY_BROKER_URL
    available = bool(url) and url.startswith("redis://")
    if available:
        from urllib.parse import urlparse

        parsed = urlparse(url)
        available = _port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379)
    require_service(available, "Redis (set CELERY_BROKER_URL / REDIS_URL to a running Redis)")
    return url


@pytest.fixture
def require_chromium():
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    require_service(bool(shutil.which(path)) or os.path.exists(path), f"Chromium at {path} (apt install chromium)")
    return path


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: nothing cached (or counted by the rate limits) for one
    test's rolled-back rows may answer in the next."""
    from django.core.cache import cache

    from portal.api import throttling

    cache.clear()
    throttling._pending.clear()


# --- Regions --------------------------------------------------------------------------------------

TREE = [
    ("13", "河北省", "province", None),
    ("1301", "石家庄市", "city", "13"),
    ("130102", "长安区", "county", "1301"),
    ("130102001", "建北街道", "township", "130102"),
    ("130102002", "青园街道", "township", "130102"),
    ("130104", "桥西区", "county", "1301"),
    ("130104001", "东里街道", "township", "130104"),
    ("1305", "邢台市", "city", "13"),
    ("130502", "襄都区", "county", "1305"),
    ("130502001", "西门里街道", "township", "130502"),
    ("14", "山西省", "province", None),
    ("1401", "太原市", "city", "14"),
    ("140105", "小店区", "county", "1401"),
]


@pytest.fixture
def regions(db):
    for code, name, level, parent in TREE:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    RegionPopulation.objects.create(region_id="1301", year=2020, resident_population=11235086, source="census")
    RegionPopulation.objects.create(region_id="1305", year=2020, resident_population=7111106, source="census")
    return {code: Region.objects.get(code=code) for code, *_ in TREE}


# --- Actors ---------------------------------------------------------------------------------------

@pytest.fixture
def institution(regions):
    return InstitutionFactory(region_id="130102001", name="长安区阳光托育园")


@pytest.fixture
def other_institution(regions):
    return InstitutionFactory(region_id="130502", name="襄都区小星星托育园")


def _official(username: str, region_code: str):
    """A fixture: the official `username` of the region `region_code`."""

    @pytest.fixture
    def official(regions):
        return UserFactory(username=username, role=User.Role.OFFICIAL, region_id=region_code)

    return official


@pytest.fixture
def staff(institution):
    return UserFactory(username="staff_a", institution=institution)


@pytest.fixture
def other_staff(other_institution):
    return UserFactory(username="staff_b", institution=other_institution)


township_official = _official("township_a", "130102001")
county_official = _official("county_a", "130102")
other_county_official = _official("county_b", "130104")
city_official = _official("city_a", "1301")
other_city_official = _official("city_b", "1305")
province_official = _official("province_a", "13")
other_province_official = _official("province_b", "14")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root_admin", role=User.Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def fresh_broker_pool() -> None:
    """Forgets every broker connection pool, so the next call opens a new one. The app's pool lives in
    kombu's global pool group; a test that closed it (the outage tests point the app at brokers that
    go away) would otherwise hand the closed pool to every later user."""
    from kombu import pools

    from portal.celery import app

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None  # the producers tasks and control commands are sent with
    app.control.mailbox.__dict__.pop("producer_pool", None)


def purge_queue() -> int:
    """Drops the messages waiting in the test broker's queue, over a connection of its own."""
    from portal.celery import app

    with app.connection_for_write() as conn:
        return app.control.purge(connection=conn)


# --- A real Celery worker -------------------------------------------------------------------------

@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test database and the configured Redis broker.

    Session-scoped (a worker takes seconds to start). Tests using it need `transactional_db`
    so that what they write is committed and visible to the worker.
    """
    import subprocess
    import sys
    import time
    from urllib.parse import quote

    from django.conf import settings

    with django_db_blocker.unblock():
        vendor = connection.vendor
        db = connection.settings_dict
    require_service(vendor == "postgresql", "PostgreSQL (a worker cannot share an SQLite test database)")
    broker = settings.CELERY_BROKER_URL
    require_service(bool(broker) and broker.startswith("redis://"), "Redis broker (set CELERY_BROKER_URL)")
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.test_settings",
        "DATABASE_URL": f"postgres://{user}{password}@{host}:{port}/{db['NAME']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        # No outbox relay beside this session-long worker: it would send the outbox rows of later tests.
        "OUTBOX_RELAY_IN_WORKER": "0",
    }
    # Anything left in the test queue by an earlier, interrupted run would confuse the tests.
    from portal.celery import app

    fresh_broker_pool()  # the ping below must not be handed a pool an earlier test closed

    purge_queue()
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--concurrency=1",
         "--loglevel=warning", "--without-gossip", "--without-mingle", "--hostname=tuoyu-test@%h"],
        env=env, cwd=settings.BASE_DIR,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the Celery worker exited with {proc.returncode}")
            replies = app.control.ping(timeout=1.0)
            if replies:
                break
        else:
            pytest.fail("the Celery worker did not answer a ping within 60 s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- A worker of one test's own ----------------------------------------------------------------

_BASE_DIR = Path(__file__).resolve().parents[1]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def _start_worker(broker: str, **extra_env) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": broker,
           "CELERY_RESULT_BACKEND": broker, "DJANGO_SETTINGS_MODULE": "portal.test_settings",
           "METRICS_DEBOUNCE_SECONDS": "1", "OUTBOX_RELAY_POLL_SECONDS": "0.5", **extra_env}
    celery = str(Path(sys.executable).with_name("celery"))
    return subprocess.Popen([celery, "-A", "portal", "worker", "--pool", "solo", "-l", "warning",
                             "--without-gossip", "--without-mingle", "--without-heartbeat"],
                            cwd=_BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _purge(broker: str) -> None:
    """Drop messages left by earlier tests, queued or delivered-but-unacknowledged, so none runs here."""
    from kombu import Connection


    purge_queue()
    with Connection(broker) as conn:
        conn.default_channel.client.delete("unacked", "unacked_index")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def own_celery_worker(require_postgresql, require_redis, transactional_db):
    """A Celery worker of this test's own (debounce 1 s), started on an empty queue and stopped at the
    end, so that it cannot take work meant for a later test."""
    _purge(require_redis)
    proc = _start_worker(require_redis)
    yield proc
    _stop(proc)


# --- Order: the longest files first ---------------------------------------------------------------

# With parallel workers (`make test` runs two, whole files each), a long file started last would run
# alone at the end; started first, the short files fill in around it. Within a file the order is kept.
# pytest-django's own sort runs after this one (both are tryfirst; a conftest's hook is called first) and
# keeps Django's order: tests in a transaction before transactional ones, whose flush empties the rows
# the migrations wrote (beat entries, shipped checklists) that tests after them may read.
LONGEST_FIRST = ("tests/e2e/test_crawl", "tests/api/test_schemathesis.py", "tests/security/test_access_matrix.py",
                 "tests/e2e/", "tests/outage/", "tests/metrics/", "tests/portal/")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return next((n for n, prefix in enumerate(LONGEST_FIRST) if path.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)


# --- Rows the migrations wrote, back after each transactional test -------------------------------

# A transactional test ends with a flush that empties every table, and with it the rows the migrations
# wrote (beat entries, shipped checklists, holidays). Django's runner relies on running such tests last;
# with whole files per worker a file mixing both kinds would leave the files after it without those rows,
# so they are put back (about 70 kB) once the test's fixtures, the flush included, are finished.
_MIGRATED_ROWS: list[str] = []
_TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def _serialize_migrated_rows() -> str:
    """Every row in the fresh test database but content types and permissions, which the flush's
    post_migrate writes again itself."""
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers

    models = [m for m in serializers.sort_dependencies([(a, None) for a in apps.get_app_configs()])
              if m._meta.managed and not m._meta.proxy and m not in (ContentType, Permission)]
    return serializers.serialize("json", (obj for m in models for obj in m._base_manager.order_by("pk").iterator()))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _MIGRATED_ROWS[:] = [_serialize_migrated_rows()]


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
                   or (marker.args and marker.args[0])):
        return True
    return bool(_TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    # After the last test the session's fixtures are gone with the test database: nothing to put back.
    if _MIGRATED_ROWS and nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(_MIGRATED_ROWS[0])
            reset_sequences(connection)


def reset_sequences(connection) -> None:
    """Rows put back with their ids leave the id sequences behind them where a flush reset them: the
    next insert would take an id already in use."""
    from django.apps import apps
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)
