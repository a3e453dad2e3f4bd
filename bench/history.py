"""History benchmark (PostgreSQL): `python -m bench.history [--scale 0.1] [--years 5]`, also run by `make bench`.

Today's figures must not get slower as the years of history pile up behind them. In its own database
(history_bench by default) it:
1. generates today's data (bench/china.py) and times the current-date recompute (median of 3);
2. adds the history a portal has after some years, all dated before today and set-based (INSERT … SELECT
   generate_series): institutions filed and cancelled, classes opened and closed, children enrolled and
   gone (two enrolments each), change filings decided, suspensions lifted; and past snapshots (a ready
   version for every recent night, one per month-end, superseded versions beside them);
3. VACUUM ANALYZE, times the same recompute again: the ratio with / without history, beside the goal
   (≤ 1.3); today's figures must be the same as without history, and a past date's must match the
   benchmark's hand-written reference query;
4. runs the snapshot retention (metrics.retention) and reports the snapshot table's rows and size before
   and after, and after another month of nightly snapshots (the size stays where it was: the space freed
   is reused).
Results go to bench/results/history.json, with a summary on stdout.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "history.json"
GOAL_RATIO = 1.3
# Figures compared between today's snapshot without and with history (places_change follows the previous
# snapshot, which the history changes on purpose).
COMPARED = [
    "region_id", "institutions", "institutions_by_setting", "places", "places_inclusive", "places_infant",
    "places_younger", "places_older", "places_mixed", "enrolled", "utilisation", "filings_pending",
    "filings_overdue", "filings_decided", "filings_decided_on_time", "pilots_designated", "pilots_completed",
]
SNAPSHOT_TABLES = ("metrics_regionsnapshot",)


def _execute(sql: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _scalar(sql: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def add_history(*, today: datetime.date, years: int) -> dict:
    """Years of closed records behind today's data, none of them open on `today` (so today's figures stay)."""
    from bench import china
    from enrolments.models import Child, Enrolment
    from filings.models import Filing
    from institutions.models import Institution, InstitutionClass, Suspension

    days = years * 365
    start = today - datetime.timedelta(days=days)  # the first day of the history
    n_current = _scalar("SELECT count(*) FROM institutions_institution")
    n_enrolled = _scalar("SELECT count(*) FROM enrolments_enrolment")
    counts = {}
    # Institutions that closed: about 4 % of the registry a year, filed before the history and cancelled in it.
    n_cancelled = max(10, round(n_current * 0.04 * years))
    counts["cancelled_institutions"] = china.insert_select(Institution, {
        "name": "'已注销托育园' || g", "credit_code": "'H' || lpad(g::text, 17, '0')",
        "legal_form": "'forprofit'", "setting_type": "'community'", "full_day": "true",
        "region_id": "i.region_id", "address": "'历史路' || g || '号'", "legal_representative": "'张三'",
        "person_in_charge": "'李四'", "person_in_charge_phone": "'13800000000'", "is_inclusive": "g % 2 = 0",
        "inclusive_price": "CASE WHEN g % 2 = 0 THEN 1200 ELSE NULL END", "status": "'cancelled'",
        "filed_on": f"DATE '{start}' - 400 + (g % 300)",
        "cancelled_on": f"DATE '{start}' + (abs(hashtext('c' || g)) % {days - 30})",
        "filing_number": "'HIST' || g", "is_demo": "false",
    }, f"FROM generate_series(1, {n_cancelled}) g JOIN institutions_institution i ON i.id = 1 + (g % {n_current})")
    # Classes that closed: three per cancelled institution (closed with it), two per institution older
    # than the history's second year (opened with it, closed within the history).
    counts["closed_classes"] = china.insert_select(InstitutionClass, {
        "institution_id": "i.id", "name": "'旧班' || k", "class_type": "'mixed'", "places": "15",
        "caregivers": "3", "opened_on": "i.filed_on", "closed_on": "i.cancelled_on",
    }, "FROM institutions_institution i CROSS JOIN generate_series(1, 3) k WHERE i.credit_code LIKE 'H%'")
    counts["closed_classes"] += china.insert_select(InstitutionClass, {
        "institution_id": "i.id", "name": "'旧班' || k", "class_type": "'infant'", "places": "12",
        "caregivers": "4", "opened_on": "i.filed_on - 30",
        "closed_on": f"LEAST(i.filed_on + (200 + (i.id * 7 + k * 31) % {max(1, days - 600)})::int, "
                     f"DATE '{today}' - 1)",
    }, f"FROM institutions_institution i CROSS JOIN generate_series(1, 2) k "
       f"WHERE i.credit_code NOT LIKE 'H%' AND i.filed_on <= DATE '{today}' - 300")

    # Children who came and went: each year about 60 % of today's number, two enrolments per child (a class
    # change half-way), spread over every institution and class of the history.
    n_children = max(50, round(n_enrolled * 0.6 * years / 2))
    _execute("DROP TABLE IF EXISTS bench_history_class")
    _execute("""CREATE TEMP TABLE bench_history_class AS
                SELECT row_number() OVER (ORDER BY c.institution_id, c.id) AS rn, c.institution_id, c.id
                FROM institutions_institutionclass c""")
    _execute("CREATE INDEX ON bench_history_class (rn)")
    n_classes = _scalar("SELECT count(*) FROM bench_history_class")
    span = max(30, days - 720)  # first day of a stay: early enough that both enrolments end before today
    counts["past_children"] = china.insert_select(Child, {
        "institution_id": "c.institution_id", "name": "'往届儿童' || g", "sex": "'M'",
        "date_of_birth": f"DATE '{start}' - 400 + (g % {span})", "document_hash": "md5('h' || g)",
        "document_masked": "'****'", "document_encrypted": "''",
    }, f"FROM generate_series(1, {n_children}) g JOIN bench_history_class c ON c.rn = 1 + (g % {n_classes})")
    _execute("DROP TABLE IF EXISTS bench_history_stay")
    _execute(f"""CREATE TEMP TABLE bench_history_stay AS
                 SELECT ch.id AS child_id, ch.institution_id, c.class_id,
                        DATE '{start}' + (ch.id % {span})::int AS first_day,
                        (180 + ch.id % 180)::int AS first_days, (150 + ch.id % 210)::int AS second_days
                 FROM enrolments_child ch
                 JOIN (SELECT institution_id, min(id) AS class_id FROM institutions_institutionclass
                       GROUP BY institution_id) c ON c.institution_id = ch.institution_id
                 WHERE ch.name LIKE '往届儿童%'""")
    counts["closed_enrolments"] = 0
    for first in (True, False):
        begin = "s.first_day" if first else "s.first_day + s.first_days"
        end = "s.first_day + s.first_days" if first else "s.first_day + s.first_days + s.second_days"
        counts["closed_enrolments"] += china.insert_select(Enrolment, {
            "child_id": "s.child_id", "institution_id": "s.institution_id", "klass_id": "s.class_id",
            "care_form": "'full_day'", "start_date": begin, "end_date": f"LEAST({end}, DATE '{today}')",
            "leaving_reason": "'class_change'" if first else "'aged_out'",
        }, "FROM bench_history_stay s")

    # Change filings, one a year per institution, decided before today's year (so this year's counts stay),
    # and the initial filings of the cancelled institutions.
    year_start = datetime.date(today.year, 1, 1)
    counts["decided_filings"] = china.insert_select(Filing, {
        "institution_id": "i.id", "kind": "'change'",
        "status": "CASE WHEN (i.id + k) % 10 = 0 THEN 'rejected' ELSE 'filed' END", "changes": "'{}'::jsonb",
        "receipt_number": "CASE WHEN (i.id + k) % 10 = 0 THEN '' ELSE 'RC' || i.id || '-' || k END",
        "rejection_reason": "CASE WHEN (i.id + k) % 10 = 0 THEN '材料不全' ELSE '' END",
        "submitted_at": f"(DATE '{year_start}' - 365 * k + (i.id % 200)::int)::timestamptz",
        "first_submitted_at": f"(DATE '{year_start}' - 365 * k + (i.id % 200)::int)::timestamptz",
        "due_on": f"DATE '{year_start}' - 365 * k + (i.id % 200)::int + 20",
        "decided_at": f"(DATE '{year_start}' - 365 * k + (i.id % 200)::int + 10)::timestamptz",
        "created_at": f"(DATE '{year_start}' - 365 * k + (i.id % 200)::int)::timestamptz", "updated_at": "now()",
    }, f"FROM institutions_institution i CROSS JOIN generate_series(1, {years}) k "
       f"WHERE i.filed_on < DATE '{year_start}' - 365 * k + (i.id % 200)::int")
    counts["decided_filings"] += china.insert_select(Filing, {
        "institution_id": "i.id", "kind": "'initial'", "status": "'filed'", "changes": "'{}'::jsonb",
        "submitted_at": "(i.filed_on - 6)::timestamptz", "first_submitted_at": "(i.filed_on - 6)::timestamptz",
        "due_on": "i.filed_on + 1", "decided_at": "i.filed_on::timestamptz + interval '10 hours'",
        "receipt_number": "'RH' || i.id", "created_at": "(i.filed_on - 7)::timestamptz",
        "updated_at": "i.filed_on::timestamptz",
    }, "FROM institutions_institution i WHERE i.credit_code LIKE 'H%'")
    # Suspensions lifted long ago: one institution in twenty, two months each.
    counts["lifted_suspensions"] = china.insert_select(Suspension, {
        "institution_id": "i.id", "suspended_on": f"DATE '{start}' + (i.id % {days - 90})::int",
        "lifted_on": f"DATE '{start}' + (i.id % {days - 90})::int + 60",
    }, "FROM institutions_institution i WHERE i.id % 20 = 0 AND i.credit_code NOT LIKE 'H%'")
    return counts


def add_snapshots(*, today: datetime.date, template_id: int, nightly_days: int, years: int,
                  superseded_every: int = 3, first_night: int = 1) -> int:
    """Past snapshot versions, their rows copied from one real snapshot (set-based): a ready version for each
    of `nightly_days` nights before `today` (from `first_night` nights back), one per month-end of the years
    before, and a superseded version beside every `superseded_every`-th night. Returns the versions added."""
    from bench import china
    from metrics.models import RegionSnapshot, Snapshot

    first_new = _scalar("SELECT COALESCE(max(id), 0) + 1 FROM metrics_snapshot")
    nights = (f"SELECT (DATE '{today}' - n)::date AS date, 'ready' AS status, n FROM "
              f"generate_series({first_night}, {first_night + nightly_days - 1}) n")
    month_ends = (f"SELECT (date_trunc('month', DATE '{today}') - (m || ' months')::interval - interval '1 day')::date,"
                  f" 'ready', 0 FROM generate_series(0, {years * 12}) m")
    superseded = (f"SELECT (DATE '{today}' - n)::date, 'superseded', n FROM "
                  f"generate_series({first_night}, {first_night + nightly_days - 1}) n "
                  f"WHERE n % {superseded_every} = 0")
    existing = "SELECT 1 FROM metrics_snapshot e WHERE e.date = v.date AND e.status = 'ready'"
    versions = china.insert_select(Snapshot, {
        "date": "v.date", "status": "v.status", "version": "CASE WHEN v.status = 'ready' THEN 2 ELSE 1 END",
        "progress": "100", "task_id": "'bench-history'", "started_at": "now()", "heartbeat_at": "now()",
        "computed_at": "now()", "superseded_at": "CASE WHEN v.status = 'superseded' THEN now() - interval '1 day' END",
        "target_per_1000": "4.5", "updated_at": "now()", "error": "''",
    }, f"FROM (SELECT DISTINCT ON (date, status) * FROM ({nights} UNION ALL {month_ends} UNION ALL {superseded}) u "
       f"ORDER BY date, status) v WHERE v.date < DATE '{today}' AND (v.status <> 'ready' OR NOT EXISTS ({existing}))"
       " AND NOT EXISTS (SELECT 1 FROM metrics_snapshot e WHERE e.date = v.date AND e.version = "
       "CASE WHEN v.status = 'ready' THEN 2 ELSE 1 END)")
    columns = [f.column for f in RegionSnapshot._meta.concrete_fields if f.column not in ("id", "snapshot_id")]
    _execute(f"INSERT INTO metrics_regionsnapshot (snapshot_id, {', '.join(columns)}) "  # noqa: S608 — our columns
             f"SELECT s.id, {', '.join('t.' + c for c in columns)} FROM metrics_snapshot s "
             f"JOIN metrics_regionsnapshot t ON t.snapshot_id = %s "
             f"WHERE s.task_id = 'bench-history' AND s.id >= %s", [template_id, first_new])
    return versions


def snapshot_table() -> dict:
    rows = _scalar("SELECT count(*) FROM metrics_regionsnapshot")
    size = _scalar("SELECT pg_total_relation_size('metrics_regionsnapshot')")
    versions = _scalar("SELECT count(DISTINCT snapshot_id) FROM metrics_regionsnapshot")
    return {"rows": rows, "versions_with_rows": versions, "bytes": size, "mb": round(size / 2**20, 1)}


def _vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # VACUUM sets the visibility map (index-only scans), as autovacuum does after bulk inserts; a test's
        # transaction can only ANALYZE.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


def _time_recompute(date: datetime.date, repeats: int) -> tuple[float, list[float]]:
    from metrics.compute import snapshot_compute

    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        snapshot_compute(date=date)
        runs.append(time.perf_counter() - started)
    return round(statistics.median(runs), 3), [round(t, 3) for t in runs]


def _figures(snapshot_id: int) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(COMPARED)} FROM metrics_regionsnapshot "  # noqa: S608 — our columns
                       f"WHERE snapshot_id = %s ORDER BY region_id", [snapshot_id])
        return cursor.fetchall()


def _matches_reference(date: datetime.date) -> bool:
    """The recompute of `date` against the metrics benchmark's independent reference query
    (bench/metrics_reference.py), which states "open on the date" in its plain form."""
    from bench import metrics_reference
    from metrics.compute import snapshot_compute

    snapshot = snapshot_compute(date=date)
    reference = metrics_reference.run_reference(date)
    try:
        return metrics_reference.compare(snapshot.pk, reference)["identical"]
    finally:
        metrics_reference.remove(reference)


def measure(*, provinces: list[str], scale: float, repeats: int, total_townships: int, years: int = 5,
            nightly_days: int = 122) -> dict:
    from django.conf import settings

    from bench import china
    from bench.harness import count_statements
    from metrics.compute import snapshot_compute
    from metrics.models import Snapshot
    from metrics.retention import snapshot_retention

    today = china.SNAPSHOT_DATE
    started = time.perf_counter()
    result = {**china.generate(provinces=provinces, scale=scale, total_townships=total_townships), "years": years}
    snapshot_compute(date=today - datetime.timedelta(days=92))  # a previous snapshot, as in bench.metrics
    _vacuum_analyze()
    result["generate_seconds"] = round(time.perf_counter() - started, 2)
    snapshot_compute(date=today)  # warm-up
    result["without_history_seconds"], result["without_history_runs"] = _time_recompute(today, repeats)
    before = _figures(Snapshot.objects.current(today).pk)

    started = time.perf_counter()
    result["history"] = add_history(today=today, years=years)
    result["history"]["snapshot_versions"] = add_snapshots(
        today=today, template_id=Snapshot.objects.current(today).pk, nightly_days=nightly_days, years=years)
    _vacuum_analyze()
    result["history_seconds"] = round(time.perf_counter() - started, 2)
    result["enrolments_total"] = _scalar("SELECT count(*) FROM enrolments_enrolment")
    result["enrolments_mb"] = round(_scalar("SELECT pg_total_relation_size('enrolments_enrolment')") / 2**20, 1)
    snapshot_compute(date=today)  # warm-up
    result["with_history_seconds"], result["with_history_runs"] = _time_recompute(today, repeats)
    result["ratio"] = round(result["with_history_seconds"] / result["without_history_seconds"], 3)
    result["goal_ratio"] = GOAL_RATIO
    result["today_unchanged"] = _figures(Snapshot.objects.current(today).pk) == before
    past = today - datetime.timedelta(days=365 * max(1, years // 2) + 17)
    result["past_date"] = past.isoformat()
    result["past_date_matches_reference"] = _matches_reference(past)
    result["today_matches_reference"] = _matches_reference(today)

    # Retention: what a year of nightly snapshots leaves, then a month more of them.
    result["snapshots_before_retention"] = snapshot_table()
    grace = settings.SNAPSHOT_GRACE_SECONDS
    settings.SNAPSHOT_GRACE_SECONDS = 0  # the bench has no reader to wait for
    try:
        with count_statements() as counted:
            started = time.perf_counter()
            result["retention"] = snapshot_retention(today=today)
            result["retention"]["seconds"] = round(time.perf_counter() - started, 3)
        result["retention"]["statements"] = counted.count
        _vacuum_analyze()
        result["snapshots_after_retention"] = snapshot_table()
        add_snapshots(today=today + datetime.timedelta(days=31), template_id=Snapshot.objects.current(today).pk,
                      nightly_days=30, years=0, superseded_every=10**6)
        snapshot_retention(today=today + datetime.timedelta(days=31))
        _vacuum_analyze()
        result["snapshots_a_month_later"] = snapshot_table()
    finally:
        settings.SNAPSHOT_GRACE_SECONDS = grace
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of China's volume (1.0 = 130,000 "
                        "institutions, 3.5 M children)")
    parser.add_argument("--provinces", default="", help="comma-separated province codes (default: all)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--nights", type=int, default=122, help="nightly snapshots before today (the kept "
                        "window, SNAPSHOT_KEEP_DAILY_DAYS, and a month more)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database", default="history_bench", help="database name (created if missing)")
    parser.add_argument("--output", default=str(RESULTS))
    # `make bench` passes the metrics benchmark's arguments to both: the ones only it takes are ignored here.
    args, _others = parser.parse_known_args(argv)

    from bench.harness import open_bench_database

    if not open_bench_database(args.database, "history"):
        return 2
    from regions.importing import data_file, open_data

    with open_data(data_file("streets.csv")) as fh:
        total_townships = sum(1 for _ in fh) - 1
    with open_data(data_file("provinces.csv")) as fh:
        provinces = [line.split(",")[0] for line in list(fh)[1:] if line.strip()]
    if args.provinces:
        provinces = args.provinces.split(",")
    figures = measure(provinces=provinces, scale=args.scale, repeats=args.repeats, total_townships=total_townships,
                      years=args.years, nightly_days=args.nights)
    figures.update(scale=args.scale, load=os.getloadavg()[0])
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
    b, a, m = (figures["snapshots_before_retention"], figures["snapshots_after_retention"],
               figures["snapshots_a_month_later"])
    ok = figures["today_unchanged"] and figures["past_date_matches_reference"] and figures["today_matches_reference"]
    print(f"history bench (scale {args.scale}, {figures['years']} years, {figures['enrolments_total']} enrolments, "
          f"{figures['enrolments_mb']} MB): recompute {figures['without_history_seconds']}s without history, "
          f"{figures['with_history_seconds']}s with = {figures['ratio']}x (goal <= {GOAL_RATIO}); "
          f"figures unchanged={ok}; snapshot rows {b['rows']} ({b['mb']} MB) -> {a['rows']} ({a['mb']} MB) after "
          f"retention ({figures['retention']['statements']} statements), {m['rows']} ({m['mb']} MB) a month later "
          f"-> {output}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
