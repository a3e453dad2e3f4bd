"""Integration with a real Celery worker process on PostgreSQL and Redis.

Approving a filing dispatches the debounced recompute on commit; the worker (a separate process on the
same test database and broker) computes a new snapshot in which the newly filed institution's places count.
"""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from metrics.models import RegionSnapshot, Snapshot
from tests.conftest import _database_url, _purge, _start_worker, _stop
from tests.factories import InstitutionClassFactory, InstitutionFactory, UserFactory
from tests.filings.conftest import submitted_new_institution
from tests.helpers import keep_uploads_in


def _wait_for(predicate, proc, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            pytest.fail(f"the worker exited early:\n{output[-3000:]}")
        time.sleep(0.5)
    return False


def test_approving_a_filing_leads_to_a_snapshot_counting_its_places(own_celery_worker, regions, settings, tmp_path):
    from filings import services as filing_services

    keep_uploads_in(settings, tmp_path / "private")
    county_official = UserFactory(username="county_worker", role="official", region_id="130102")
    filing = submitted_new_institution(username="staff_worker", email="staff@example.org")
    today = timezone.localdate()
    assert not Snapshot.objects.filter(date=today).exists()

    filing_services.filing_approve(filing=filing, actor=county_official)  # commits: the worker is told

    def counted():
        snapshot = Snapshot.objects.ready().filter(date=today).first()
        return bool(snapshot) and RegionSnapshot.objects.filter(snapshot=snapshot, region_id="130102",
                                                                places=17, institutions=1).exists()

    assert _wait_for(counted, own_celery_worker), "no ready snapshot counting the new institution's places"
    snapshot = Snapshot.objects.ready().get(date=today)
    assert snapshot.task_id  # computed by the worker, not in this process
    assert RegionSnapshot.objects.get(snapshot=snapshot, region_id="13").places == 17


def test_a_recompute_request_runs_on_the_worker_and_reports_progress(own_celery_worker, regions, api_client):
    InstitutionClassFactory(institution=InstitutionFactory(region_id="130502"), places=12)
    official = UserFactory(username="province_worker", role="official", region_id="13")
    api_client.force_login(official)
    response = api_client.post("/api/v1/metrics/recompute/", {}, format="json")
    assert response.status_code == 202
    task_id = response.json()["task_id"]

    def ready():
        return api_client.get(f"/api/v1/metrics/recompute/{task_id}/").json()["status"] == "ready"

    assert _wait_for(ready, own_celery_worker)
    body = api_client.get(f"/api/v1/metrics/recompute/{task_id}/").json()
    assert body["progress"] == 100
    assert RegionSnapshot.objects.get(snapshot_id=body["snapshot"], region_id="1305").places == 12


def test_a_worker_killed_mid_recompute_leaves_the_old_snapshot_and_the_task_is_redone(
        require_postgresql, require_redis, transactional_db, regions):
    """SIGKILL while the rows are being written: readers keep the previous version; after the broker gives
    the unacknowledged message back, another worker takes over the abandoned snapshot and the result is the
    same as a clean computation."""
    import datetime
    import signal

    import psycopg

    from metrics.compute import snapshot_compute
    from metrics.tasks import recompute_snapshot
    date = datetime.date(2022, 6, 30)
    InstitutionClassFactory(institution=InstitutionFactory(region_id="130102", filed_on=datetime.date(2022, 1, 1)),
                            places=14)
    old = snapshot_compute(date=date)
    InstitutionClassFactory(institution=InstitutionFactory(region_id="130502", filed_on=datetime.date(2022, 2, 1)),
                            places=9)
    _purge(require_redis)
    # Short visibility timeout, so the broker re-delivers the unacknowledged message within seconds.
    fast = {"CELERY_TASK_TIME_LIMIT": "5", "CELERY_TASK_SOFT_TIME_LIMIT": "4"}
    blocker = psycopg.connect(_database_url())
    blocker.execute("LOCK TABLE metrics_regionsnapshot IN SHARE MODE")  # the worker's INSERT waits here
    first = _start_worker(require_redis, **fast)
    second = None
    try:
        task_id = recompute_snapshot.delay(date.isoformat()).id
        assert _wait_for(lambda: Snapshot.objects.filter(task_id=task_id, status="computing", progress__gte=10)
                         .exists(), first, timeout=60), "the worker never started the recompute"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        blocker.close()
        assert Snapshot.objects.current(date) == old  # readers still see the old version

        # The broker hands an unacknowledged message back once its visibility timeout has passed; a worker
        # sweeps for such messages only every ~100 s, so the test sweeps itself, as a worker would, with a
        # visibility timeout of 1 s, until the killed worker's message is back in the queue.
        from kombu import Connection

        with Connection(require_redis, transport_options={"visibility_timeout": 1}) as conn:
            deadline = time.monotonic() + 30
            while not conn.default_channel.client.llen("recompute"):
                assert time.monotonic() < deadline, "the unacknowledged message was never given back"
                time.sleep(0.2)
                conn.default_channel.qos.restore_visible(num=100, interval=1)
        second = _start_worker(require_redis, **fast)
        assert _wait_for(lambda: Snapshot.objects.filter(task_id=task_id, status="ready").exists(), second,
                         timeout=90), "the message was not redelivered and redone"
    finally:
        if not blocker.closed:
            blocker.close()
        _stop(first)
        if second:
            _stop(second)
    redone = Snapshot.objects.get(task_id=task_id, status="ready")
    abandoned = Snapshot.objects.get(task_id=task_id, status="failed")
    assert "taken over" in abandoned.error and not RegionSnapshot.objects.filter(snapshot=abandoned).exists()
    assert RegionSnapshot.objects.get(snapshot=redone, region_id="13").places == 23
    fields = [f.name for f in RegionSnapshot._meta.fields if f.name not in ("id", "snapshot")]

    def rows(snapshot):
        return list(RegionSnapshot.objects.filter(snapshot=snapshot).order_by("region_id").values(*fields))

    redone_rows = rows(redone)
    clean = snapshot_compute(date=date)  # a clean computation of the same date, in this process
    assert redone_rows == rows(clean)
