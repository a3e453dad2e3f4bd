import pytest

pytestmark = pytest.mark.bench


def test_onboarding_benchmark_runs_at_small_scale(db):
    from bench.onboarding import benchmark

    result = benchmark(rows=150, repeat=1)
    assert result["rows"] == 150 and result["rows_per_second"] > 0
    # A fixed number of statements per batch of 2,000 rows, not per row.
    assert result["import_queries"] < 40
    print(f"onboarding: {result['rows_per_second']} rows/s at 150 rows")
