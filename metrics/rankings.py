"""Rankings: a province ranks its cities (a city its counties) by a weighted sum of indicators.

Each indicator is min–max normalised across the ranked regions (best = 1, worst = 0; a missing value
scores 0), multiplied by its weight; the score is the sum. Ties are broken by division code, so the
order is deterministic. The weights are the province's (RankingWeights), else DEFAULT_WEIGHTS — the
scoring rules are not published, so this is a working definition, shown as such.

Published rankings are frozen (model guard and database trigger); recomputing a published period makes
a new draft version whose entries carry the previous version's rank and score, so the difference shows.

One ranking (ranking_compute) and every ranking of a period end (ranking_compute_all) share one
set-based core, _compute: its inputs (metrics.ranking_inputs) and its writes are a fixed number of
statements however many regions rank.
"""

from __future__ import annotations

import datetime
import json
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record, audit_record_many
from portal.api import cache as api_cache
from regions.models import Region

from .models import RankingEntry, RankingRun, RankingWeights, Snapshot
from .ranking_inputs import DEFAULT_WEIGHTS, INDICATORS, children_of, indicator_values_of, weights_of

ENTRY_COLUMNS = {"run_id": "bigint", "region_id": "varchar", "rank": "integer", "score": "numeric",
                 "breakdown": "jsonb", "previous_rank": "integer", "move": "integer", "prior_version_rank": "integer",
                 "prior_version_score": "numeric"}
__all__ = ["DEFAULT_WEIGHTS", "INDICATORS", "indicator_values", "ranking_compute", "ranking_compute_all",
           "ranking_difference", "ranking_publish", "ranking_weights_set", "score", "weights_for"]



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
    return weights_of([scope.code])[scope.code]


def indicator_values(scope: Region, start: datetime.date, end: datetime.date) -> tuple[dict, Snapshot | None]:
    """{child code: {indicator: value or None}} for the regions one level below the scope."""
    values, snapshot = indicator_values_of(children_of([scope.code]), start, end)
    return values[scope.code], snapshot


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
    (run,) = _compute(children_of([scope.code]), period_kind, start, end, actor)
    run.refresh_from_db()
    return run


@transaction.atomic
def ranking_compute_all(*, period_kind: str, period_start: datetime.date, period_end: datetime.date) -> int:
    """Every province ranks its cities and every city its counties for the period (the beat entry).

    One transaction and a fixed number of statements for all of them; the runs, entries and audit rows are
    those ranking_compute of each scope in turn would write."""
    start, end = period_bounds(period_kind, period_start)
    children: dict[str, list[str]] = {}
    for code, parent in (Region.objects.filter(parent__level__in=["province", "city"])
                         .values_list("code", "parent_id")):
        children.setdefault(parent, []).append(code)
    return len(_compute(dict(sorted(children.items())), period_kind, start, end, None))


def _compute(children: dict[str, list[str]], period_kind: str, start: datetime.date, end: datetime.date,
             actor) -> list[RankingRun]:
    """The rankings of the scopes ({scope: child codes}) for one period, written in bulk. Runs inside the
    caller's transaction: the period's runs of these scopes stay locked until it ends."""
    scopes = list(children)
    weights = weights_of(scopes)
    values, snapshot = indicator_values_of(children, start, end)
    versions: dict[str, list[RankingRun]] = {}
    for run in (RankingRun.objects.select_for_update()
                .filter(scope_id__in=scopes, period_kind=period_kind, period_start=start).order_by("-version")):
        versions.setdefault(run.scope_id, []).append(run)
    now = timezone.now()
    runs, drafts, fresh, prior_of = [], [], [], {}
    for scope in scopes:
        mine = versions.get(scope, [])
        latest = mine[0] if mine else None
        if latest and latest.status == RankingRun.Status.DRAFT:
            run = latest  # recomputed in place; its prior is the version below it
            run.weights, run.snapshot, run.computed_at = weights[scope], snapshot, now
            drafts.append(run)
            prior_of[scope] = mine[1] if len(mine) > 1 else None
        else:
            run = RankingRun(scope_id=scope, period_kind=period_kind, period_start=start, period_end=end,
                             version=(latest.version + 1) if latest else 1, weights=weights[scope],
                             snapshot=snapshot, computed_at=now)
            # The fields only: checking the constraints from Python costs a query per run, and the database
            # enforces them anyway (a version taken meanwhile fails the INSERT).
            run.clean_fields(exclude=["scope", "snapshot"])
            fresh.append(run)
            prior_of[scope] = latest
        runs.append(run)
    previous: dict[str, int] = {}
    for run in (RankingRun.objects.published()
                .filter(scope_id__in=scopes, period_kind=period_kind,
                        period_start=previous_period_start(period_kind, start)).order_by("-version")):
        previous.setdefault(run.scope_id, run.pk)
    read = {r.pk for r in prior_of.values() if r} | set(previous.values())
    ranked: dict[int, dict[str, tuple[int, Decimal]]] = {}
    for run_id, region_id, rank, total in (RankingEntry.objects.filter(run_id__in=read)
                                           .values_list("run_id", "region_id", "rank", "score") if read else []):
        ranked.setdefault(run_id, {})[region_id] = (rank, total)

    if drafts:
        _replace_drafts(drafts, snapshot, now)
    if fresh:
        RankingRun.objects.bulk_create(fresh)
    entries, audits = [], []
    for run in runs:
        prior = prior_of[run.scope_id]
        prior_entries = ranked.get(prior.pk, {}) if prior else {}
        previous_ranks = ranked.get(previous.get(run.scope_id), {})
        scored = score(values[run.scope_id], run.weights)
        for rank, (code, total, breakdown) in enumerate(scored, start=1):
            before = previous_ranks[code][0] if code in previous_ranks else None
            old = prior_entries.get(code)
            entries.append({
                "run_id": run.pk, "region_id": code, "rank": rank, "score": total, "breakdown": breakdown,
                "previous_rank": before, "move": (before - rank) if before else None,
                "prior_version_rank": old[0] if old else None, "prior_version_score": old[1] if old else None})
        audits.append({"target": run, "after": {"version": run.version, "entries": len(scored),
                                                "weights": run.weights}})
    _insert_entries(entries)
    api_cache.metrics_changed()
    audit_record_many(actor=actor, action="ranking.compute", records=audits)
    return runs


def _insert_entries(entries: list[dict]) -> None:
    """Every entry in one INSERT … SELECT from one JSON array: a bulk_create sends each value as its own
    parameter (some 50,000 for every ranking of China), which costs more than the database's work. Other
    databases (the embedded SQLite) take the bulk_create."""
    if connection.vendor != "postgresql":
        RankingEntry.objects.bulk_create([RankingEntry(**entry) for entry in entries])
        return
    columns = ", ".join(ENTRY_COLUMNS)
    types = ", ".join(f"{name} {kind}" for name, kind in ENTRY_COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {RankingEntry._meta.db_table} ({columns}) "  # noqa: S608 — our own names
                       f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS e({types})",
                       [json.dumps(entries, default=str)])


def _replace_drafts(drafts: list[RankingRun], snapshot: Snapshot | None, now: datetime.datetime) -> None:
    """The drafts recomputed in place lose their entries (one DELETE) and get their new weights, snapshot and
    time (one UPDATE); the run ids go as one array, the weights as one JSON array."""
    if connection.vendor != "postgresql":
        RankingEntry.objects.filter(run__in=[r.pk for r in drafts]).delete()
        RankingRun.objects.bulk_update(drafts, ["weights", "snapshot", "computed_at"])
        return
    weights = json.dumps([{"id": run.pk, "weights": run.weights} for run in drafts])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RankingEntry._meta.db_table} WHERE run_id = ANY(%s)",  # noqa: S608
                       [[run.pk for run in drafts]])
        cursor.execute(f"UPDATE {RankingRun._meta.db_table} r SET weights = u.weights, snapshot_id = %s, "  # noqa: S608
                       "computed_at = %s FROM jsonb_to_recordset(%s::jsonb) AS u(id bigint, weights jsonb) "
                       "WHERE r.id = u.id", [snapshot.pk if snapshot else None, now, weights])


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
