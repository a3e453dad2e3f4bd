"""Rankings benchmark (PostgreSQL): every ranking of a period end (each province ranks its cities, each city
its counties), set-based, against the per-scope algorithm it replaced. `python -m bench.metrics` runs it on
its China-scale data after the recompute figures.

The reference below is that per-scope algorithm as it was (a ranking_compute per scope: its weights, its
snapshot rows, its filing timeliness and reporting rates, its runs and entries), kept here only to be
measured against; the pure parts that did not change (period arithmetic, the scoring) are shared. Before
measuring, the data gets what makes every input count: progress reports with their obligations, some
provinces' and cities' own weights, a published previous quarter (moves), and the quarter itself
published for the provinces and some cities and a draft for the others — so the run makes new versions
over published ones (prior version ranks and scores) and recomputes drafts in place. Each run, new and
reference, starts from that same state inside a transaction rolled back afterwards; the entries, runs and
audit rows they write must be identical.
"""

from __future__ import annotations

import datetime
import statistics
import time

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone

from audit.services import audit_record
from bench.harness import count_statements
from filings.models import Filing
from metrics.models import RankingEntry, RankingRun, RankingWeights, RegionSnapshot, Snapshot
from metrics.ranking_inputs import DEFAULT_WEIGHTS, INDICATORS, ratio
from metrics.rankings import period_bounds, previous_period_start, ranking_compute_all, score
from pilots.models import ProgressReport, ProgressReportTemplate, ReportingObligation
from pilots.reporting import period_dates
from portal.api import cache as api_cache
from regions import codes
from regions.models import Region

QUARTER = datetime.date(2025, 10, 1)
GOAL_SECONDS = 1.5


# --- The reference: the per-scope algorithm ------------------------------------------------------------

def reference_weights(scope: Region) -> dict[str, float]:
    province = codes.province_of(scope.code)
    stored = {w.region_id: w.weights for w in RankingWeights.objects.filter(region_id__in=[scope.code, province])}
    weights = stored.get(scope.code) or stored.get(province) or DEFAULT_WEIGHTS
    return {k: float(v) for k, v in weights.items() if k in DEFAULT_WEIGHTS and float(v) > 0}


def reference_reporting_rates(*, region_code: str, group_length: int, start, end) -> dict:
    end = min(end, timezone.localdate())
    by_id = {t.pk: t for t in ProgressReportTemplate.objects.filter(region_id=codes.province_of(region_code),
                                                                    is_active=True)}
    rates: dict[str, dict[str, int]] = {}
    obligations = ReportingObligation.objects.filter(
        template_id__in=by_id, region__code__startswith=region_code, starts_on__lte=end,
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start)).values_list("template_id", "region_id",
                                                                          "starts_on", "ends_on")
    for template_id, region_id, starts_on, ends_on in obligations:
        group = codes.truncated(region_id, group_length)
        if group is None:
            continue
        first = max(start, starts_on)
        last = min(end, ends_on) if ends_on else end
        rate = rates.setdefault(group, {"expected": 0, "actual": 0, "on_time": 0})
        rate["expected"] += period_dates(by_id[template_id].frequency, first, last)
    reports = (ProgressReport.objects
               .filter(template_id__in=by_id, region__code__startswith=region_code, date__gte=start, date__lte=end)
               .annotate(code=Substr("region_id", 1, group_length))
               .values("code")
               .annotate(actual=Count("pk"), on_time=Count("pk", filter=Q(on_time=True))))
    for row in reports:
        if codes.truncated(row["code"], group_length) is None:
            continue
        rate = rates.setdefault(row["code"], {"expected": 0, "actual": 0, "on_time": 0})
        rate["actual"] += row["actual"]
        rate["on_time"] += row["on_time"]
    return rates


def reference_filing_timeliness(scope_code: str, child_len: int, start, end) -> dict:
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


def reference_indicator_values(scope: Region, start, end) -> tuple[dict, Snapshot | None]:
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
            v["pilot_completion_rate"] = ratio(row["pilots_completed"], row["pilots_designated"])
            v["places_per_1000"] = row["places_per_1000"]
            v["inspection_coverage"] = ratio(row["inspected_institutions"], row["institutions"])
            v["rectification_timeliness"] = ratio(row["rectifications_on_time"], row["rectifications_due"])
            v["verification_timeliness"] = ratio(row["verifications_on_time"], row["verifications_due"])
            v["_places"] = row["places"]
        if snap_start and row["snapshot_id"] == snap_start.pk:
            start_places[row["region_id"]] = row["places"]
    for code, v in values.items():
        before, now = start_places.get(code), v.pop("_places", None)
        v["places_growth"] = ratio(now - before, before) if before and now is not None else None
    for code, (decided, on_time) in reference_filing_timeliness(scope.code, child_len, start, end).items():
        if code in values:
            values[code]["filing_timeliness"] = ratio(on_time, decided)
    for code, rate in reference_reporting_rates(region_code=scope.code, group_length=child_len, start=start,
                                                end=end).items():
        if code in values:
            values[code]["report_timeliness"] = ratio(rate["on_time"], rate["expected"])
    return values, snap_end


@transaction.atomic
def reference_compute(*, scope: Region, period_kind: str, period_start: datetime.date) -> RankingRun:
    start, end = period_bounds(period_kind, period_start)
    weights = reference_weights(scope)
    values, snapshot = reference_indicator_values(scope, start, end)
    latest = (RankingRun.objects.select_for_update()
              .filter(scope=scope, period_kind=period_kind, period_start=start).order_by("-version").first())
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
    audit_record(actor=None, action="ranking.compute", target=run,
                 after={"version": run.version, "entries": len(entries), "weights": weights})
    return run


def reference_compute_all(*, period_kind: str, period_start: datetime.date, period_end: datetime.date) -> int:
    done = 0
    for scope in Region.objects.filter(level__in=["province", "city"]).order_by("code"):
        if not Region.objects.filter(parent_id=scope.code).exists():
            continue
        reference_compute(scope=scope, period_kind=period_kind, period_start=period_start)
        done += 1
    return done


# --- The state the runs start from -----------------------------------------------------------------------

def prepare() -> None:
    """Progress reports, weights, a published previous quarter and the quarter in several states."""
    from accounts.models import User
    from bench.china import insert_select

    start, end = period_bounds("quarter", QUARTER)
    previous = previous_period_start("quarter", QUARTER)
    RankingRun.objects.filter(period_kind="quarter", period_start__in=[previous, start]).delete()
    RankingWeights.objects.all().delete()
    ProgressReport.objects.filter(template__code="bench-weekly").delete()  # a second run on the same data
    ProgressReportTemplate.objects.filter(code="bench-weekly").delete()  # its obligations go with it
    reporter, _created = User.objects.get_or_create(username="bench-reporter")
    insert_select(ProgressReportTemplate, {
        "region_id": "r.code", "code": "'bench-weekly'", "name": "'基准周报'", "frequency": "'weekly'",
        "grace_days": "1", "is_active": "true",
    }, "FROM regions_region r WHERE r.level = 'province'")
    # Every county reports weekly; one in five only from November, one in seven no longer after November.
    insert_select(ReportingObligation, {
        "template_id": "t.id", "region_id": "r.code",
        "starts_on": "CASE WHEN abs(hashtext(r.code)) % 5 = 0 THEN DATE '2025-11-03' ELSE DATE '2025-07-01' END",
        "ends_on": "CASE WHEN abs(hashtext(r.code)) % 7 = 0 THEN DATE '2025-11-30' ELSE NULL END",
    }, "FROM regions_region r JOIN pilots_progressreporttemplate t ON t.region_id = substr(r.code, 1, 2) "
       "AND t.code = 'bench-weekly' WHERE r.level = 'county'")
    insert_select(ProgressReport, {
        "template_id": "o.template_id", "region_id": "o.region_id", "date": "w::date", "values": "'{}'::jsonb",
        "submitted_at": "w + interval '3 days'", "submitted_by_id": str(reporter.pk),
        "on_time": "abs(hashtext(o.region_id || w::text)) % 3 <> 0", "updated_at": "now()",
    }, "FROM pilots_reportingobligation o JOIN pilots_progressreporttemplate t ON t.id = o.template_id "
       "AND t.code = 'bench-weekly' CROSS JOIN generate_series(TIMESTAMP '2025-10-06', TIMESTAMP '2025-12-29', "
       "interval '7 days') w WHERE abs(hashtext(o.region_id || w::text)) % 4 <> 0 AND w::date >= o.starts_on")

    ranking_compute_all(period_kind="quarter", period_start=previous, period_end=start - datetime.timedelta(days=1))
    RankingRun.objects.filter(period_kind="quarter", period_start=previous).update(
        status=RankingRun.Status.PUBLISHED, published_at=timezone.now())
    ranking_compute_all(period_kind="quarter", period_start=start, period_end=end)
    scopes = list(RankingRun.objects.filter(period_kind="quarter", period_start=start)
                  .values_list("scope_id", flat=True))
    provinces = [s for s in scopes if len(s) == 2]
    RankingRun.objects.filter(period_kind="quarter", period_start=start,
                              scope_id__in=provinces + [s for s in scopes if len(s) == 4 and int(s) % 2 == 0]).update(
        status=RankingRun.Status.PUBLISHED, published_at=timezone.now())
    # Own weights for one province in three and one city in five: their second version ranks differently.
    weights = {"pilot_completion_rate": 10, "places_growth": 30, "filing_timeliness": 20, "report_timeliness": 30,
               "inspection_coverage": 10}
    RankingWeights.objects.bulk_create(
        [RankingWeights(region_id=s, weights=weights) for s in provinces if int(s) % 3 == 0]
        + [RankingWeights(region_id=s, weights={"report_timeliness": 60, "places_per_1000": 40})
           for s in scopes if len(s) == 4 and int(s) % 5 == 0])
    ranking_compute_all(period_kind="quarter", period_start=start, period_end=end)
    RankingRun.objects.filter(period_kind="quarter", period_start=start, scope_id__in=provinces,
                              status=RankingRun.Status.DRAFT).update(
        status=RankingRun.Status.PUBLISHED, published_at=timezone.now())


def written(start: datetime.date, after_audit_id: int) -> dict:
    """What a run wrote, without the ids that differ between runs."""
    from audit.models import AuditEntry

    runs = RankingRun.objects.filter(period_kind="quarter", period_start=start)
    entries = RankingEntry.objects.filter(run__in=runs).values_list(
        "run__scope_id", "run__version", "region_id", "rank", "score", "breakdown", "previous_rank", "move",
        "prior_version_rank", "prior_version_score")
    audits = AuditEntry.objects.filter(pk__gt=after_audit_id, action="ranking.compute").values_list(
        "region_code", "target_type", "actor_label", "institution_id", "before", "after")
    return {"runs": sorted(runs.values_list("scope_id", "version", "status", "weights", "snapshot_id", "period_end"),
                           key=lambda r: r[:2]),
            "entries": sorted(entries, key=lambda e: e[:3]),
            "audits": sorted(audits, key=lambda a: (a[0], a[5]["version"]))}


def _timed(compute) -> tuple[float, int, int, dict]:
    """One run from the prepared state, rolled back: seconds, statements, rankings and what it wrote."""
    from audit.models import AuditEntry

    start, end = period_bounds("quarter", QUARTER)
    last_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        with count_statements() as counted:
            began = time.perf_counter()
            rankings = compute(period_kind="quarter", period_start=start, period_end=end)
            seconds = time.perf_counter() - began
        result = written(start, last_audit)
        transaction.set_rollback(True)
    return seconds, counted.count, rankings, result


def measure(repeats: int) -> dict:
    """The set-based rankings against the reference, each the median of `repeats` runs from the same state."""
    prepare()
    new, reference = [], []
    for _ in range(repeats):  # alternated, so that a busy moment of the machine falls on both
        reference.append(_timed(reference_compute_all))
        new.append(_timed(ranking_compute_all))
    seconds = statistics.median(r[0] for r in new)
    reference_seconds = statistics.median(r[0] for r in reference)
    rankings, statements = new[0][2], new[0][1]
    identical = all(r[3] == reference[0][3] for r in new + reference) and new[0][2] == reference[0][2]
    return {"rankings": rankings, "entries": len(new[0][3]["entries"]), "seconds": round(seconds, 3),
            "runs": [round(r[0], 3) for r in new], "reference_seconds": round(reference_seconds, 3),
            "reference_runs": [round(r[0], 3) for r in reference],
            "ratio": round(seconds / reference_seconds, 3) if reference_seconds else None,
            "statements": statements, "statements_per_ranking": round(statements / max(rankings, 1), 3),
            "statements_constant": len({r[1] for r in new}) == 1,
            "reference_statements": reference[0][1],
            "reference_statements_per_ranking": round(reference[0][1] / max(rankings, 1), 1),
            "identical": identical, "goal_seconds": GOAL_SECONDS}


def summary(figures: dict) -> str:
    return (f"rankings bench: {figures['rankings']} rankings ({figures['entries']} entries) in {figures['seconds']}s "
            f"(goal <= {figures['goal_seconds']}s) vs reference {figures['reference_seconds']}s = "
            f"{figures['ratio']}x; {figures['statements']} statements ({figures['statements_per_ranking']} per "
            f"ranking; reference {figures['reference_statements']}, "
            f"{figures['reference_statements_per_ranking']} per ranking), identical={figures['identical']}")
