"""HTTP load benchmark: gunicorn + PostgreSQL on loopback, 16 concurrent clients, bounded in time.

Every endpoint's throughput is reported as a ratio to a bare Django endpoint returning constant JSON,
measured in the same round on the same server (the machine is shared and noisy; only ratios mean
anything). Then a step load rises until errors appear or p95 exceeds 1 s, reporting the breaking point.

    make bench-load                       # full run (needs PostgreSQL; builds its own database)
    python -m bench.load --seconds 2 --runs 1 --no-step --reuse    # a quick look while developing

Goals, for each of the five endpoints: answered from the cache ≥ 0.5× the reference, computed afresh
(`Cache-Control: no-cache`) ≥ 0.2×, p95 ≤ 100 ms both ways, zero errors. Results:
bench/results/load.json. Traffic goes to 127.0.0.1 only.

The server runs as in production: gunicorn with 2 × cores + 1 sync workers (gunicorn's advice, and the
image's default), Redis as the cache, so repeated reads are answered from cached responses that every
write drops (portal/api/cache.py); each endpoint is also measured with `Cache-Control: no-cache`, every
request computed afresh, which is what a first read or one right after a write costs.

Each of `--runs` rounds measures the reference and then every endpoint both ways, so each ratio is taken
against a reference of minutes, not of the whole run, before (other work on the machine comes and goes);
the reported ratio and p95 are the medians over the rounds. Every path is warmed up first, unmeasured
(each worker's first requests load translations and build its caches).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

# (name, path, kind). Paths with {region} are filled with the province code.
ENDPOINTS = [
    ("dashboard API (area row)", "/api/v1/metrics/regions/{region}/", "snapshot"),
    ("snapshot API (children)", "/api/v1/metrics/regions/?parent={region}", "snapshot"),
    ("institution list", "/api/v1/institutions/?page_size=50", "list"),
    ("public register search", "/api/v1/register/institutions/?q=%E6%89%98%E8%82%B2&page_size=20", "list"),
    ("filing review queue", "/api/v1/filings/?status=submitted", "list"),
]
REFERENCE = ("constant JSON", "/__bench__/constant")
CACHED_TARGET = 0.5  # answered from the cache, ratio to the reference
UNCACHED_TARGET = 0.2  # computed afresh (Cache-Control: no-cache)
P95_TARGET_MS = 100.0
NO_CACHE = {"Cache-Control": "no-cache"}


@dataclass
class Measurement:
    name: str
    path: str
    clients: int
    seconds: float
    requests: int
    errors: int
    throughput: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    statuses: dict


def _client_loop(host, port, path, headers, stop_at, out):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    latencies, statuses = [], {}
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=10)
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
    conn.close()
    out.append((latencies, statuses))


def _process_worker(args):
    host, port, path, headers, threads, stop_at = args
    out: list = []
    workers = [threading.Thread(target=_client_loop, args=(host, port, path, headers, stop_at, out))
               for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    latencies = [x for lat, _ in out for x in lat]
    statuses: dict = {}
    for _, s in out:
        for k, v in s.items():
            statuses[k] = statuses.get(k, 0) + v
    return latencies, statuses


def measure(base_url: str, name: str, path: str, *, headers: dict | None = None, clients: int = 16,
            seconds: float = 5.0, processes: int = 4) -> Measurement:
    """Runs `clients` keep-alive clients (spread over processes, so the client is not GIL-bound)."""
    from urllib.parse import urlparse

    url = urlparse(base_url)
    processes = max(1, min(processes, clients))
    per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    stop_at = time.monotonic() + seconds
    args = [(url.hostname, url.port, path, headers or {}, n, stop_at) for n in per_process if n]
    started = time.monotonic()
    if len(args) == 1:
        results = [_process_worker(args[0])]
    else:
        with get_context("fork").Pool(len(args)) as pool:
            results = pool.map(_process_worker, args)
    elapsed = time.monotonic() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    statuses: dict = {}
    for _, s in results:
        for k, v in s.items():
            statuses[str(k)] = statuses.get(str(k), 0) + v
    errors = sum(v for k, v in statuses.items() if k != "200")

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else 0.0

    return Measurement(name=name, path=path, clients=clients, seconds=round(elapsed, 2), requests=len(latencies),
                       errors=errors, throughput=round(len(latencies) / elapsed, 1), p50_ms=pct(0.50),
                       p95_ms=pct(0.95), p99_ms=pct(0.99), statuses=statuses)


def _median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else None


def _summary(samples: list[Measurement], ratios: list[float], target: float) -> dict:
    """The median round of an endpoint's samples, with the median ratio and p95 over the rounds."""
    best = sorted(samples, key=lambda m: m.throughput)[len(samples) // 2]
    row = {**asdict(best), "errors": sum(m.errors for m in samples), "p95_ms": _median([m.p95_ms for m in samples]),
           "ratio": _median(ratios), "ratios": ratios, "target_ratio": target}
    row["meets_target"] = bool(row["ratio"] is not None and row["ratio"] >= target and row["p95_ms"] <= P95_TARGET_MS
                               and row["errors"] == 0)
    return row


# --- Server set-up --------------------------------------------------------------------------------

def _env(database_url: str, redis_url: str = "") -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "PII_KEY": "bench-only-pii-key",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "BENCH_ENDPOINTS": "1",
        "DATABASE_URL": database_url,
        # The server runs as in production: Redis for the cache (cached reads, token lookups, rate limits).
        # The database is prepared without it, so the demo's tasks run in-process.
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": "",
        "API_THROTTLE_USER": "10000000/min",
        "API_THROTTLE_ANON": "10000000/min",
        "LOG_LEVEL": "ERROR",
    }


def _manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, check=True)


def prepare_database(database_url: str, *, reuse: bool) -> dict:
    env = _env(database_url)
    if not reuse:
        name = database_url.rsplit("/", 1)[1]
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-q", "-c", f'DROP DATABASE IF EXISTS "{name}"', "-c",
                        f'CREATE DATABASE "{name}"'], check=True)
        _manage(env, "migrate", "-v0")
        _manage(env, "seed_demo")
    _manage(env, "collectstatic", "--noinput", "-v0")
    token = subprocess.run(
        [sys.executable, "manage.py", "api_token", "hebei", "--write", "--days", "1", "--name", "load benchmark"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()[-1]
    return {"Authorization": f"Bearer {token}"}


def start_gunicorn(database_url: str, redis_url: str, port: int, workers: int) -> subprocess.Popen:
    if redis_url:  # nothing cached by an earlier run may answer for this database
        subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=True, capture_output=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning", "--backlog", "4096"],
        env=_env(database_url, redis_url), cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", REFERENCE[1])
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not come up within 60 s")


def run(base_url: str, headers: dict, *, clients: int, seconds: float, runs: int, region: str,
        step: bool, warmup: float = 1.0, processes: int = 4) -> dict:
    """Every endpoint cached and uncached against a reference per round. `processes`: the client processes
    per measurement (1 keeps the clients in threads, for a caller that must not fork, as inside a test run)."""
    paths = [(name, path.format(region=region), kind) for name, path, kind in ENDPOINTS]
    missing, present = [], []
    for name, path, kind in paths:
        probe = measure(base_url, name, path, headers=headers, clients=1, seconds=0.3, processes=1)
        if probe.statuses.get("200", 0) == 0:
            missing.append({"name": name, "path": path, "missing": True, "statuses": probe.statuses})
        else:
            present.append((name, path, kind))
    if warmup > 0:  # every worker's first requests are not what is measured
        measure(base_url, *REFERENCE, clients=clients, seconds=warmup, processes=processes)
        for name, path, _ in present:
            for extra in ({}, NO_CACHE):
                measure(base_url, name, path, headers={**headers, **extra}, clients=clients, seconds=warmup,
                        processes=processes)
    references: list[Measurement] = []
    samples: dict[tuple[str, bool], list[Measurement]] = {}
    ratios: dict[tuple[str, bool], list[float]] = {}
    for _ in range(runs):  # each round has its own reference
        reference = measure(base_url, *REFERENCE, clients=clients, seconds=seconds, processes=processes)
        references.append(reference)
        for name, path, _ in present:
            for fresh in (False, True):
                m = measure(base_url, name, path, headers={**headers, **(NO_CACHE if fresh else {})},
                            clients=clients, seconds=seconds, processes=processes)
                samples.setdefault((name, fresh), []).append(m)
                if reference.throughput:
                    ratios.setdefault((name, fresh), []).append(round(m.throughput / reference.throughput, 3))
    rows, uncached = list(missing), []
    for name, _path, kind in present:
        rows.append({**_summary(samples[(name, False)], ratios.get((name, False), []), CACHED_TARGET), "kind": kind})
        uncached.append({**_summary(samples[(name, True)], ratios.get((name, True), []), UNCACHED_TARGET),
                         "kind": kind})
    reference = sorted(references, key=lambda m: m.throughput)[len(references) // 2]
    breaking = None
    steps = []
    if step:
        name, path = "dashboard API", ENDPOINTS[0][1].format(region=region)
        for level in (16, 32, 64, 128, 256, 512, 1024):
            m = measure(base_url, name, path, headers=headers, clients=level, seconds=seconds, processes=processes)
            steps.append(asdict(m))
            if m.errors or m.p95_ms > 1000:
                breaking = {"clients": level, "errors": m.errors, "p95_ms": m.p95_ms}
                break
    return {"reference": asdict(reference), "references": [asdict(r) for r in references], "endpoints": rows,
            "uncached": uncached, "step_load": steps, "breaking_point": breaking, "clients": clients,
            "seconds_per_run": seconds, "runs": runs,
            "targets": {"cached": CACHED_TARGET, "uncached": UNCACHED_TARGET, "p95_ms": P95_TARGET_MS}}


def report(result: dict) -> list[str]:
    """The printed table: every endpoint's cached and uncached ratio and p95 beside its goal."""
    ref = result["reference"]
    lines = [f"reference {ref['name']}: {ref['throughput']} req/s (median of the rounds' "
             f"{', '.join(str(r['throughput']) for r in result.get('references', [ref]))}), p95 {ref['p95_ms']} ms",
             f"{'endpoint':<26}{'':>4}{'req/s':>9}{'ratio':>8}{'goal':>7}{'p50':>8}{'p95':>8}{'goal':>7}"
             f"{'p99':>8}{'errors':>8}"]
    uncached = {row["name"]: row for row in result["uncached"]}
    for row in result["endpoints"]:
        if row.get("missing"):
            lines.append(f"{row['name']:<26} not available ({row['statuses']})")
            continue
        for label, r in (("hit", row), ("miss", uncached.get(row["name"]))):
            if r is None:
                continue
            lines.append(f"{row['name'] if label == 'hit' else '':<26}{label:>4}{r['throughput']:>9}{r['ratio']:>8}"
                         f"{r['target_ratio']:>7}{r['p50_ms']:>8}{r['p95_ms']:>8}{P95_TARGET_MS:>7.0f}"
                         f"{r['p99_ms']:>8}{r['errors']:>8}  {'ok' if r['meets_target'] else 'BELOW GOAL'}")
    lines.append("hit: answered from the cache; miss: Cache-Control: no-cache, computed afresh")
    if result["step_load"]:
        lines.append("step load (dashboard API): " + ", ".join(
            f"{s['clients']} clients {s['throughput']} req/s p95 {s['p95_ms']} ms" for s in result["step_load"]))
        lines.append(f"breaking point: {result['breaking_point'] or 'not reached'}")
    rows = [r for r in result["endpoints"] + result["uncached"] if not r.get("missing")]
    met = sum(1 for r in rows if r["meets_target"])
    lines.append(f"summary: {'all goals met' if met == len(rows) else 'some goals missed'} ({met} of {len(rows)} met; "
                 f"median of {result['runs']} rounds, {result['clients']} clients, {result['seconds_per_run']}s each, "
                 f"{result.get('workers', '?')} workers)")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tuoyu_bench_load"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
                        help="the server's cache, as in production; empty for none")
    parser.add_argument("--reuse", action="store_true", help="reuse the benchmark database as it is")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn sync workers (default: 2 × cores + 1, as in production)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of unmeasured load on each path first")
    parser.add_argument("--no-step", action="store_true")
    args = parser.parse_args(argv)

    headers = prepare_database(args.database_url, reuse=args.reuse)
    server = start_gunicorn(args.database_url, args.redis_url, args.port, args.workers)
    try:
        result = run(f"http://127.0.0.1:{args.port}", headers, clients=args.clients, seconds=args.seconds,
                     runs=args.runs, region="13", step=not args.no_step, warmup=args.warmup)
    finally:
        server.terminate()
        server.wait(timeout=20)
    result["workers"] = args.workers
    result["load_average"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print("\n".join(report(result)))
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in result['load_average'])}")


if __name__ == "__main__":
    main()
