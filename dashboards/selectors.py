"""What a dashboard page reads: one area's precomputed figures, in a fixed number of queries.

Pages never aggregate institutions or filings themselves: they read the metrics app's snapshot rows
(`RegionSnapshot`, already rolled up for every region) and ranking runs, plus region names. Each read
below is one query whatever the number of child regions, so a province with 11 cities and a country
with 31 provinces cost the same.
"""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from accounts import policies
from institutions.models import Institution
from metrics.models import RankingEntry, RankingRun, RegionSnapshot, Snapshot
from pilots.reporting import reporting_rates
from regions import codes
from regions.models import Region

GEO_DIR = Path(settings.BASE_DIR) / "static" / "geo" / "hebei"


def area_for(user, code: str | None) -> Region:
    """The region whose dashboard the user may open; 404 for anything outside their area.

    Officials see their own region and everything under it (a prefix of the division code);
    administrators see every region. Institution staff have no dashboard.
    """
    if not policies.is_official_or_admin(user):
        raise Http404("no dashboard for this account")
    code = code or home_code(user)
    if not code:
        raise Http404("administrators choose a region")
    if not policies.in_area(user, code):
        raise Http404("outside the official's area")
    # The region and its ancestors (for the breadcrumbs) in one query.
    prefixes = codes.ancestors_of(code)
    regions = {r.code: r for r in Region.objects.filter(code__in=[*prefixes, code])}
    if code not in regions:
        raise Http404("no such region")
    area = regions[code]
    area.breadcrumb_ancestors = [regions[p] for p in prefixes if p in regions]
    return area


def home_code(user) -> str | None:
    """Where /dashboards/ leads: an official's own region; None for an administrator (who picks one)."""
    return user.region_id if policies.is_official(user) else None


@functools.cache
def map_index() -> dict[str, dict]:
    """Which boundary files exist and the codes each holds (static/geo/hebei/index.json)."""
    path = GEO_DIR / "index.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class MapInfo:
    code: str
    file: str
    unmatched_rows: list = field(default_factory=list)  # child regions without a boundary
    orphan_codes: list[str] = field(default_factory=list)  # boundaries without a child region


def map_for(area: Region, children: list[RegionSnapshot]) -> MapInfo | None:
    """The map of the area's child regions, and the codes that do not join in either direction."""
    entry = map_index().get(area.code)
    if entry is None:
        return None
    codes = set(entry["codes"])
    child_codes = {row.region_id for row in children}
    return MapInfo(
        code=area.code, file=entry["file"],
        unmatched_rows=[row for row in children if row.region_id not in codes],
        orphan_codes=sorted(codes - child_codes),
    )


@dataclass
class AreaData:
    area: Region
    snapshot: Snapshot | None
    row: RegionSnapshot | None
    children: list[RegionSnapshot]
    dates: list[datetime.date] = field(default_factory=list)
    trend: list[dict] = field(default_factory=list)
    ranking: RankingRun | None = None
    entries: list[RankingEntry] = field(default_factory=list)
    map: MapInfo | None = None
    reporting: dict[str, dict] = field(default_factory=dict)
    # The first day of the demo's synthetic growth when the snapshot includes it (None otherwise).
    synthetic_from: datetime.date | None = None

    @property
    def reporting_period(self) -> tuple[datetime.date, datetime.date] | None:
        return (quarter_start(self.snapshot.date), self.snapshot.date) if self.snapshot else None

    @property
    def child_level(self) -> str | None:
        return codes.child_level(self.area.code)


def snapshot_for(date: datetime.date | None) -> Snapshot | None:
    return Snapshot.objects.current(date)


def snapshot_rows(user, area: Region, snapshot: Snapshot | None) -> tuple[RegionSnapshot | None, list]:
    """The area's own row and its children's rows of one snapshot, with region names: one query."""
    if snapshot is None:
        return None, []
    # `area` came through area_for(), which holds the scoping; visible_to is the same rule again, in SQL.
    rows = list(
        RegionSnapshot.objects.visible_to(user).filter(snapshot=snapshot)
        .filter(Q(region_id=area.code) | Q(parent_code=area.code))
        .select_related("region")
        .order_by("region_id")
    )
    own = next((r for r in rows if r.region_id == area.code), None)
    return own, [r for r in rows if r.region_id != area.code]


def stored_dates(limit: int = 400) -> list[datetime.date]:
    return list(Snapshot.objects.ready().order_by("-date").values_list("date", flat=True)[:limit])


def trend_for(user, area: Region, until: datetime.date) -> list[dict]:
    """The area's figures in every ready snapshot up to the date, oldest first: one query."""
    return list(
        RegionSnapshot.objects.visible_to(user).ready()
        .filter(region_id=area.code, snapshot__date__lte=until)
        .order_by("snapshot__date")
        .values("snapshot__date", "places", "places_per_1000", "enrolled", "places_inclusive",
                "resident_population", "target_per_1000")
    )


def ranking_for(user, area: Region, date: datetime.date, kind: str = RankingRun.PeriodKind.QUARTER):
    """The latest version of the area's ranking of its child regions for the period of the date, or the
    latest earlier period when this one has none yet; entries with region names. Two queries."""
    run = (
        RankingRun.objects.visible_to(user)
        .filter(scope_id=area.code, period_kind=kind, period_start__lte=date)
        .order_by("-period_start", "-version")
        .first()
    )
    if run is None:
        return None, []
    return run, list(run.entries.select_related("region").order_by("rank"))


def quarter_start(date: datetime.date) -> datetime.date:
    return datetime.date(date.year, (date.month - 1) // 3 * 3 + 1, 1)


def reporting_for(area: Region, date: datetime.date) -> dict[str, dict]:
    """Progress-report completeness (expected / actual / on time) per child region over the quarter of the
    date up to the date, from the pilots app (a fixed number of queries)."""
    length = codes.child_length(area.code)
    if length is None:
        return {}
    return reporting_rates(region_code=area.code, group_length=length, start=quarter_start(date), end=date)


def synthetic_from(snapshot: Snapshot | None) -> datetime.date | None:
    """When the figures include the demo's invented growth (institutions marked is_synthetic), the day it
    starts; None for real data. One indexed query."""
    if snapshot is None:
        return None
    return (Institution.objects.filter(is_synthetic=True, filed_on__lte=snapshot.date)
            .order_by("filed_on").values_list("filed_on", flat=True).first())


def area_data(user, area: Region, date: datetime.date | None, *, with_history: bool = True,
              ranking_kind: str = RankingRun.PeriodKind.QUARTER) -> AreaData:
    snapshot = snapshot_for(date)
    row, children = snapshot_rows(user, area, snapshot)
    data = AreaData(area=area, snapshot=snapshot, row=row, children=children)
    data.map = map_for(area, children)
    if with_history:
        data.dates = stored_dates()
    if snapshot is not None:
        if with_history:
            data.trend = trend_for(user, area, snapshot.date)
        data.ranking, data.entries = ranking_for(user, area, snapshot.date, ranking_kind)
        data.reporting = reporting_for(area, snapshot.date)
        data.synthetic_from = synthetic_from(snapshot)
    return data
