"""What the benchmarks share: the file benchmarks' (bench.imports, bench.onboarding) command line, a
throwaway test database to run in and the results file; the China-scale benchmarks' (bench.metrics,
bench.history) own kept database; and a statement counter for every benchmark."""

from __future__ import annotations

import argparse
import datetime
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

RESULTS = Path(__file__).parent / "results"


@dataclass
class StatementCount:
    count: int = 0


@contextmanager
def count_statements(using: str = "default") -> Iterator[StatementCount]:
    """Counts the statements sent on a connection while the block runs, `executemany` as one.

    An execute wrapper sees every statement whatever DEBUG says; Django's own query log (what
    CaptureQueriesContext reads) is kept only with DEBUG on, and holds only the last 9,000."""
    from django.db import connections

    counted = StatementCount()

    def count(execute, sql, params, many, context):
        counted.count += 1
        return execute(sql, params, many, context)

    with connections[using].execute_wrapper(count):
        yield counted


def open_bench_database(name: str, what: str) -> bool:
    """Sets Django up on the PostgreSQL database `name` (created if missing, kept between runs, migrated),
    beside the configured one (BENCH_DATABASE_URL or DATABASE_URL), with tasks run in-process. False, with
    the reason on stderr, when no PostgreSQL is configured."""
    import sys

    configured = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    parsed = urlparse(configured or "postgres://postgres@127.0.0.1:5432/postgres")
    if parsed.scheme not in ("postgres", "postgresql"):
        print(f"The {what} benchmark needs PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        return False
    import psycopg

    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")
    os.environ["CELERY_BROKER_URL"] = ""  # tasks in-process: nothing is sent anywhere
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return True


def sizes_and_repeat(description: str, default_sizes: list[int]) -> tuple[list[int], int, str | None]:
    """`--rows N` (repeatable), `--repeat N` and `--database NAME` from the command line."""
    parser = argparse.ArgumentParser(description=description)
    default = " and ".join(str(n) for n in default_sizes)
    parser.add_argument("--rows", type=int, action="append", help=f"rows per file (repeatable); default {default}")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", help="name of the throwaway database (default: test_ + the configured name)")
    args = parser.parse_args()
    return args.rows or default_sizes, args.repeat, args.database


def run_sizes(benchmark: Callable[[int, int], dict], sizes: list[int], repeat: int,
              describe: Callable[[dict], str], database: str | None = None) -> dict:
    """`benchmark(rows, repeat)` for each size, in a test database created for it and dropped after; prints
    `describe(result)` for each. Returns the results with the database vendor and the time."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.DEBUG = False
    if database:
        connection.settings_dict.setdefault("TEST", {})["NAME"] = database
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    results = {"database": connection.vendor, "at": datetime.datetime.now().isoformat(timespec="seconds"),
               "sizes": []}
    try:
        for rows in sizes:
            result = benchmark(rows, repeat)
            results["sizes"].append(result)
            print(f"{rows:>6} rows: {result['median_seconds']:.2f} s median of {repeat} "
                  f"({result['rows_per_second']} rows/s){describe(result)}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return results


def write_results(results: dict, *names: str) -> None:
    """The results as JSON in bench/results/<name> for each name."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    for name in names:
        (RESULTS / name).write_text(text)
    print("written to " + " and ".join(str(RESULTS / name) for name in names))
