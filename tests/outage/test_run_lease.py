"""The period-end rankings (a task with no status row of its own) beat through a RunLease: when the
beat stops (its worker lost), the sweeper queues the same call again, and gives up after RUN_MAX_ATTEMPTS."""

import datetime

import pytest
from django.utils import timezone

from metrics.tasks import rankings_period_end
from portal import runs
from portal.celery import app
from portal.models import RunLease, TaskOutbox


@pytest.fixture
def broker_configured(monkeypatch):
    monkeypatch.setattr(app.conf, "task_always_eager", False)  # dispatch writes outbox rows


def test_a_finished_ranking_run_leaves_its_lease_done(regions):
    rankings_period_end.apply(kwargs={"on_iso": "2022-07-01"}).get()
    lease = RunLease.objects.get(key="rankings_period_end:2022-07-01")
    assert lease.outcome == "done" and lease.finished_at and lease.attempts == 1


def test_a_ranking_run_whose_beat_stopped_is_queued_again_then_given_up(db, settings, broker_configured):
    silent = timezone.now() - datetime.timedelta(seconds=settings.RUN_STALE_SECONDS + 5)
    lease = RunLease.objects.create(key="rankings_period_end:2022-07-01", task_name="metrics.rankings_period_end",
                                    kwargs={"on_iso": "2022-07-01"}, attempts=1, started_at=silent,
                                    heartbeat_at=silent)
    assert runs.lease_sweep() == 1
    row = TaskOutbox.objects.get()
    assert (row.task_name, row.kwargs) == ("metrics.rankings_period_end", {"on_iso": "2022-07-01"})
    assert runs.lease_sweep() == 0  # requeued once: its redo beats from now on

    RunLease.objects.filter(pk=lease.pk).update(attempts=settings.RUN_MAX_ATTEMPTS, heartbeat_at=silent)
    assert runs.lease_sweep() == 1
    lease.refresh_from_db()
    assert lease.finished_at and lease.outcome.startswith("given up")
    assert TaskOutbox.objects.count() == 1
