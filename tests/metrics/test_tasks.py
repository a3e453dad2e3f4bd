"""Celery tasks run in-process (eager): retries with a limit, debouncing, the nightly and period-end entries."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django_celery_beat.models import PeriodicTask

from metrics.models import RankingRun, Snapshot
from metrics.tasks import MAX_RETRIES, rankings_period_end, recompute_snapshot, recompute_snapshot_debounced

pytestmark = pytest.mark.django_db


def test_a_task_that_keeps_failing_stops_after_its_retry_limit_and_says_so(regions):
    with connection.cursor() as cursor:  # a real database error on every attempt
        cursor.execute("ALTER TABLE regions_regionpopulation RENAME TO regions_population_gone")
    # The last attempt a worker would make (retries counted by Celery in the message).
    result = recompute_snapshot.apply(args=["2022-06-30"], retries=MAX_RETRIES).get()
    assert result["status"] == "failed"
    assert f"gave up after {MAX_RETRIES + 1} attempts" in result["error"]
    failed = Snapshot.objects.get(date=datetime.date(2022, 6, 30), status=Snapshot.Status.FAILED)
    assert "gave up" in failed.error and "regions_regionpopulation" in failed.error
    assert Snapshot.objects.current(datetime.date(2022, 6, 30)) is None


def test_a_burst_of_approvals_schedules_one_recompute(regions, eager_celery, django_capture_on_commit_callbacks):
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = recompute_snapshot_debounced.apply(kwargs={"region_code": "130102"}).get()
        second = recompute_snapshot_debounced.apply(kwargs={"region_code": "130104"}).get()
    assert first["status"] == "scheduled" and second["status"] == "absorbed"
    assert Snapshot.objects.ready().count() == 1  # eager: the scheduled one ran after commit


def test_busy_date_is_reported_not_computed_twice(regions):
    Snapshot.objects.create(date=datetime.date(2022, 6, 30), version=1, task_id="running-elsewhere")
    result = recompute_snapshot.apply(args=["2022-06-30"], kwargs={"if_busy": "skip"}).get()
    assert result["status"] == "already-running"
    assert Snapshot.objects.filter(date=datetime.date(2022, 6, 30)).count() == 1


def test_quarter_end_beat_entry_drafts_rankings(regions):
    result = rankings_period_end.apply(kwargs={"on_iso": "2022-07-01"}).get()
    # Quarter and half-year both ended on 30 June: Hebei and Shanxi rank cities, three cities rank counties.
    assert result["rankings"] == 2 * 5
    assert RankingRun.objects.filter(period_kind="half", status="draft").count() == 5


def test_beat_entries_exist_after_migrate(db):
    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"metrics.recompute_today", "metrics.rankings_period_end", "metrics.snapshot_retention"} <= names
