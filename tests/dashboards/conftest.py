"""Snapshot rows and rankings made directly through the metrics models, so these tests do not depend
on the compute code: what the dashboard shows must equal what the rows hold."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.models import RankingEntry, RankingRun, RegionSnapshot, Snapshot
from regions.models import Region

SNAPSHOT_DATE = datetime.date(2022, 6, 30)
EARLIER_DATE = datetime.date(2022, 3, 31)


def make_snapshot(date: datetime.date, version: int = 1) -> Snapshot:
    return Snapshot.objects.create(date=date, version=version, status=Snapshot.Status.READY, progress=100,
                                   computed_at=timezone.now())


def make_row(snapshot: Snapshot, code: str, *, places: int, population: int | None, institutions: int = 10,
             enrolled: int | None = None, inclusive: int | None = None, pilots=(0, 0), pending: int = 0,
             overdue: int = 0, change: int | None = None, synthetic: bool = False) -> RegionSnapshot:
    region = Region.objects.get(code=code)
    target = Decimal("4.5")
    enrolled = places // 2 if enrolled is None else enrolled
    inclusive = places // 2 if inclusive is None else inclusive
    rate = Decimal(places) * 1000 / population if population else None
    gap = max(0, -(-int(target * population) // 1000) - places) if population else None
    return RegionSnapshot.objects.create(
        snapshot=snapshot, region=region, level=region.level, parent_code=region.parent_id or "",
        institutions=institutions, places=places, places_inclusive=inclusive, enrolled=enrolled,
        resident_population=population, population_year=2020 if population else None,
        population_is_synthetic=synthetic,
        places_per_1000=rate.quantize(Decimal("0.0001")) if rate is not None else None,
        utilisation=(Decimal(enrolled) / places).quantize(Decimal("0.0001")) if places else None,
        inclusive_share=(Decimal(inclusive) / places).quantize(Decimal("0.0001")) if places else None,
        target_per_1000=target, target_gap=gap, places_change=change,
        pilots_completed=pilots[0], pilots_designated=pilots[1], filings_pending=pending, filings_overdue=overdue,
    )


def make_ranking(scope: str, entries: list[tuple[str, str, dict]], *, start=datetime.date(2022, 4, 1),
                 end=datetime.date(2022, 6, 30), version: int = 1) -> RankingRun:
    run = RankingRun.objects.create(scope_id=scope, period_kind=RankingRun.PeriodKind.QUARTER, period_start=start,
                                    period_end=end, version=version, weights={"pilot_completion_rate": 50,
                                                                                "places_per_1000": 50})
    for rank, (code, score, breakdown) in enumerate(entries, start=1):
        RankingEntry.objects.create(run=run, region_id=code, rank=rank, score=Decimal(score), breakdown=breakdown,
                                    previous_rank=len(entries) + 1 - rank, move=(len(entries) + 1 - rank) - rank)
    return run


def breakdown(pilot_points: str, rate_points: str) -> dict:
    return {
        "pilot_completion_rate": {"value": 0.8, "normalised": 0.8, "weight": 50, "points": float(pilot_points)},
        "places_per_1000": {"value": 1.9, "normalised": 0.5, "weight": 50, "points": float(rate_points)},
    }


@pytest.fixture
def hebei_snapshot(regions):
    """Hebei's mid-2022 figures at the top, two cities (one without a county population) below."""
    earlier = make_snapshot(EARLIER_DATE)
    make_row(earlier, "13", places=130000, population=74610235, institutions=1200, pilots=(100, 160))
    make_row(earlier, "1301", places=20000, population=11235086)
    snap = make_snapshot(SNAPSHOT_DATE)
    rows = {
        "13": make_row(snap, "13", places=138000, population=74610235, institutions=1273, enrolled=69000,
                       inclusive=69000, pilots=(126, 160), pending=12, overdue=3, change=8000),
        "1301": make_row(snap, "1301", places=21000, population=11235086, institutions=190, pilots=(20, 25),
                         pending=5, overdue=1, change=1000),
        "1305": make_row(snap, "1305", places=9000, population=7111106, institutions=80, pilots=(10, 12)),
        "130102": make_row(snap, "130102", places=3000, population=None, institutions=30),
        "130104": make_row(snap, "130104", places=2500, population=600000, institutions=25, synthetic=True),
        "130502": make_row(snap, "130502", places=1200, population=700000, institutions=12),
        "14": make_row(snap, "14", places=50000, population=34915616, institutions=600),
        "1401": make_row(snap, "1401", places=12000, population=5390918, institutions=150),
    }
    make_ranking("13", [("1301", "71.500", breakdown("40", "31.5")), ("1305", "55.250", breakdown("30", "25.25"))])
    return snap, rows
