"""What rankings read, for any number of ranking regions (scopes) at once.

Every province ranks its cities and every city its counties at each period's end: several hundred
scopes. Each input below is a fixed number of statements for all of them together: the snapshot rows
of every ranked region, the filing timeliness of every ranked region in one grouped pass, the
reporting rates of every scope (pilots.reporting.reporting_rates_grouped) and the weights.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from filings.models import Filing
from pilots.reporting import reporting_rates_grouped
from regions import codes
from regions.models import Region

from .models import RankingWeights, RegionSnapshot, Snapshot

DEFAULT_WEIGHTS = {
    "pilot_completion_rate": 25,
    "places_per_1000": 25,
    "places_growth": 20,
    "filing_timeliness": 15,
    "report_timeliness": 15,
    # Supervision after filing: available to a province's weights, not weighted by default.
    "inspection_coverage": 0,
    "rectification_timeliness": 0,
    "verification_timeliness": 0,
}
INDICATORS = list(DEFAULT_WEIGHTS)
# Beyond this many scopes the queries read every ranked level and leave the rows of other regions aside:
# hundreds of codes in a statement cost more to send and plan than the rows they would keep out.
FEW_SCOPES = 16
SNAPSHOT_COLUMNS = ("snapshot_id", "region_id", "parent_code", "places", "places_per_1000", "pilots_designated",
                    "pilots_completed", "institutions", "inspected_institutions", "rectifications_due",
                    "rectifications_on_time", "verifications_due", "verifications_on_time")


def ratio(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def weights_of(scope_codes: list[str]) -> dict[str, dict[str, float]]:
    """Each scope's own weights, else its province's, else the defaults; unknown indicators are dropped."""
    provinces = {codes.province_of(code) for code in scope_codes}
    stored = dict(RankingWeights.objects.filter(region_id__in=set(scope_codes) | provinces)
                  .values_list("region_id", "weights"))
    result = {}
    for code in scope_codes:
        weights = stored.get(code) or stored.get(codes.province_of(code)) or DEFAULT_WEIGHTS
        result[code] = {k: float(v) for k, v in weights.items() if k in DEFAULT_WEIGHTS and float(v) > 0}
    return result


def children_of(scope_codes: list[str]) -> dict[str, list[str]]:
    """{scope: [child codes]} for scopes that may rank (provinces and cities), in one query."""
    for code in scope_codes:
        if codes.level_of(code) not in (codes.PROVINCE, codes.CITY):
            raise ValidationError({"scope": _("Only provinces and cities rank the regions below them.")})
    children: dict[str, list[str]] = {code: [] for code in scope_codes}
    for code, parent in Region.objects.filter(parent_id__in=scope_codes).values_list("code", "parent_id"):
        children[parent].append(code)
    return children


def indicator_values_of(children: dict[str, list[str]], start: datetime.date,
                        end: datetime.date) -> tuple[dict[str, dict], Snapshot | None]:
    """{scope: {child code: {indicator: value or None}}} for every scope, and the snapshot of the period end."""
    snap_end = Snapshot.objects.current(end)
    snap_start = Snapshot.objects.current(start - datetime.timedelta(days=1))
    values = {scope: {code: dict.fromkeys(INDICATORS) for code in kids} for scope, kids in children.items()}
    snap_ids = [s.pk for s in (snap_end, snap_start) if s]
    levels = {codes.level_of(code) for kids in children.values() for code in kids}
    ranked = RegionSnapshot.objects.filter(snapshot_id__in=snap_ids, level__in=levels)
    if len(children) <= FEW_SCOPES:
        ranked = ranked.filter(parent_code__in=list(children))
    rows = ranked.values_list(*SNAPSHOT_COLUMNS) if snap_ids else []
    start_places = {}
    for (snapshot_id, region_id, parent, places, per_1000, pilots_designated, pilots_completed, institutions,
         inspected, rect_due, rect_on_time, verif_due, verif_on_time) in rows:
        v = values.get(parent, {}).get(region_id)
        if v is None:
            continue
        if snap_end and snapshot_id == snap_end.pk:
            v["pilot_completion_rate"] = ratio(pilots_completed, pilots_designated)
            v["places_per_1000"] = per_1000
            v["inspection_coverage"] = ratio(inspected, institutions)
            v["rectification_timeliness"] = ratio(rect_on_time, rect_due)
            v["verification_timeliness"] = ratio(verif_on_time, verif_due)
            v["_places"] = places
        if snap_start and snapshot_id == snap_start.pk:
            start_places[(parent, region_id)] = places
    for scope, scope_values in values.items():
        for code, v in scope_values.items():
            before, now = start_places.get((scope, code)), v.pop("_places", None)
            v["places_growth"] = ratio(now - before, before) if before and now is not None else None

    lengths = {scope: codes.child_length(scope) for scope in children}
    owner = {code: scope for scope, kids in children.items() for code in kids}
    filings: dict[tuple[str, str], list[int]] = {}
    for code, (decided, on_time) in filing_timeliness(list(children), max(lengths.values(), default=0),
                                                      start, end).items():
        for key in _ranked_prefixes(code, owner, lengths):
            pair = filings.setdefault(key, [0, 0])
            pair[0] += decided
            pair[1] += on_time
    for (scope, code), (decided, on_time) in filings.items():
        values[scope][code]["filing_timeliness"] = ratio(on_time, decided)
    for scope, rates in reporting_rates_grouped(areas=lengths, start=start, end=end).items():
        for code, rate in rates.items():
            if code in values[scope]:
                values[scope][code]["report_timeliness"] = ratio(rate["on_time"], rate["expected"])
    return values, snap_end


def _ranked_prefixes(code: str, owner: dict[str, str], lengths: dict[str, int]):
    """(scope, child) for each scope that ranks a prefix of `code` as one of its children — the prefix of the
    scope's child length, as a query grouped by that length would have found it."""
    for length in set(lengths.values()):
        scope = owner.get(code[:length])
        if scope is not None and lengths[scope] == length:
            yield scope, code[:length]


def filing_timeliness(scope_codes: list[str], group_length: int, start: datetime.date,
                      end: datetime.date) -> dict[str, tuple[int, int]]:
    """{region code cut to group_length: (decided, decided on time)} for filings decided within the period, at
    or below any of the scopes: one grouped statement (counts add up: a shorter prefix is the sum of its rows)."""
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    within = Q()
    for root in codes.outermost(scope_codes):
        within |= Q(institution__region__code__startswith=root)
    rows = (Filing.objects
            .filter(within, status__in=Filing.DECIDED, decided_at__gte=since, decided_at__lt=until)
            .annotate(code=Substr("institution__region_id", 1, group_length))
            .values("code")
            .annotate(decided=Count("pk"), on_time=Count("pk", filter=Q(decided_at__date__lte=F("due_on")))))
    return {row["code"]: (row["decided"], row["on_time"]) for row in rows}
