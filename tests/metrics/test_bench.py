"""A small-scale smoke run of the metrics benchmark (bench/metrics.py) and its rankings part (bench/rankings.py)
on the test database."""

import pytest

pytestmark = pytest.mark.django_db


def test_benchmark_runs_and_matches_its_reference_query(require_postgresql):
    from bench.metrics import measure

    figures = measure(provinces=["13"], scale=0.005, repeats=1, total_townships=41352, reference=True)
    assert figures["institutions"] >= 50 and figures["places"] > 0 and figures["enrolled"] > 0
    assert figures["regions"] > 2500  # Hebei's real division codes
    assert figures["identical"] is True, figures
    assert figures["rows"] == figures["regions"]
    assert figures["statements"] < 25


    from bench import rankings

    ranked = rankings.measure(repeats=1)
    assert ranked["rankings"] == 12  # Hebei ranks its 11 cities, each city its counties
    assert ranked["entries"] > 150
    assert ranked["identical"] is True, ranked
    assert ranked["statements"] < 25 < ranked["reference_statements"]
