"""Onboarding imports beat like enrolment imports (portal.runs): a check or an import whose worker is lost
is queued again by the sweeper within seconds, or failed after RUN_MAX_ATTEMPTS saying so; before, a job
stayed "checking" or "importing" for good. The real-worker test kills a whole worker (SIGKILL) while its
import waits on the job's lock, and shows the import redone, once, by the next worker."""

import datetime
import signal
import time

import psycopg
import pytest
from django.db import transaction
from django.utils import timezone

from institutions import onboarding
from institutions.models import Institution, OnboardingJob
from institutions.tasks import onboarding_import_run
from portal import runs
from portal.celery import app
from portal.dispatch import dispatch_on_commit, outbox_pending
from portal.models import TaskOutbox
from tests.institutions.onboarding_helpers import export_csv, row

from .faults import app_env, kill_group, record_figures, start_worker, stop_group, wait_until
from .test_worker_lost import Upload, _dsn, _waiting_on_locks


@pytest.fixture
def broker_configured(monkeypatch):
    monkeypatch.setattr(app.conf, "task_always_eager", False)  # dispatch writes outbox rows


def _job(status, *, attempts=1, silent_for=None, **fields):
    beat = timezone.now() - datetime.timedelta(seconds=silent_for) if silent_for is not None else timezone.now()
    return OnboardingJob.objects.create(province_id="13", filename="export.csv", data=export_csv([row(1)]),
                                        status=status, attempts=attempts, heartbeat_at=beat, **fields)


def test_a_lost_check_goes_back_to_waiting_and_a_lost_import_is_queued_again(
        db, regions, settings, broker_configured):
    stale = settings.RUN_STALE_SECONDS + 5
    checking = _job(OnboardingJob.Status.CHECKING, silent_for=stale, processed_rows=40, total_rows=100)
    writing = _job(OnboardingJob.Status.WRITING, silent_for=stale)
    alive = _job(OnboardingJob.Status.WRITING, silent_for=0)
    assert runs.sweep_all() == 2  # the app registers the onboarding sweeper

    checking.refresh_from_db()
    writing.refresh_from_db()
    alive.refresh_from_db()
    assert (checking.status, checking.processed_rows) == ("pending", 0) and checking.was_restarted
    assert writing.status == "writing" and alive.status == "writing"
    queued = sorted(TaskOutbox.objects.values_list("task_name", "args"))
    assert queued == [("institutions.tasks.onboarding_check_run", [checking.pk]),
                      ("institutions.tasks.onboarding_import_run", [writing.pk])]
    assert runs.sweep_all() == 0  # queued once: the redo beats from now on


def test_an_import_lost_too_often_fails_saying_so(db, regions, settings, broker_configured):
    job = _job(OnboardingJob.Status.WRITING, attempts=settings.RUN_MAX_ATTEMPTS,
               silent_for=settings.RUN_STALE_SECONDS + 5)
    assert onboarding.onboarding_sweep() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.data == b"" and job.finished_at
    assert job.errors[0]["message"] == (f"导入在完成前已中断{settings.RUN_MAX_ATTEMPTS}次，未导入任何数据。"
                                        "请重新上传文件。")
    assert not TaskOutbox.objects.exists()


def test_a_run_beats_while_it_checks(db, regions, province_official, settings):
    settings.RUN_HEARTBEAT_SECONDS = 0.05
    job = onboarding.onboarding_job_create(province=_province(), upload=Upload("export.csv", export_csv([row(1)])),
                                           actor=province_official)
    job = onboarding.onboarding_check(job)
    assert job.status == "checked" and job.attempts == 1 and job.heartbeat_at is not None


def _province():
    from regions.models import Region

    return Region.objects.get(code="13")


@pytest.mark.services
def test_a_whole_worker_killed_mid_import_is_redone_within_seconds(
        require_postgresql, transactional_db, regions, province_official, private_redis, tmp_path):
    rows = [row(i) for i in range(1, 4)]
    job = onboarding.onboarding_job_create(province=_province(), upload=Upload("export.csv", export_csv(rows)),
                                           actor=province_official)
    assert onboarding.onboarding_check(job).status == "checked"
    env = app_env(redis=private_redis)

    # The job's advisory lock, held here, makes the import wait mid-way (after its beat started).
    locker = psycopg.connect(**_dsn(), autocommit=True)
    locker.execute("SELECT pg_advisory_lock(%s, %s)", [onboarding.IMPORT_LOCK_NAMESPACE, job.pk])
    worker = start_worker(env, log=tmp_path / "worker-a.log")
    try:
        with transaction.atomic():
            onboarding.onboarding_confirm(job=job, actor=province_official)
            dispatch_on_commit(onboarding_import_run, job.pk)
        wait_until(lambda: _waiting_on_locks("pg_advisory_xact_lock") >= 1, 60, interval=0.2,
                   what="the import to wait on the job's lock")
        kill_group(worker, signal.SIGKILL)
    finally:
        locker.close()  # lets go of the lock
    killed_at = time.monotonic()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("writing", 1)  # nobody knows yet

    worker = start_worker(env, log=tmp_path / "worker-b.log")
    restarted_seen = False
    try:
        def redone():
            nonlocal restarted_seen
            job.refresh_from_db()
            restarted_seen |= job.was_restarted and job.is_running
            return job.status == OnboardingJob.Status.DONE

        wait_until(redone, 110, interval=0.2, what="the lost import to be redone")
        redo_seconds = time.monotonic() - killed_at
        wait_until(lambda: outbox_pending() == 0, 20, what="the outbox to drain")
    finally:
        stop_group(worker)
    job.refresh_from_db()
    imported = Institution.objects.filter(name__startswith="导入").count()
    record_figures("whole Celery worker killed mid onboarding import", runs_lost=1,
                   tasks_lost=int(job.status != "done"), time_to_redo_s=round(redo_seconds, 1),
                   institutions_imported=imported)
    assert job.status == "done" and job.attempts == 2 and job.institutions_created == 3
    assert imported == 3  # once, not twice
    assert restarted_seen or job.attempts == 2
    assert redo_seconds < 120
