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


def test_history_benchmark_runs_and_keeps_the_figures(require_postgresql):
    from bench.history import measure

    figures = measure(provinces=["13"], scale=0.005, repeats=1, total_townships=41352, years=2, nightly_days=6)
    assert figures["history"]["closed_enrolments"] > figures["enrolled"] > 0
    assert figures["history"]["cancelled_institutions"] > 0 and figures["history"]["decided_filings"] > 0
    assert figures["today_unchanged"] is True
    assert figures["past_date_matches_reference"] is True and figures["today_matches_reference"] is True
    assert figures["ratio"] > 0 and figures["goal_ratio"] == 1.3
    assert figures["snapshots_after_retention"]["rows"] < figures["snapshots_before_retention"]["rows"]
    assert figures["retention"]["statements"] < 25
