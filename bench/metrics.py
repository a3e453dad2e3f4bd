"""Metrics recompute benchmark (PostgreSQL): `make bench` or `python -m bench.metrics [--scale 0.1]`.

Generates a China-scale dataset on the real division codes in its own database (tuoyu_bench by default),
then reports, each the median of 3 runs in the same process:
- the full recompute (metrics.compute.snapshot_compute: every region, every level, one date);
- an independent reference query (bench/metrics_reference.py) writing the same rows into the same table
  under a snapshot of its own, in the same kind of transaction; every column of every row must be identical,
  and the ratio recompute / reference should be ≤ 1.2 (RATIO_GOAL);
- the floor: the bare GROUP BYs over the source tables and writing one row per region, so the distance
  to the limit shows;
- SQL statements issued by one recompute (must not grow with the number of regions);
- recompute times for 1, 5 and 31 provinces (growth table);
- every ranking of a quarter (each province ranks its cities, each city its counties), set-based, against the
  per-scope algorithm it replaced (bench/rankings.py): seconds, ratio, statements, identical entries.
Results go to bench/results/metrics.json, with a one-line summary on stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.harness import open_bench_database

RESULTS = Path(__file__).resolve().parent / "results" / "metrics.json"
GROWTH_PROVINCES = {1: ["13"], 5: ["11", "12", "13", "14", "15"]}
RATIO_GOAL = 1.2  # recompute / reference, medians of the same run


def _median_time(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def measure(*, provinces: list[str], scale: float, repeats: int, total_townships: int, reference: bool) -> dict:
    import datetime

    from bench import china, metrics_reference
    from bench.harness import count_statements
    from metrics.compute import snapshot_compute

    started = time.perf_counter()
    data = china.generate(provinces=provinces, scale=scale, total_townships=total_townships)
    data["generate_seconds"] = round(time.perf_counter() - started, 2)
    date = china.SNAPSHOT_DATE
    snapshot_compute(date=date - datetime.timedelta(days=92))  # a previous snapshot, so changes are computed
    snapshot_compute(date=date)  # warm-up
    with count_statements() as counted:
        snapshot_compute(date=date)
    result = {**data, "snapshot_date": date, "statements": counted.count}

    recompute_times, reference_times, comparisons = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        snapshot = snapshot_compute(date=date)
        recompute_times.append(time.perf_counter() - start)
        if reference:
            start = time.perf_counter()
            reference_id = metrics_reference.run_reference(date)
            reference_times.append(time.perf_counter() - start)
            try:
                comparisons.append(metrics_reference.compare(snapshot.pk, reference_id))
            finally:
                metrics_reference.remove(reference_id)
    result["recompute_seconds"] = round(statistics.median(recompute_times), 3)
    result["recompute_runs"] = [round(t, 3) for t in recompute_times]
    if reference:
        result["reference_seconds"] = round(statistics.median(reference_times), 3)
        result["reference_runs"] = [round(t, 3) for t in reference_times]
        result["ratio"] = round(result["recompute_seconds"] / result["reference_seconds"], 3)
        result["ratio_goal"] = RATIO_GOAL
        result["identical"] = all(c["identical"] for c in comparisons)
        result["differing_rows"] = max(c["differing_rows"] for c in comparisons)
        result["rows"] = comparisons[-1]["rows"]
        result["reference_rows"] = comparisons[-1]["reference_rows"]
        result["floor"] = metrics_reference.floor(date)
        result["recompute_over_floor"] = round(result["recompute_seconds"] / result["floor"]["floor_seconds"], 2)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of China's volume (1.0 = 130,000 "
                        "institutions, 3.5 M children)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="1,5,31", help="province counts of the growth table")
    parser.add_argument("--database", default="tuoyu_bench", help="database name (created if missing)")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)

    if not open_bench_database(args.database, "metrics"):
        return 2
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
    floor = full.get("floor", {})
    print(f"metrics bench (scale {args.scale}, {full['regions']} regions): recompute {full['recompute_seconds']}s "
          f"vs reference {full.get('reference_seconds')}s = {full.get('ratio')}x (goal <= {RATIO_GOAL}), "
          f"identical={full.get('identical')} ({full.get('differing_rows')} differing rows, "
          f"{full.get('rows')}/{full.get('reference_rows')} rows), {full['statements']} statements "
          f"(goal: constant, {figures['statements_constant']})")
    print(f"floor: bare GROUP BYs {floor.get('scan_seconds')}s (enrolments {floor.get('scan_enrolments_seconds')}s, "
          f"classes {floor.get('scan_classes_seconds')}s, institutions {floor.get('scan_institutions_seconds')}s, "
          f"filings {floor.get('scan_filings_seconds')}s) + writing {floor.get('written_rows')} rows "
          f"{floor.get('write_seconds')}s = {floor.get('floor_seconds')}s; recompute / floor = "
          f"{full.get('recompute_over_floor')}x")
    rankings = figures["rankings"]
    print(f"growth {growth}; rankings {rankings['rankings']} in {rankings['seconds']}s → {output}")
    from bench import rankings as ranking_bench

    print(ranking_bench.summary(rankings))
    return 0 if full.get("identical") and rankings["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
