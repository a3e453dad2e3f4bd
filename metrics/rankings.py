"""Rankings: a province ranks its cities (a city its counties) by a weighted sum of indicators.

Each indicator is min–max normalised across the ranked regions (best = 1, worst = 0; a missing value
scores 0), multiplied by its weight; the score is the sum. Ties are broken by division code, so the
order is deterministic. The weights are the province's (RankingWeights), else DEFAULT_WEIGHTS — the
scoring rules are not published, so this is a working definition, shown as such.

Published rankings are frozen (model guard and database trigger); recomputing a published period makes
a new draft version whose entries carry the previous version's rank and score, so the difference shows.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record
from filings.models import Filing
from portal.api import cache as api_cache
from regions import codes
from regions.models import Region

from .models import RankingEntry, RankingRun, RankingWeights, RegionSnapshot, Snapshot

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


def period_bounds(kind: str, start: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period of a kind starting on `start` (which must be a quarter / half / year start)."""
    months = {"quarter": 3, "half": 6, "year": 12}[kind]
    if start.day != 1 or (start.month - 1) % months:
        raise ValidationError({"period_start": _("A period starts on the first day of a quarter, half or year.")})
    end_month = start.month + months
    end_year = start.year + (end_month - 1) // 12
    end_month = (end_month - 1) % 12 + 1
    return start, datetime.date(end_year, end_month, 1) - datetime.timedelta(days=1)


def periods_ending_on(day: datetime.date) -> list[tuple[str, datetime.date, datetime.date]]:
    """Every (kind, start, end) period whose last day is `day`."""
    found = []
    for kind, months in (("quarter", 3), ("half", 6), ("year", 12)):
        next_day = day + datetime.timedelta(days=1)
        if next_day.day == 1 and (next_day.month - 1) % months == 0:
            start_month = next_day.month - months
            start_year = next_day.year + (start_month - 1) // 12
            start = datetime.date(start_year, (start_month - 1) % 12 + 1, 1)
            found.append((kind, start, day))
    return found


def previous_period_start(kind: str, start: datetime.date) -> datetime.date:
    months = {"quarter": 3, "half": 6, "year": 12}[kind]
    month = start.month - months
    return datetime.date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def weights_for(scope: Region) -> dict[str, float]:
    """The scope's own weights, else its province's, else the defaults; unknown indicators are dropped."""
    province = codes.province_of(scope.code)
    stored = {w.region_id: w.weights for w in RankingWeights.objects.filter(region_id__in=[scope.code, province])}
    weights = stored.get(scope.code) or stored.get(province) or DEFAULT_WEIGHTS
    return {k: float(v) for k, v in weights.items() if k in DEFAULT_WEIGHTS and float(v) > 0}


def _ratio(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def indicator_values(scope: Region, start: datetime.date, end: datetime.date) -> tuple[dict, Snapshot | None]:
    """{child code: {indicator: value or None}} for the regions one level below the scope."""
    if codes.level_of(scope.code) not in (codes.PROVINCE, codes.CITY):
        raise ValidationError({"scope": _("Only provinces and cities rank the regions below them.")})
    child_len = codes.child_length(scope.code)
    snap_end = Snapshot.objects.current(end)
    snap_start = Snapshot.objects.current(start - datetime.timedelta(days=1))
    children = list(Region.objects.filter(parent_id=scope.code).values_list("code", flat=True))
    values = {code: dict.fromkeys(INDICATORS) for code in children}
    snap_ids = [s.pk for s in (snap_end, snap_start) if s]
    rows = RegionSnapshot.objects.filter(snapshot_id__in=snap_ids, parent_code=scope.code).values(
        "snapshot_id", "region_id", "places", "places_per_1000", "pilots_designated", "pilots_completed",
        "institutions", "inspected_institutions", "rectifications_due", "rectifications_on_time",
        "verifications_due", "verifications_on_time")
    start_places = {}
    for row in rows:
        if row["region_id"] not in values:
            continue
        if snap_end and row["snapshot_id"] == snap_end.pk:
            v = values[row["region_id"]]
            v["pilot_completion_rate"] = _ratio(row["pilots_completed"], row["pilots_designated"])
            v["places_per_1000"] = row["places_per_1000"]
            v["inspection_coverage"] = _ratio(row["inspected_institutions"], row["institutions"])
            v["rectification_timeliness"] = _ratio(row["rectifications_on_time"], row["rectifications_due"])
            v["verification_timeliness"] = _ratio(row["verifications_on_time"], row["verifications_due"])
            v["_places"] = row["places"]
        if snap_start and row["snapshot_id"] == snap_start.pk:
            start_places[row["region_id"]] = row["places"]
    for code, v in values.items():
        before, now = start_places.get(code), v.pop("_places", None)
        v["places_growth"] = _ratio(now - before, before) if before and now is not None else None

    for code, (decided, on_time) in _filing_timeliness(scope.code, child_len, start, end).items():
        if code in values:
            values[code]["filing_timeliness"] = _ratio(on_time, decided)
    from pilots.reporting import reporting_rates

    for code, rate in reporting_rates(region_code=scope.code, group_length=child_len, start=start, end=end).items():
        if code in values:
            values[code]["report_timeliness"] = _ratio(rate["on_time"], rate["expected"])
    return values, snap_end


def _filing_timeliness(scope_code: str, child_len: int, start: datetime.date, end: datetime.date) -> dict:
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    rows = (Filing.objects
            .filter(status__in=Filing.DECIDED, decided_at__gte=since, decided_at__lt=until,
                    institution__region__code__startswith=scope_code)
            .annotate(code=Substr("institution__region_id", 1, child_len))
            .values("code")
            .annotate(decided=Count("pk"), on_time=Count("pk", filter=Q(decided_at__date__lte=F("due_on")))))
    return {r["code"]: (r["decided"], r["on_time"]) for r in rows}


def score(values: dict, weights: dict[str, float]) -> list[tuple[str, Decimal, dict]]:
    """(code, score, breakdown) sorted best first; ties broken by division code."""
    scored = {code: {} for code in values}
    for indicator, weight in weights.items():
        present = [v[indicator] for v in values.values() if v.get(indicator) is not None]
        low, high = (min(present), max(present)) if present else (None, None)
        for code, v in values.items():
            value = v.get(indicator)
            if value is None:
                normalised = Decimal(0)
            elif high == low:
                normalised = Decimal(1)
            else:
                normalised = ((Decimal(value) - low) / (high - low)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            points = (normalised * Decimal(str(weight))).quantize(Decimal("0.001"), ROUND_HALF_UP)
            scored[code][indicator] = {"value": None if value is None else str(value),
                                       "normalised": str(normalised), "weight": weight, "points": str(points)}
    result = [(code, sum((Decimal(b["points"]) for b in breakdown.values()), Decimal("0.000")), breakdown)
              for code, breakdown in scored.items()]
    result.sort(key=lambda item: (-item[1], item[0]))
    return result


@transaction.atomic
def ranking_compute(*, scope: Region, period_kind: str, period_start: datetime.date, actor=None) -> RankingRun:
    """Compute (or recompute) the ranking of the scope's child regions for a period.

    An unpublished draft of the period is recomputed in place; when the latest version is published a new
    draft version is made, its entries carrying the published rank and score (the difference shown).
    Side effects: one audit row. Safe to repeat. Without an actor it is the scheduled run of the period's end.
    """
    if actor is not None:
        require(policies.governs(actor, scope), _("Only the region itself ranks the regions below it."))
    start, end = period_bounds(period_kind, period_start)
    weights = weights_for(scope)
    values, snapshot = indicator_values(scope, start, end)
    latest = (RankingRun.objects.select_for_update()
              .filter(scope=scope, period_kind=period_kind, period_start=start).order_by("-version").first())
    prior = None
    if latest and latest.status == RankingRun.Status.DRAFT:
        run = latest
        RankingEntry.objects.filter(run=run).delete()
        RankingRun.objects.filter(pk=run.pk).update(weights=weights, snapshot=snapshot, computed_at=timezone.now())
        run.refresh_from_db()
        prior = (RankingRun.objects.filter(scope=scope, period_kind=period_kind, period_start=start,
                                           version__lt=run.version).order_by("-version").first())
    else:
        run = RankingRun(scope=scope, period_kind=period_kind, period_start=start, period_end=end,
                         version=(latest.version + 1) if latest else 1, weights=weights, snapshot=snapshot)
        run.full_clean()
        run.save()
        prior = latest
    prior_entries = ({e.region_id: e for e in prior.entries.all()} if prior else {})
    previous_run = (RankingRun.objects.published()
                    .filter(scope=scope, period_kind=period_kind,
                            period_start=previous_period_start(period_kind, start))
                    .order_by("-version").first())
    previous_ranks = dict(previous_run.entries.values_list("region_id", "rank")) if previous_run else {}
    entries = []
    for rank, (code, total, breakdown) in enumerate(score(values, weights), start=1):
        before = previous_ranks.get(code)
        old = prior_entries.get(code)
        entries.append(RankingEntry(
            run=run, region_id=code, rank=rank, score=total, breakdown=breakdown, previous_rank=before,
            move=(before - rank) if before else None,
            prior_version_rank=old.rank if old else None, prior_version_score=old.score if old else None))
    RankingEntry.objects.bulk_create(entries)
    api_cache.metrics_changed()
    audit_record(actor=actor, action="ranking.compute", target=run,
                 after={"version": run.version, "entries": len(entries), "weights": weights})
    return run


def ranking_compute_all(*, period_kind: str, period_start: datetime.date, period_end: datetime.date) -> int:
    """Every province ranks its cities and every city its counties for the period (the beat entry)."""
    done = 0
    for scope in Region.objects.filter(level__in=["province", "city"]).order_by("code"):
        if not Region.objects.filter(parent_id=scope.code).exists():
            continue
        ranking_compute(scope=scope, period_kind=period_kind, period_start=period_start)
        done += 1
    return done


@transaction.atomic
def ranking_publish(*, run: RankingRun, actor) -> RankingRun:
    """Publish and freeze a draft ranking. Publishing twice changes nothing the second time."""
    require(policies.governs(actor, run.scope_id), _("Only the region that ranks may publish its ranking."))
    claimed = RankingRun.objects.filter(pk=run.pk, status=RankingRun.Status.DRAFT).update(
        status=RankingRun.Status.PUBLISHED, published_at=timezone.now(), published_by=actor)
    run.refresh_from_db()
    if claimed:
        api_cache.metrics_changed()
        audit_record(actor=actor, action="ranking.publish", target=run, after={"version": run.version})
    return run


@transaction.atomic
def ranking_weights_set(*, region: Region, weights: dict, actor) -> RankingWeights:
    """A province (or city) sets its ranking weights; they apply to rankings computed from now on."""
    require(policies.governs(actor, region), _("Only the region itself may set its ranking weights."))
    unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
    if unknown:
        raise ValidationError({"weights": _("Unknown indicators: %(names)s.") % {"names": ", ".join(unknown)}})
    try:
        cleaned = {k: float(v) for k, v in weights.items()}
    except (TypeError, ValueError):
        raise ValidationError({"weights": _("Weights must be numbers.")}) from None
    if any(v < 0 for v in cleaned.values()) or not any(cleaned.values()):
        raise ValidationError({"weights": _("Weights are zero or more, and at least one is above zero.")})
    obj, _created = RankingWeights.objects.get_or_create(region=region)
    before = dict(obj.weights)
    obj.weights = cleaned
    obj.updated_by = actor
    obj.full_clean()
    obj.save()
    audit_record(actor=actor, action="ranking.weights", target=obj, before=before, after=cleaned)
    return obj


def ranking_difference(run: RankingRun) -> list[dict]:
    """What changed against the previous version: region, old and new rank and score."""
    return [{"region": e.region_id, "rank": e.rank, "score": str(e.score), "prior_rank": e.prior_version_rank,
             "prior_score": None if e.prior_version_score is None else str(e.prior_version_score)}
            for e in run.entries.all() if e.prior_version_rank != e.rank or e.prior_version_score != e.score]
