"""Metrics recompute benchmark (PostgreSQL): `make bench` or `python -m bench.metrics [--scale 0.1]`.

Generates a China-scale dataset on the real division codes in its own database (tuoyu_bench by default),
then reports, each the median of 3 runs in the same process:
- the full recompute (metrics.compute.snapshot_compute: every region, every level, one date);
- a hand-written reference query computing the same numbers (GROUPING SETS over institution facts) into a
  temporary table; the results must be identical, and the ratio recompute / reference should be ≤ 1.5;
- SQL statements issued by one recompute (must not grow with the number of regions);
- recompute times for 1, 5 and 31 provinces (growth table);
- every ranking of a quarter (each province ranks its cities, each city its counties), set-based, against the
  per-scope algorithm it replaced (bench/rankings.py): seconds, ratio, statements, identical entries.
Results go to bench/results/metrics.json, with a one-line summary on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

RESULTS = Path(__file__).resolve().parent / "results" / "metrics.json"
GROWTH_PROVINCES = {1: ["13"], 5: ["11", "12", "13", "14", "15"]}
COMPARED_COLUMNS = [
    "region_id", "level", "parent_code", "institutions", "institutions_by_setting", "places", "places_inclusive",
    "places_infant", "places_younger", "places_older", "places_mixed", "enrolled", "resident_population",
    "population_year", "population_is_synthetic", "places_per_1000", "utilisation", "inclusive_share",
    "target_per_1000", "target_gap", "pilots_designated", "pilots_completed", "filings_pending", "filings_overdue",
    "filings_decided", "filings_decided_on_time",
]


def reference_sql(date_iso: str, target_x100: int, tz: str) -> str:
    """The same figures, written by hand as one query: institution facts rolled up with GROUPING SETS."""
    from metrics.compute import CLASS_TYPES, SETTING_TYPES

    d = f"DATE '{date_iso}'"
    d_end = f"(({d} + 1)::timestamp AT TIME ZONE '{tz}')"
    y_start = f"(date_trunc('year', {d})::timestamp AT TIME ZONE '{tz}')"
    settings = ", ".join(f"(i.setting_type = '{s}')::int AS st_{s}" for s in SETTING_TYPES)
    zero_st = ", ".join(f"0 AS st_{s}" for s in SETTING_TYPES)
    class_sums = ", ".join(f"sum(places) FILTER (WHERE class_type = '{c}') AS p_{c}" for c in CLASS_TYPES)
    zero_cls = ", ".join(f"0 AS p_{c}" for c in CLASS_TYPES)
    measures = (["n"] + [f"st_{s}" for s in SETTING_TYPES] + ["places", "incl"] + [f"p_{c}" for c in CLASS_TYPES]
                + ["enrolled", "pil_d", "pil_c", "f_pend", "f_over", "f_dec", "f_ontime"])
    sums = ", ".join(f"sum({m}) AS {m}" for m in measures)
    json_pairs = ", ".join(f"'{s}', COALESCE(g.st_{s}, 0)" for s in SETTING_TYPES)
    pending = (f"f.status IN ('submitted', 'resubmitted', 'filed', 'rejected') AND f.submitted_at < {d_end} "
               f"AND (f.decided_at IS NULL OR f.decided_at >= {d_end})")
    decided = f"f.status IN ('filed', 'rejected') AND f.decided_at >= {y_start} AND f.decided_at < {d_end}"
    return f"""
    CREATE TEMP TABLE bench_reference AS
    WITH facts AS (
        SELECT i.region_id AS code, 1 AS n, {settings},
               COALESCE(c.places, 0) AS places, CASE WHEN i.is_inclusive THEN COALESCE(c.places, 0) ELSE 0 END AS incl,
               {", ".join(f"COALESCE(c.p_{k}, 0) AS p_{k}" for k in CLASS_TYPES)},
               COALESCE(e.n, 0) AS enrolled, 0 AS pil_d, 0 AS pil_c, 0 AS f_pend, 0 AS f_over, 0 AS f_dec,
               0 AS f_ontime
        FROM institutions_institution i
        LEFT JOIN (SELECT institution_id, sum(places) AS places, {class_sums}
                   FROM institutions_institutionclass
                   WHERE opened_on <= {d} AND (closed_on IS NULL OR closed_on > {d})
                   GROUP BY institution_id) c ON c.institution_id = i.id
        LEFT JOIN (SELECT institution_id, count(*) AS n FROM enrolments_enrolment
                   WHERE start_date <= {d} AND (end_date IS NULL OR end_date > {d})
                   GROUP BY institution_id) e ON e.institution_id = i.id
        WHERE i.status <> 'draft' AND i.filed_on <= {d} AND (i.cancelled_on IS NULL OR i.cancelled_on > {d})
          AND NOT EXISTS (SELECT 1 FROM institutions_suspension s WHERE s.institution_id = i.id
                          AND s.suspended_on <= {d} AND (s.lifted_on IS NULL OR s.lifted_on > {d}))
        UNION ALL
        SELECT i.region_id, 0, {zero_st}, 0, 0, {zero_cls}, 0, 1, (p.completed_on <= {d})::int, 0, 0, 0, 0
        FROM pilots_pilot p JOIN institutions_institution i ON i.id = p.institution_id
        WHERE p.designated_on <= {d}
          AND p.year = (SELECT max(year) FROM pilots_pilot WHERE designated_on <= {d})
        UNION ALL
        SELECT i.region_id, 0, {zero_st}, 0, 0, {zero_cls}, 0, 0, 0,
               ({pending})::int, ({pending} AND f.due_on < {d})::int, ({decided})::int,
               ({decided} AND f.due_on IS NOT NULL AND (f.decided_at AT TIME ZONE '{tz}')::date <= f.due_on)::int
        FROM filings_filing f JOIN institutions_institution i ON i.id = f.institution_id
        WHERE f.submitted_at < {d_end}
    ),
    grouped AS (
        SELECT COALESCE(p9, p6, p4, p2) AS code, {sums}
        FROM (SELECT substr(code, 1, 2) AS p2, substr(code, 1, 4) AS p4, substr(code, 1, 6) AS p6,
                     CASE WHEN length(code) = 9 THEN code END AS p9, {", ".join(measures)} FROM facts) t
        GROUP BY GROUPING SETS ((p2), (p4), (p6), (p9))
        HAVING NOT (GROUPING(p9) = 0 AND p9 IS NULL)
    ),
    pop AS (
        SELECT DISTINCT ON (region_id) region_id, resident_population, year, is_synthetic
        FROM regions_regionpopulation WHERE year <= extract(year FROM {d}) ORDER BY region_id, year DESC
    )
    SELECT r.code AS region_id, r.level, COALESCE(r.parent_id, '') AS parent_code,
           COALESCE(g.n, 0) AS institutions, jsonb_build_object({json_pairs}) AS institutions_by_setting,
           COALESCE(g.places, 0) AS places, COALESCE(g.incl, 0) AS places_inclusive,
           {", ".join(f"COALESCE(g.p_{k}, 0) AS places_{k}" for k in CLASS_TYPES)},
           COALESCE(g.enrolled, 0) AS enrolled, pop.resident_population, pop.year AS population_year,
           COALESCE(pop.is_synthetic, false) AS population_is_synthetic,
           round(COALESCE(g.places, 0) * 1000.0 / pop.resident_population, 4) AS places_per_1000,
           round(g.enrolled * 1.0 / NULLIF(g.places, 0), 4) AS utilisation,
           round(g.incl * 1.0 / NULLIF(g.places, 0), 4) AS inclusive_share,
           {target_x100 / 100:.2f}::numeric AS target_per_1000,
           CASE WHEN pop.resident_population IS NOT NULL THEN greatest(
               (({target_x100}::bigint * pop.resident_population) + 99999) / 100000 - COALESCE(g.places, 0), 0)
           END AS target_gap,
           COALESCE(g.pil_d, 0) AS pilots_designated, COALESCE(g.pil_c, 0) AS pilots_completed,
           COALESCE(g.f_pend, 0) AS filings_pending, COALESCE(g.f_over, 0) AS filings_overdue,
           COALESCE(g.f_dec, 0) AS filings_decided, COALESCE(g.f_ontime, 0) AS filings_decided_on_time
    FROM regions_region r
    LEFT JOIN grouped g ON g.code = r.code
    LEFT JOIN pop ON pop.region_id = r.code
    """  # noqa: S608 — constants and dates we format ourselves


def _median_time(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def measure(*, provinces: list[str], scale: float, repeats: int, total_townships: int, reference: bool) -> dict:
    import datetime

    from django.conf import settings
    from django.db import connection, transaction

    from bench import china
    from bench.harness import count_statements
    from metrics.compute import session_tuning, snapshot_compute
    from metrics.models import Snapshot

    started = time.perf_counter()
    data = china.generate(provinces=provinces, scale=scale, total_townships=total_townships)
    data["generate_seconds"] = round(time.perf_counter() - started, 2)
    date = china.SNAPSHOT_DATE
    snapshot_compute(date=date - datetime.timedelta(days=92))  # a previous snapshot, so changes are computed
    snapshot_compute(date=date)  # warm-up
    with count_statements() as counted:
        snapshot_compute(date=date)
    result = {**data, "statements": counted.count}
    target_x100 = int(round(settings.PLACES_TARGET_PER_1000 * 100))
    sql = reference_sql(date.isoformat(), target_x100, settings.TIME_ZONE)

    def run_reference():
        # Same session settings as the recompute's statement (metrics.compute.session_tuning), for a fair ratio.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_reference")
            for statement in session_tuning():
                cursor.execute(statement)
            cursor.execute(sql)

    recompute_times, reference_times = [], []
    for _ in range(repeats):
        recompute_times.append(_median_time(lambda: snapshot_compute(date=date), 1)[0])
        if reference:
            reference_times.append(_median_time(run_reference, 1)[0])
    result["recompute_seconds"] = round(statistics.median(recompute_times), 3)
    result["recompute_runs"] = [round(t, 3) for t in recompute_times]
    if reference:
        result["reference_seconds"] = round(statistics.median(reference_times), 3)
        result["reference_runs"] = [round(t, 3) for t in reference_times]
        result["ratio"] = round(result["recompute_seconds"] / result["reference_seconds"], 3)
        snapshot = Snapshot.objects.current(date)
        cols = ", ".join(COMPARED_COLUMNS)
        with connection.cursor() as cursor:
            ours = f"SELECT {cols} FROM metrics_regionsnapshot WHERE snapshot_id = %s"  # noqa: S608
            theirs = f"SELECT {cols} FROM bench_reference"  # noqa: S608
            cursor.execute(f"SELECT count(*) FROM (({ours} EXCEPT {theirs}) UNION ALL ({theirs} EXCEPT {ours})) diff",
                           [snapshot.pk, snapshot.pk])
            (differences,) = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM bench_reference")
            (rows,) = cursor.fetchone()
        result["rows"] = rows
        result["identical"] = differences == 0
        result["differing_rows"] = differences
    return result


def run(*, scale: float, repeats: int, sizes: list[int]) -> dict:
    """Run the benchmark on the configured (already migrated) database and return the figures."""
    from bench import rankings as ranking_bench
    from regions.importing import data_file, open_data

    with open_data(data_file("streets.csv")) as fh:
        total_townships = sum(1 for _ in fh) - 1
    with open_data(data_file("provinces.csv")) as fh:
        all_provinces = [line.split(",")[0] for line in list(fh)[1:] if line.strip()]
    growth = []
    full = None
    for size in sizes:
        provinces = all_provinces if size >= len(all_provinces) else GROWTH_PROVINCES.get(size, all_provinces[:size])
        figures = measure(provinces=provinces, scale=scale, repeats=repeats, total_townships=total_townships,
                          reference=True)
        growth.append(figures)
        full = figures
    rankings = ranking_bench.measure(repeats)
    base = growth[0]
    for row in growth:
        row["data_factor"] = round(row["institutions"] / base["institutions"], 2)
        row["time_factor"] = round(row["recompute_seconds"] / base["recompute_seconds"], 2)
    return {"scale": scale, "repeats": repeats, "full": full, "growth": growth, "rankings": rankings,
            "statements_constant": len({row["statements"] for row in growth}) == 1}


def _bench_database_url(url: str, name: str) -> str:
    parsed = urlparse(url or "postgres://postgres@127.0.0.1:5432/postgres")
    return urlunparse(parsed._replace(path=f"/{name}"))


def _ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parsed.path[1:]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{parsed.path[1:]}"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of China's volume (1.0 = 130,000 "
                        "institutions, 3.5 M children)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="1,5,31", help="province counts of the growth table")
    parser.add_argument("--database", default="tuoyu_bench", help="database name (created if missing)")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)

    url = _bench_database_url(os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", ""),
                              args.database)
    if not url.startswith(("postgres://", "postgresql://")):
        print("The metrics benchmark needs PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        return 2
    _ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")
    os.environ["CELERY_BROKER_URL"] = ""  # tasks in-process: nothing is sent anywhere
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    figures = run(scale=args.scale, repeats=args.repeats, sizes=[int(s) for s in args.sizes.split(",")])
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
    full = figures["full"]
    growth = " ".join(f"{g['provinces']}p:{g['institutions']}inst/{g['recompute_seconds']}s" for g in figures["growth"])
    print("| provinces | regions | institutions | places | enrolled | recompute s | reference s | ratio | statements |")
    for g in figures["growth"]:
        print(f"| {g['provinces']} | {g['regions']} | {g['institutions']} | {g['places']} | {g['enrolled']} | "
              f"{g['recompute_seconds']} | {g.get('reference_seconds')} | {g.get('ratio')} | {g['statements']} |")
    print(f"metrics bench (scale {args.scale}): recompute {full['recompute_seconds']}s vs reference "
          f"{full['reference_seconds']}s = {full['ratio']}x (target <= 1.5), identical={full['identical']}, "
          f"{full['statements']} statements (constant={figures['statements_constant']}); growth {growth}; "
          f"rankings {figures['rankings']['rankings']} in {figures['rankings']['seconds']}s → {output}")
    from bench import rankings as ranking_bench

    print(ranking_bench.summary(figures["rankings"]))
    return 0 if full["identical"] and figures["rankings"]["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
