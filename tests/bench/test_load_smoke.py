"""A small-scale smoke of the load benchmark: the measuring code against the live test server."""

import pytest

from bench.load import REFERENCE, measure

pytestmark = pytest.mark.bench


def test_load_measurement_counts_requests_latencies_and_errors(live_server):
    # Unmeasured, as the benchmark warms up: the server's first request loads every app's URLs and views.
    measure(live_server.url, *REFERENCE, clients=1, seconds=0.2, processes=1)
    m = measure(live_server.url, *REFERENCE, clients=2, seconds=1.0, processes=1)
    assert m.requests > 5
    assert m.errors == 0
    assert m.statuses == {"200": m.requests}
    assert 0 < m.p50_ms <= m.p95_ms <= m.p99_ms


def test_load_measurement_reports_errors(live_server):
    m = measure(live_server.url, "missing", "/no/such/page/", clients=1, seconds=0.5, processes=1)
    assert m.errors == m.requests > 0


def test_load_run_reports_every_endpoint_cached_and_uncached_beside_its_goal(live_server, province_official,
                                                                             institution):
    import datetime

    from bench.load import CACHED_TARGET, ENDPOINTS, UNCACHED_TARGET, report, run
    from metrics.compute import snapshot_compute
    from tests.factories import api_token

    snapshot_compute(date=datetime.date.today())
    headers = {"Authorization": f"Bearer {api_token(province_official)}"}
    # processes=1: forking client processes from a test worker that runs threads can deadlock the children
    result = run(live_server.url, headers, clients=2, seconds=0.3, runs=2, region="13", step=False, warmup=0,
                 processes=1)
    assert [r["name"] for r in result["endpoints"]] == [name for name, *_ in ENDPOINTS]
    assert not any(r.get("missing") for r in result["endpoints"])  # every endpoint answered 200
    assert {r["target_ratio"] for r in result["endpoints"]} == {CACHED_TARGET}
    assert {r["target_ratio"] for r in result["uncached"]} == {UNCACHED_TARGET}
    assert all(len(r["ratios"]) == 2 and r["errors"] == 0 for r in result["endpoints"] + result["uncached"])
    assert len(result["references"]) == 2  # one reference per round
    lines = report({**result, "workers": 1})
    for name, *_ in ENDPOINTS:
        hit = next(i for i, line in enumerate(lines) if line.startswith(name))
        assert " hit " in lines[hit] and lines[hit + 1].split()[0] == "miss"
        assert str(CACHED_TARGET) in lines[hit] and str(UNCACHED_TARGET) in lines[hit + 1]
    assert lines[-1].startswith("summary:")
