"""A small-scale smoke run of the metrics benchmark (bench/metrics.py) and its rankings part (bench/rankings.py)
on the test database."""

import pytest

pytestmark = pytest.mark.django_db


def test_benchmark_runs_and_matches_its_reference_query(require_postgresql):
    from bench.metrics import measure
    from metrics.models import RegionSnapshot, Snapshot

    figures = measure(provinces=["13"], scale=0.005, repeats=1, total_townships=41352, reference=True)
    assert figures["institutions"] >= 50 and figures["places"] > 0 and figures["enrolled"] > 0
    assert figures["regions"] > 2500  # Hebei's real division codes
    # The independent reference wrote the same rows, every column, into the real table.
    assert figures["identical"] is True, figures
    assert figures["differing_rows"] == 0
    assert figures["rows"] == figures["reference_rows"] == figures["regions"]
    assert figures["statements"] < 25
    floor = figures["floor"]
    assert floor["written_rows"] == figures["regions"] and floor["floor_seconds"] > 0
    assert figures["reference_seconds"] > 0 and figures["ratio"] > 0
    # Neither the reference nor the floor's rows stay behind: the current snapshot is the portal's.
    assert not Snapshot.objects.filter(task_id="bench-reference").exists()
    assert not RegionSnapshot.objects.filter(snapshot_id=-1).exists()
    current = Snapshot.objects.current(figures["snapshot_date"])
    assert current.task_id == "" and current.rows.count() == figures["regions"]

    from bench import rankings

    ranked = rankings.measure(repeats=1)
    assert ranked["rankings"] == 12  # Hebei ranks its 11 cities, each city its counties
    assert ranked["entries"] > 150
    assert ranked["identical"] is True, ranked
    assert ranked["statements"] < 25 < ranked["reference_statements"]


def test_reference_differs_when_a_figure_differs(require_postgresql):
    """The comparison can fail: one changed figure in the portal's rows is one differing row each way."""
    from django.db.models import F

    from bench import metrics_reference
    from bench.metrics import measure
    from metrics.models import RegionSnapshot, Snapshot

    figures = measure(provinces=["13"], scale=0.005, repeats=1, total_townships=41352, reference=False)
    current = Snapshot.objects.current(figures["snapshot_date"])
    reference = metrics_reference.run_reference(figures["snapshot_date"])
    try:
        assert metrics_reference.compare(current.pk, reference)["identical"] is True
        RegionSnapshot.objects.filter(snapshot=current, region_id="13").update(
            complaints_open=F("complaints_open") + 1)
        compared = metrics_reference.compare(current.pk, reference)
    finally:
        metrics_reference.remove(reference)
    assert compared["identical"] is False, compared
    assert compared["differing_rows"] == 2 and compared["only_in_recompute"] == 1


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
