"""A whole Celery worker killed (SIGKILL of the worker, its pool and its relay) in the middle of a recompute
and an import, and a web process killed in the middle of an API import: the runs' heartbeats stop, the
sweeper beside the next worker requeues them within seconds (RUN_STALE_SECONDS), the progress says so,
and the redone work equals an undisturbed run. Nothing waits for the broker's visibility timeout.

Before: the recompute and import were redelivered only after ~23.5 min; the user saw "computing 10 %" for
736 s, then "failed"; a new request was told "already running" for 12 min; the API import stayed
"writing" for good. To catch the runs mid-way deterministically the test holds row and table locks that
make them wait, kills the processes while they wait, then lets go.
"""

import datetime
import signal
import threading
import time

import psycopg
import pytest
import requests
from django.db import connection, transaction

from enrolments import importing
from enrolments.models import ImportJob
from metrics.compute import snapshot_compute
from metrics.models import RegionSnapshot, Snapshot
from metrics.services import recompute_progress, snapshot_request_recompute
from portal.dispatch import outbox_pending
from tests.enrolments.helpers import csv_bytes, import_row
from tests.factories import InstitutionClassFactory, InstitutionFactory, UserFactory, api_token

from .faults import app_env, kill_group, record_figures, start_web, start_worker, stop_group, wait_until

pytestmark = pytest.mark.services
D = datetime.date(2022, 6, 30)
FIGURES = ["region_id", "institutions", "places", "enrolled", "resident_population", "places_per_1000",
           "target_gap"]


def _dsn():
    s = connection.settings_dict
    return {"dbname": s["NAME"], "host": s.get("HOST") or "127.0.0.1", "port": s.get("PORT") or 5432,
            "user": s.get("USER") or "postgres", "password": s.get("PASSWORD") or None}


def _rows(snapshot_id):
    return list(RegionSnapshot.objects.filter(snapshot_id=snapshot_id).order_by("region_id").values_list(*FIGURES))


def _waiting_on_locks(fragment: str) -> int:
    with psycopg.connect(**_dsn(), autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
                            [f"%{fragment}%"]).fetchone()[0]


class Upload:
    """The file a staff member uploads, as a Django upload object."""

    def __init__(self, name, data):
        self.name, self._data = name, data

    def read(self):
        return self._data


def test_a_lost_worker_and_a_lost_web_process_are_redone_within_seconds(
        require_postgresql, transactional_db, regions, private_redis, tmp_path):
    for i in range(3):
        InstitutionClassFactory(institution=InstitutionFactory(region_id="130102"), name=f"班{i}", places=15 + i)
    expected = _rows(snapshot_compute(date=D).pk)
    official = UserFactory(username="province_lost", role="official", region_id="13")
    schools = [InstitutionFactory(region_id="130102001", name=f"托育园{i}") for i in range(2)]
    for school in schools:
        InstitutionClassFactory(institution=school, name="托大一班", class_type="older", places=20, caregivers=3)
    web_staff, api_staff = (UserFactory(username=f"staff_lost_{i}", institution=s) for i, s in enumerate(schools))
    token = api_token(api_staff)
    env = app_env(redis=private_redis)

    locker = psycopg.connect(**_dsn(), autocommit=False)
    locker.execute("LOCK TABLE metrics_regionsnapshot IN SHARE ROW EXCLUSIVE MODE")
    locker.execute("SELECT id FROM institutions_institutionclass FOR UPDATE")
    worker = start_worker(env, pool="prefork", concurrency=2, log=tmp_path / "worker-a.log")
    web, base = start_web(env)
    api_call = {}
    try:
        task_id = snapshot_request_recompute(date=D, actor=official)
        web_job = importing.import_job_submit(institution=schools[0], actor=web_staff, upload=Upload(
            "class.csv", csv_bytes([import_row("赵一", 26, "托大一班", seq=1)])))

        def api_upload():
            try:
                api_call["response"] = requests.post(
                    f"{base}/api/v1/enrolment-imports/", headers={"Authorization": f"Bearer {token}"},
                    files={"file": ("class.csv", csv_bytes([import_row("钱二", 27, "托大一班", seq=2)]))}, timeout=60)
            except requests.RequestException as exc:  # the web process is killed mid-request
                api_call["error"] = exc

        threading.Thread(target=api_upload, daemon=True).start()
        wait_until(lambda: _waiting_on_locks("metrics_regionsnapshot") >= 1
                   and ImportJob.objects.filter(status=ImportJob.Status.WRITING).count() == 2, 90, interval=0.3,
                   what="the recompute and both imports to be mid-way")
        kill_group(worker, signal.SIGKILL)
        kill_group(web, signal.SIGKILL)
    finally:
        locker.rollback()
        locker.close()
    killed_at = time.monotonic()
    assert recompute_progress(task_id)[0] == "computing"  # nobody knows yet
    assert Snapshot.objects.current(D).version == 1 and _rows(Snapshot.objects.current(D).pk) == expected

    worker = start_worker(env, log=tmp_path / "worker-b.log")
    states, notes = set(), set()
    try:
        def redone():
            state = recompute_progress(task_id)[0]
            states.add(state)
            notes.update(job.was_restarted for job in ImportJob.objects.all())
            return state == "ready" and ImportJob.objects.filter(status=ImportJob.Status.DONE).count() == 2

        wait_until(redone, 110, interval=0.2, what="the lost runs to be redone")
        redo_seconds = time.monotonic() - killed_at
        wait_until(lambda: outbox_pending() == 0, 20, what="the outbox to drain")
    finally:
        stop_group(worker)
    state, _percent, snapshot = recompute_progress(task_id)
    jobs = list(ImportJob.objects.order_by("pk"))
    record_figures("whole Celery worker and a web process killed mid-run", runs_lost=3,
                   tasks_lost=sum(j.status != ImportJob.Status.DONE for j in jobs) + (state != "ready"),
                   time_to_redo_s=round(redo_seconds, 1), progress_states_seen=sorted(states))
    assert "error" in api_call  # the API caller saw its connection drop, as with any killed server
    assert _rows(snapshot.pk) == expected and snapshot.version > 1
    assert "requeued" in states or snapshot.version > 2
    assert [j.status for j in jobs] == ["done", "done"] and all(j.attempts == 2 for j in jobs)
    assert web_job.pk in [j.pk for j in jobs] and True in notes
    assert redo_seconds < 120
    assert not Snapshot.objects.filter(date=D, status=Snapshot.Status.COMPUTING).exists()


def _rankings():
    """Every ranking of the period end, as the officials read it."""
    from metrics.models import RankingEntry

    return list(RankingEntry.objects.order_by("run__scope_id", "run__period_kind", "rank").values_list(
        "run__scope_id", "run__period_kind", "run__version", "region_id", "rank", "score", "breakdown"))


def test_a_worker_killed_mid_ranking_run_is_redone_within_two_minutes_with_the_same_rankings(
        require_postgresql, transactional_db, regions, private_redis, tmp_path):
    """The period-end rankings (a leased task, portal.runs.leased): the whole worker is killed while the run
    waits to write its entries; the next worker's sweeper notices the silent lease and queues the same call
    again; the redo writes the rankings an undisturbed run writes, once."""
    from metrics.models import RankingEntry, RankingRun
    from metrics.tasks import rankings_period_end
    from portal.dispatch import dispatch_on_commit
    from portal.models import RunLease

    for i, county in enumerate(["130102", "130104", "130502", "140105"]):
        InstitutionClassFactory(institution=InstitutionFactory(region_id=county), name=f"班{i}", places=10 + 3 * i)
    snapshot_compute(date=D)
    on_iso = (D + datetime.timedelta(days=1)).isoformat()
    rankings_period_end.apply(kwargs={"on_iso": on_iso}).get()
    expected = _rankings()
    assert expected and {e[1] for e in expected} == {"quarter", "half"}
    RankingEntry.objects.all().delete()
    RankingRun.objects.all().delete()
    RunLease.objects.all().delete()
    env = app_env(redis=private_redis)

    locker = psycopg.connect(**_dsn(), autocommit=False)
    locker.execute("LOCK TABLE metrics_rankingentry IN SHARE ROW EXCLUSIVE MODE")  # the entries' INSERT waits
    worker = start_worker(env, log=tmp_path / "worker-a.log")
    try:
        with transaction.atomic():
            dispatch_on_commit(rankings_period_end, on_iso=on_iso)
        wait_until(lambda: _waiting_on_locks("metrics_rankingentry") >= 1, 60, interval=0.2,
                   what="the ranking run to wait on its entries")
        kill_group(worker, signal.SIGKILL)
    finally:
        locker.rollback()
        locker.close()
    killed_at = time.monotonic()
    lease = RunLease.objects.get(key=f"rankings_period_end:{on_iso}")
    assert (lease.attempts, lease.finished_at) == (1, None)  # nobody knows yet
    assert not RankingEntry.objects.exists()  # the lost run's transaction wrote nothing

    worker = start_worker(env, log=tmp_path / "worker-b.log")
    try:
        wait_until(lambda: RunLease.objects.filter(pk=lease.pk, outcome="done").exists(), 110, interval=0.2,
                   what="the lost ranking run to be redone")
        redo_seconds = time.monotonic() - killed_at
        wait_until(lambda: outbox_pending() == 0, 20, what="the outbox to drain")
    finally:
        stop_group(worker)
    lease.refresh_from_db()
    redone = _rankings()
    record_figures("whole Celery worker killed mid ranking run", runs_lost=1, tasks_lost=int(lease.outcome != "done"),
                   time_to_redo_s=round(redo_seconds, 1), attempts=lease.attempts,
                   rankings=RankingRun.objects.count(), entries=len(redone))
    assert lease.attempts == 2 and lease.outcome == "done"
    assert redone == expected  # the same ranks, scores and breakdowns, version 1: done once
    assert redo_seconds < 120
