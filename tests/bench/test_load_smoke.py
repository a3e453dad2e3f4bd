"""A small-scale smoke of the load benchmark: the measuring code against the live test server."""

import pytest

from bench.load import REFERENCE, measure

pytestmark = pytest.mark.bench


def test_load_measurement_counts_requests_latencies_and_errors(live_server):
    m = measure(live_server.url, *REFERENCE, clients=2, seconds=1.0, processes=1)
    assert m.requests > 5
    assert m.errors == 0
    assert m.statuses == {"200": m.requests}
    assert 0 < m.p50_ms <= m.p95_ms <= m.p99_ms


def test_load_measurement_reports_errors(live_server):
    m = measure(live_server.url, "missing", "/no/such/page/", clients=1, seconds=0.5, processes=1)
    assert m.errors == m.requests > 0
