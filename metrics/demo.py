"""Demo step: metrics snapshots from 2020 to the last quarter end before today (see snapshot_dates), of the
published figures' date (Hebei, 8 July 2022: 1,273 filed institutions, 138,000 places, 74,610,235 residents
→ 1.85 places per 1,000; 126 of 160 pilots completed) and of today (synthetic growth since then), and the
rankings of the cities: 2022 Q1 and Q2, and every quarter of this year that has ended — published, except
the latest, which waits as a draft for the provincial official to publish. Runs last; idempotent.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from pilots.models import Pilot
from portal.demo import DEMO_PROVINCE, REAL_FIGURES_ON
from regions.models import Region

from .compute import snapshot_compute
from .models import RankingRun, RegionSnapshot, Snapshot
from .rankings import ranking_compute, ranking_publish

HISTORY_FROM = datetime.date(2020, 3, 31)


def quarter_ends(first: datetime.date, before: datetime.date) -> list[datetime.date]:
    """Every quarter's last day from `first` to the last one before `before`."""
    out = []
    year = first.year
    while True:
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            end = datetime.date(year, month, day)
            if end >= before:
                return out
            if end >= first:
                out.append(end)
        year += 1


def snapshot_dates(today: datetime.date) -> list[datetime.date]:
    """Half-year ends from 2020, every quarter end of the year before the published figures and of the
    last twelve months, the published figures' date and today (each snapshot costs a recompute, so the
    history is thinner where nobody reads quarters)."""
    quarters = quarter_ends(HISTORY_FROM, today)
    year_ago = today - datetime.timedelta(days=366)
    keep = {d for d in quarters if d.month in (6, 12) or datetime.date(2021, 6, 30) <= d <= REAL_FIGURES_ON
            or d >= year_ago}
    return sorted({*keep, REAL_FIGURES_ON, today})


def ranked_quarters(today: datetime.date) -> list[datetime.date]:
    """First days of the ranked quarters: 2022 Q1 and Q2, and this year's ended quarters."""
    this_year = [datetime.date(today.year, m, 1) for m in (1, 4, 7, 10)
                 if datetime.date(today.year, m, 1) + datetime.timedelta(days=92) <= today]
    return sorted({datetime.date(2022, 1, 1), datetime.date(2022, 4, 1), *this_year})


def seed(ctx) -> None:
    province = Region.objects.filter(code=DEMO_PROVINCE).first()
    if province is None:
        ctx.say("Metrics: no Hebei region; skipped.")
        return
    today = timezone.localdate()
    dates = snapshot_dates(today)
    for date in dates:
        current = Snapshot.objects.ready().filter(date=date).first()
        if current and not _stale(current):
            continue
        snapshot_compute(date=date)
    for date in (REAL_FIGURES_ON, today):
        snap = Snapshot.objects.ready().get(date=date)
        hebei = RegionSnapshot.objects.get(snapshot=snap, region_id=DEMO_PROVINCE)
        ctx.say(f"Metrics {date}: {hebei.institutions:,} institutions, {hebei.places:,} places, "
                f"{hebei.resident_population or 0:,} residents → {hebei.places_per_1000} per 1,000; "
                f"{hebei.enrolled:,} enrolled; pilots {hebei.pilots_completed}/{hebei.pilots_designated} completed.")
    ctx.say(f"Metrics: {len(dates)} snapshots from {dates[0]} to {dates[-1]}.")

    official = User.objects.filter(username="hebei").first()
    quarters = ranked_quarters(today)
    for start in quarters:
        if RankingRun.objects.filter(scope=province, period_kind="quarter", period_start=start).exists():
            continue
        run = ranking_compute(scope=province, period_kind="quarter", period_start=start, actor=official)
        if official and (start != quarters[-1] or start.year == 2022):
            ranking_publish(run=run, actor=official)
    ctx.say(f"Rankings of Hebei's cities for {len(quarters)} quarters, the latest ({quarters[-1]}) a draft.")
    # Last year's rankings for the annual assessment: its quarters, halves and the year-end total ranking.
    last_year = today.year - 1
    periods = [("quarter", datetime.date(last_year, m, 1)) for m in (1, 4, 7, 10)]
    periods += [("half", datetime.date(last_year, 1, 1)), ("half", datetime.date(last_year, 7, 1)),
                ("year", datetime.date(last_year, 1, 1))]
    for kind, start in periods:
        if RankingRun.objects.filter(scope=province, period_kind=kind, period_start=start).exists():
            continue
        run = ranking_compute(scope=province, period_kind=kind, period_start=start, actor=official)
        if official:
            ranking_publish(run=run, actor=official)
    ctx.say(f"Rankings of Hebei's cities for {last_year}: quarters, halves and the year-end total ranking.")


def _stale(snapshot: Snapshot) -> bool:
    """A snapshot computed before the demo pilots existed (e.g. by a filing approval earlier in the demo)."""
    row = RegionSnapshot.objects.filter(snapshot=snapshot, region_id=DEMO_PROVINCE).first()
    if row is None:
        return True
    pilots = Pilot.objects.filter(designated_on__lte=snapshot.date, institution__region__code__startswith=DEMO_PROVINCE)
    latest_year = pilots.order_by("-year").values_list("year", flat=True).first()
    expected = pilots.filter(year=latest_year).count() if latest_year else 0
    return row.pilots_designated != expected
