"""Snapshot retention (metrics.retention) and the enrolment count of any date with years of history behind it."""

import datetime
import itertools

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from enrolments.models import Child, Enrolment
from metrics.compute import snapshot_compute
from metrics.models import RankingRun, RegionSnapshot, Snapshot
from metrics.retention import snapshot_prune, snapshot_retention
from regions.models import Region
from tests.factories import InstitutionClassFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2022, 6, 30)
COUNTIES = ["130102", "130104", "130502"]


def _snapshot(date, *, version=2, status=Snapshot.Status.READY, superseded_days_ago=None):
    snapshot = Snapshot.objects.create(
        date=date, version=version, status=status, progress=100, computed_at=timezone.now(),
        superseded_at=timezone.now() - datetime.timedelta(days=superseded_days_ago)
        if superseded_days_ago is not None else None)
    RegionSnapshot.objects.bulk_create(
        RegionSnapshot(snapshot=snapshot, region=region, level=region.level, parent_code=region.parent_id or "",
                       places=date.day, target_per_1000=4.5)
        for region in Region.objects.all())
    return snapshot


def _history(days: int) -> dict:
    """A ready version for each of `days` nights up to TODAY with a superseded one beside every third, an older
    month-end (31 March, with the 15th before it), a ranking's snapshot, and a computation still running."""
    dates = [TODAY - datetime.timedelta(days=n) for n in range(days)]
    made = {d: _snapshot(d) for d in dates}
    for d in dates[::3]:
        _snapshot(d, version=1, status=Snapshot.Status.SUPERSEDED, superseded_days_ago=1)
    for d in (datetime.date(2022, 3, 15), datetime.date(2022, 3, 31)):
        made[d] = _snapshot(d)
    ranked = made[datetime.date(2022, 5, 10)] if datetime.date(2022, 5, 10) in made else made[dates[-1]]
    RankingRun.objects.create(scope_id="13", period_kind=RankingRun.PeriodKind.QUARTER,
                              period_start=datetime.date(2022, 4, 1), period_end=TODAY, snapshot=ranked)
    Snapshot.objects.create(date=TODAY + datetime.timedelta(days=1), version=1)  # computing: never touched
    return made


@pytest.mark.parametrize("days", [20, 70])
def test_retention_keeps_recent_days_month_ends_and_ranked_snapshots(regions, settings, days,
                                                                     django_assert_max_num_queries):
    settings.SNAPSHOT_KEEP_DAILY_DAYS = 10
    settings.SNAPSHOT_GRACE_SECONDS = 0
    made = _history(days)
    ranked = RankingRun.objects.get().snapshot
    per_version = Region.objects.count()

    # Statements: the same handful whatever the number of versions and rows (one DELETE for all of them).
    with django_assert_max_num_queries(14):
        facts = snapshot_retention(today=TODAY)

    window = {TODAY - datetime.timedelta(days=n) for n in range(11)}  # today and the 10 days before
    month_ends = {datetime.date(2022, 3, 31), datetime.date(2022, 4, 30), datetime.date(2022, 5, 31)}
    kept = {d for d in made if d in window or d in month_ends or made[d] == ranked}
    ready = set(Snapshot.objects.ready().values_list("date", flat=True))
    assert ready == kept
    assert facts["retired"] == len(made) - len(kept) > 0
    for date, snapshot in made.items():
        rows = RegionSnapshot.objects.filter(snapshot=snapshot).count()
        assert rows == (per_version if date in kept else 0), date
    assert not RegionSnapshot.objects.filter(snapshot__status=Snapshot.Status.SUPERSEDED).exists()
    assert Snapshot.objects.filter(status=Snapshot.Status.COMPUTING).count() == 1
    # A date in between reads the month-end (or ranked snapshot) before it, as current() always did.
    assert Snapshot.objects.current(datetime.date(2022, 4, 20)).date == datetime.date(2022, 3, 31)
    assert Snapshot.objects.current(TODAY - datetime.timedelta(days=12)).date == (
        datetime.date(2022, 5, 31) if days > 30 else ranked.date)
    entry = AuditEntry.objects.get(action="metrics.snapshot_retire")
    assert entry.after["retired"] == facts["retired"]

    # Safe to repeat: nothing more is retired, nothing kept loses its rows.
    assert snapshot_retention(today=TODAY) == {"retired": 0, "pruned": 0}
    assert set(Snapshot.objects.ready().values_list("date", flat=True)) == kept


def test_retired_rows_wait_for_the_grace_period(regions, settings):
    """A reader may have pinned a version just before it was retired: its rows stay until the grace is over."""
    settings.SNAPSHOT_KEEP_DAILY_DAYS = 1
    settings.SNAPSHOT_GRACE_SECONDS = 600
    old = _snapshot(datetime.date(2022, 5, 10))
    _snapshot(datetime.date(2022, 5, 31))
    facts = snapshot_retention(today=TODAY)
    assert facts == {**facts, "retired": 1, "pruned": 0}
    old.refresh_from_db()
    assert old.status == Snapshot.Status.RETIRED and old.rows_removed_at is None
    assert RegionSnapshot.objects.filter(snapshot=old).exists()
    settings.SNAPSHOT_GRACE_SECONDS = 0
    assert snapshot_prune() == 1
    assert not RegionSnapshot.objects.filter(snapshot=old).exists()


def test_prune_removes_many_versions_with_one_delete(regions, settings, django_assert_max_num_queries):
    settings.SNAPSHOT_GRACE_SECONDS = 0
    for n in range(30):
        _snapshot(TODAY, version=n + 1, status=Snapshot.Status.SUPERSEDED, superseded_days_ago=1)
    with django_assert_max_num_queries(5) as captured:  # the ids, the DELETE, the UPDATE (and a savepoint)
        assert snapshot_prune() == 30
    deletes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 1
    assert not RegionSnapshot.objects.exists()
    assert Snapshot.objects.filter(rows_removed_at__isnull=False).count() == 30


def test_enrolled_of_past_and_current_dates_with_years_of_closed_enrolments(regions):
    """Every date's count equals the plain rule (Enrolment.is_active_on), with closed enrolments of many
    years, ends on and around the dates, and starts after them."""
    dates = [datetime.date(2018, 9, 1), datetime.date(2020, 2, 29), datetime.date(2021, 12, 31), TODAY]
    institutions = [InstitutionFactory(region_id=code, filed_on=datetime.date(2017, 1, 1), status="filed")
                    for code in COUNTIES]
    starts = [datetime.date(2017, 3, 1), datetime.date(2018, 9, 1), datetime.date(2019, 5, 5),
              datetime.date(2020, 2, 29), datetime.date(2021, 12, 31), TODAY]
    ends = [None, datetime.date(2018, 9, 1), datetime.date(2018, 9, 2), datetime.date(2020, 2, 29),
            datetime.date(2021, 1, 1), datetime.date(2021, 12, 31), TODAY, TODAY + datetime.timedelta(days=1),
            datetime.date(2024, 1, 1)]
    n = 0
    for inst in institutions:
        klass = InstitutionClassFactory(institution=inst, places=20, opened_on=datetime.date(2017, 1, 1))
        for start, end in itertools.product(starts, ends):
            if end is not None and end <= start:
                continue
            n += 1
            child = Child.objects.create(institution=inst, date_of_birth=datetime.date(2016, 3, 1),
                                         name=f"孩子{n}", document_hash=f"h{n}")
            Enrolment.objects.create(child=child, institution=inst, klass=klass, start_date=start, end_date=end,
                                     care_form="full_day", leaving_reason="moved_away" if end else "")
    enrolments = list(Enrolment.objects.all())
    for date in dates:
        snapshot = snapshot_compute(date=date)
        rows = dict(RegionSnapshot.objects.filter(snapshot=snapshot, region_id__in=COUNTIES + ["13"])
                    .values_list("region_id", "enrolled"))
        for inst in institutions:
            expected = sum(1 for e in enrolments if e.institution_id == inst.pk and e.is_active_on(date))
            assert rows[inst.region_id] == expected, (date, inst.region_id)
        assert rows["13"] == sum(1 for e in enrolments if e.is_active_on(date)) > 0, date


def test_the_nightly_task_runs_the_pass(regions, settings):
    from metrics.tasks import snapshot_retention_run

    settings.SNAPSHOT_KEEP_DAILY_DAYS = 1
    settings.SNAPSHOT_GRACE_SECONDS = 0
    month = (timezone.localdate() - datetime.timedelta(days=70)).replace(day=1)
    first, second = _snapshot(month), _snapshot(month + datetime.timedelta(days=1))
    result = snapshot_retention_run()
    assert result["retired"] == result["pruned"] == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Snapshot.Status.RETIRED, Snapshot.Status.READY)
    assert not RegionSnapshot.objects.filter(snapshot=first).exists()
