"""Demo step: metrics snapshots for a few quarter ends up to mid-2022 (Hebei, 30 June 2022: 1,273 filed
institutions, 138,000 places, 74,610,235 residents → 1.85 places per 1,000; 126 of 160 pilots completed),
today's snapshot, and published rankings of the cities for 2022 Q1 and Q2. Runs last; idempotent.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from pilots.models import Pilot
from portal.demo import DEMO_PROVINCE
from regions.models import Region

from .compute import snapshot_compute
from .models import RankingRun, RegionSnapshot, Snapshot
from .rankings import ranking_compute, ranking_publish

SNAPSHOT_DATES = [datetime.date(2021, 6, 30), datetime.date(2021, 9, 30), datetime.date(2021, 12, 31),
                  datetime.date(2022, 3, 31), datetime.date(2022, 6, 30)]
RANKED_QUARTERS = [datetime.date(2022, 1, 1), datetime.date(2022, 4, 1)]


def seed(ctx) -> None:
    province = Region.objects.filter(code=DEMO_PROVINCE).first()
    if province is None:
        ctx.say("Metrics: no Hebei region; skipped.")
        return
    for date in [*SNAPSHOT_DATES, timezone.localdate()]:
        current = Snapshot.objects.ready().filter(date=date).first()
        if current and not _stale(current):
            continue
        snapshot_compute(date=date)
    mid = Snapshot.objects.ready().get(date=datetime.date(2022, 6, 30))
    hebei = RegionSnapshot.objects.get(snapshot=mid, region_id=DEMO_PROVINCE)
    ctx.say(f"Metrics 2022-06-30: {hebei.institutions:,} institutions, {hebei.places:,} places, "
            f"{hebei.resident_population or 0:,} residents → {hebei.places_per_1000} per 1,000; pilots "
            f"{hebei.pilots_completed}/{hebei.pilots_designated} completed.")

    official = User.objects.filter(username="hebei").first()
    for start in RANKED_QUARTERS:
        if RankingRun.objects.filter(scope=province, period_kind="quarter", period_start=start,
                                     status=RankingRun.Status.PUBLISHED).exists():
            continue
        run = ranking_compute(scope=province, period_kind="quarter", period_start=start, actor=official)
        if official:
            ranking_publish(run=run, actor=official)
    ctx.say("Rankings of Hebei's cities for 2022 Q1 and Q2: published.")


def _stale(snapshot: Snapshot) -> bool:
    """A snapshot computed before the demo pilots existed (e.g. by a filing approval earlier in the demo)."""
    row = RegionSnapshot.objects.filter(snapshot=snapshot, region_id=DEMO_PROVINCE).first()
    if row is None:
        return True
    pilots = Pilot.objects.filter(designated_on__lte=snapshot.date, institution__region__code__startswith=DEMO_PROVINCE)
    latest_year = pilots.order_by("-year").values_list("year", flat=True).first()
    expected = pilots.filter(year=latest_year).count() if latest_year else 0
    return row.pilots_designated != expected
