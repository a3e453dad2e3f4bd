"""Builders of snapshot rows and rankings, made directly through the metrics models so that the dashboard
tests do not depend on the compute code: what the dashboard shows must equal what the rows hold."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from metrics.models import RankingEntry, RankingRun, RegionSnapshot, Snapshot
from regions.models import Region

SNAPSHOT_DATE = datetime.date(2022, 6, 30)
EARLIER_DATE = datetime.date(2022, 3, 31)


def make_snapshot(date: datetime.date, version: int = 1) -> Snapshot:
    return Snapshot.objects.create(date=date, version=version, status=Snapshot.Status.READY, progress=100,
                                   computed_at=timezone.now())


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


def build_row(snapshot: Snapshot, region: Region, *, places: int, population: int | None, institutions: int,
              enrolled: int, inclusive: int, pilots=(0, 0), pending: int = 0, overdue: int = 0,
              change: int | None = None, synthetic: bool = False, by_setting: dict | None = None) -> RegionSnapshot:
    """An unsaved row with its rates derived as the metrics definitions say (for bulk_create)."""
    target = Decimal("4.5")
    rate = Decimal(places) * 1000 / population if population else None
    gap = max(0, -(-int(target * population) // 1000) - places) if population else None
    return RegionSnapshot(
        snapshot=snapshot, region=region, level=region.level, parent_code=region.parent_id or "",
        institutions=institutions, institutions_by_setting=by_setting or {"standalone": institutions},
        places=places, places_inclusive=inclusive, enrolled=enrolled,
        places_infant=places // 10, places_younger=places * 3 // 10, places_older=places * 4 // 10,
        places_mixed=places - places // 10 - places * 3 // 10 - places * 4 // 10,
        resident_population=population, population_year=2020 if population else None,
        population_is_synthetic=synthetic,
        places_per_1000=rate.quantize(Decimal("0.0001")) if rate is not None else None,
        utilisation=(Decimal(enrolled) / places).quantize(Decimal("0.0001")) if places else None,
        inclusive_share=(Decimal(inclusive) / places).quantize(Decimal("0.0001")) if places else None,
        target_per_1000=target, target_gap=gap, places_change=change,
        pilots_completed=pilots[0], pilots_designated=pilots[1], filings_pending=pending, filings_overdue=overdue,
    )


def make_row(snapshot: Snapshot, code: str, *, places: int, population: int | None, institutions: int = 10,
             enrolled: int | None = None, inclusive: int | None = None, **kwargs) -> RegionSnapshot:
    row = build_row(snapshot, Region.objects.get(code=code), places=places, population=population,
                    institutions=institutions, enrolled=places // 2 if enrolled is None else enrolled,
                    inclusive=places // 2 if inclusive is None else inclusive, **kwargs)
    row.save()
    return row


def split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to the weights that sum exactly to the total."""
    parts = [int(total * w / sum(weights)) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def build_hebei(date: datetime.date, *, scale: float = 1.0, previous: Snapshot | None = None) -> Snapshot:
    """Hebei as the dashboard must show it (1,273 institutions, 138,000 places, 126 of 160 pilots at
    scale 1) over the real division tree and the census populations: the province, its 11 cities and
    every county. Regions and populations must already be loaded (regions.demo.seed)."""
    import random

    from regions.models import RegionPopulation

    rng = random.Random(int(date.strftime("%Y%m%d")))  # noqa: S311
    snapshot = make_snapshot(date)
    population = {p.region_id: p for p in RegionPopulation.objects.filter(region__code__startswith="13")}
    regions = {r.code: r for r in Region.objects.filter(code__startswith="13").exclude(level="township")}
    cities = sorted(c for c, r in regions.items() if r.level == "city")
    places, institutions = round(138000 * scale), round(1273 * scale)
    completed = round(126 * scale)
    weights = [population[c].resident_population * rng.uniform(0.6, 1.4) for c in cities]
    city_places, city_inst = split(places, weights), split(institutions, weights)
    city_pilots, city_done = split(160, weights), split(completed, weights)
    rows = []

    def add(region, p, n, pil, done):
        pop = population.get(region.code)
        rows.append(build_row(snapshot, region, places=p, population=pop.resident_population if pop else None,
                              institutions=n, enrolled=p // 2, inclusive=p * 52 // 100, pilots=(min(done, pil), pil),
                              pending=n // 40, overdue=n // 200, synthetic=bool(pop and pop.is_synthetic)))

    add(regions["13"], places, institutions, 160, completed)
    for i, city in enumerate(cities):
        add(regions[city], city_places[i], city_inst[i], city_pilots[i], city_done[i])
        counties = sorted(c for c, r in regions.items() if r.parent_id == city)
        if not counties:
            continue
        w = [(population[c].resident_population if c in population else 100000) * rng.uniform(0.5, 1.5)
             for c in counties]
        for county, p, n, pil, done in zip(counties, split(city_places[i], w), split(city_inst[i], w),
                                           split(city_pilots[i], w), split(city_done[i], w), strict=True):
            add(regions[county], p, n, pil, done)
    if previous is not None:
        before = dict(RegionSnapshot.objects.filter(snapshot=previous).values_list("region_id", "places"))
        for row in rows:
            row.places_change = row.places - before[row.region_id] if row.region_id in before else None
    RegionSnapshot.objects.bulk_create(rows)
    return snapshot


def build_hebei_ranking(snapshot: Snapshot) -> RankingRun:
    rows = list(RegionSnapshot.objects.filter(snapshot=snapshot, parent_code="13").order_by("region_id"))
    scored = []
    for r in rows:
        pilot = Decimal(r.pilots_completed) / r.pilots_designated if r.pilots_designated else Decimal(0)
        rate = Decimal(r.places_per_1000 or 0) / Decimal("4.5")
        scored.append((r.region_id, (pilot * 50 + rate * 50).quantize(Decimal("0.001")), {
            "pilot_completion_rate": {"value": float(pilot), "normalised": float(pilot), "weight": 50,
                                      "points": float(pilot * 50)},
            "places_per_1000": {"value": float(r.places_per_1000 or 0), "normalised": float(rate), "weight": 50,
                                "points": float(rate * 50)},
        }))
    scored.sort(key=lambda s: (-s[1], s[0]))
    return make_ranking("13", [(code, str(score), b) for code, score, b in scored],
                        start=datetime.date(snapshot.date.year, (snapshot.date.month - 1) // 3 * 3 + 1, 1),
                        end=snapshot.date)


def build_hebei_demo() -> Snapshot:
    """The real Hebei tree (11 cities, 167 counties, 2,365 townships), three quarterly snapshots of it and the
    ranking of its cities; returns the latest snapshot."""
    import io

    from portal.demo import DemoContext
    from regions import demo as regions_demo

    regions_demo.seed(DemoContext(stdout=io.StringIO()))
    first = build_hebei(datetime.date(2021, 12, 31), scale=0.8)
    second = build_hebei(datetime.date(2022, 3, 31), scale=0.9, previous=first)
    latest = build_hebei(datetime.date(2022, 6, 30), previous=second)
    build_hebei_ranking(latest)
    return latest
