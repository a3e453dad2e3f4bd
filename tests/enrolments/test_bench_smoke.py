import pytest

pytestmark = pytest.mark.bench


def test_import_benchmark_runs_at_small_scale(db):
    from bench.imports import benchmark

    result = benchmark(rows=120, repeat=1)
    assert result["rows"] == 120 and result["median_seconds"] > 0
    # A fixed number of statements per batch of 1,000 rows, not per row.
    assert result["queries"] < 60
