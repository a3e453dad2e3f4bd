"""A worker killed (SIGKILL) in the middle of a recompute: readers keep the old snapshot, the task is
redelivered to the next worker, and the new snapshot equals what an undisturbed run computes.

To catch the worker mid-run deterministically, the test holds a lock on the snapshot rows table so
the worker's INSERT waits; it kills the worker while it waits, then releases the lock. The broker's
visibility timeout is shortened for these workers so that the unacknowledged task comes back quickly.
"""

import datetime
import os
import signal
import subprocess
import sys
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from metrics.compute import snapshot_compute
from metrics.models import RegionSnapshot, Snapshot
from metrics.tasks import recompute_snapshot
from tests.conftest import purge_queue, require_service
from tests.factories import InstitutionClassFactory, InstitutionFactory

pytestmark = pytest.mark.services

FIGURES = ["region_id", "institutions", "places", "enrolled", "resident_population", "places_per_1000",
           "target_gap"]
VISIBILITY = 2


def _dsn():
    s = connection.settings_dict
    return (f"postgresql://{s.get('USER') or 'postgres'}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/"
            f"{s['NAME']}")


def _start_worker():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.test_settings", "DATABASE_URL": _dsn().replace(
        "postgresql://", "postgres://"), "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND, "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY)}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork", "--concurrency=1",
         "--loglevel=warning", "--without-gossip", "--without-mingle", "--hostname=killed-test@%h"],
        env=env, cwd=settings.BASE_DIR, start_new_session=True)


def _rows(snapshot):
    return list(RegionSnapshot.objects.filter(snapshot=snapshot).order_by("region_id").values_list(*FIGURES))


def test_worker_killed_mid_recompute_leaves_the_old_snapshot_and_the_redone_work_is_identical(
        require_postgresql, require_redis, transactional_db, regions):
    require_service(sys.platform.startswith("linux"), "POSIX signals")
    for i in range(3):
        InstitutionClassFactory(institution=InstitutionFactory(region_id="130102"), name=f"班{i}", places=15 + i)
    day = datetime.date.today()
    first = snapshot_compute(date=day)
    expected = _rows(first)
    purge_queue()

    locker = psycopg.connect(_dsn(), autocommit=False)
    locker.execute("LOCK TABLE metrics_regionsnapshot IN SHARE ROW EXCLUSIVE MODE")
    worker = _start_worker()
    try:
        result = recompute_snapshot.delay(day.isoformat())
        deadline = time.monotonic() + 60
        waiting = False
        while time.monotonic() < deadline and not waiting:
            time.sleep(0.3)
            waiting = psycopg.connect(_dsn(), autocommit=True).execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query ILIKE '%metrics_regionsnapshot%'").fetchone()[0] > 0
        assert waiting, "the worker never reached the snapshot INSERT"
        delivered_by = time.monotonic()  # the worker had the message before it waited on the lock
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        locker.rollback()
        locker.close()

    # Readers still see the old, complete snapshot.
    assert Snapshot.objects.current(day).pk == first.pk
    assert _rows(Snapshot.objects.current(day)) == expected

    # The next worker takes the message back once its visibility timeout has passed since its delivery.
    time.sleep(max(0.0, delivered_by + VISIBILITY + 0.5 - time.monotonic()))
    worker = _start_worker()
    try:
        outcome = result.get(timeout=90)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    current = Snapshot.objects.current(day)
    assert outcome["status"] == "ready"
    assert current.pk != first.pk and current.version > first.version
    assert _rows(current) == expected
    assert not Snapshot.objects.filter(date=day, status=Snapshot.Status.COMPUTING).exists()
