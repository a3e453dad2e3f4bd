"""Rankings: weights, ties, frozen published versions, versions showing their difference."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from metrics.compute import snapshot_compute
from metrics.models import RankingEntry, RankingRun
from metrics.rankings import periods_ending_on, ranking_compute, ranking_publish, ranking_weights_set, score
from pilots.models import Pilot
from regions.models import RegionPopulation
from tests.factories import InstitutionClassFactory, InstitutionFactory

Q2 = datetime.date(2022, 4, 1)


def _places(region, n, filed_on=datetime.date(2022, 1, 5)):
    inst = InstitutionFactory(region_id=region, filed_on=filed_on)
    InstitutionClassFactory(institution=inst, places=n, opened_on=datetime.date(2020, 1, 1))
    return inst


@pytest.fixture
def two_cities(regions):
    RegionPopulation.objects.create(region_id="13", year=2020, resident_population=74_610_235, source="census")
    shijiazhuang = _places("130102", 20)
    _places("130502", 20)
    Pilot.objects.create(institution=shijiazhuang, year=2022, designated_by_id="13",
                         designated_on=datetime.date(2022, 2, 1), completed_on=datetime.date(2022, 5, 1))
    snapshot_compute(date=datetime.date(2022, 3, 31))
    _places("130502", 15, filed_on=datetime.date(2022, 5, 1))
    snapshot_compute(date=datetime.date(2022, 6, 30))
    return regions


def test_weighted_score_sums_normalised_points_and_breaks_ties_by_code():
    values = {
        "1305": {"a": Decimal("2"), "b": Decimal("1")},
        "1301": {"a": Decimal("1"), "b": Decimal("2")},
        "1302": {"a": None, "b": Decimal("1")},
    }
    result = score(values, {"a": 60, "b": 40})
    assert [(code, total) for code, total, _ in result] == [
        ("1305", Decimal("60.000")), ("1301", Decimal("40.000")), ("1302", Decimal("0.000"))]
    equal = score(values, {"a": 50, "b": 50})
    assert [code for code, *_ in equal][:2] == ["1301", "1305"]  # 50 each: the lower code first
    breakdown = result[0][2]["a"]
    assert breakdown == {"value": "2", "normalised": "1.0000", "weight": 60, "points": "60.000"}


@pytest.mark.django_db
def test_province_ranks_cities_with_breakdown(two_cities, province_official):
    ranking_weights_set(region=two_cities["13"], weights={"pilot_completion_rate": 50, "places_growth": 50},
                        actor=province_official)
    run = ranking_compute(scope=two_cities["13"], period_kind="quarter", period_start=Q2)
    entries = {e.region_id: e for e in run.entries.all()}
    assert set(entries) == {"1301", "1305"}
    # Shijiazhuang completed its only pilot (1.0 → 50 points); Xingtai grew 20 → 35 places (50 points).
    assert entries["1301"].breakdown["pilot_completion_rate"]["points"] == "50.000"
    assert entries["1305"].breakdown["places_growth"]["value"] == "0.7500"
    assert entries["1301"].score == entries["1305"].score == Decimal("50.000")
    assert (entries["1301"].rank, entries["1305"].rank) == (1, 2)  # tie: by division code
    assert run.weights == {"pilot_completion_rate": 50.0, "places_growth": 50.0}


@pytest.mark.django_db
def test_published_ranking_is_frozen_and_recompute_makes_a_new_version(two_cities, province_official):
    ranking_weights_set(region=two_cities["13"], weights={"pilot_completion_rate": 100}, actor=province_official)
    run = ranking_compute(scope=two_cities["13"], period_kind="quarter", period_start=Q2)
    ranking_publish(run=run, actor=province_official)
    run.refresh_from_db()
    assert run.status == RankingRun.Status.PUBLISHED
    entry = run.entries.first()
    entry.score = Decimal("99")
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        run.delete()
    with pytest.raises(DatabaseError), transaction.atomic():  # the database refuses too
        RankingEntry.objects.filter(run=run).update(score=Decimal("99"))

    ranking_weights_set(region=two_cities["13"], weights={"places_growth": 100}, actor=province_official)
    second = ranking_compute(scope=two_cities["13"], period_kind="quarter", period_start=Q2)
    assert second.pk != run.pk and second.version == 2 and second.status == RankingRun.Status.DRAFT
    xingtai = second.entries.get(region_id="1305")
    assert xingtai.rank == 1 and xingtai.prior_version_rank == 2
    assert xingtai.prior_version_score is not None
    assert run.entries.get(region_id="1305").rank == 2  # the published version did not change


@pytest.mark.django_db
def test_recomputing_a_draft_replaces_it_in_place(two_cities):
    first = ranking_compute(scope=two_cities["13"], period_kind="half", period_start=datetime.date(2022, 1, 1))
    again = ranking_compute(scope=two_cities["13"], period_kind="half", period_start=datetime.date(2022, 1, 1))
    assert again.pk == first.pk and again.version == 1
    assert RankingEntry.objects.filter(run=first).count() == 2


@pytest.mark.django_db
def test_only_the_ranking_region_publishes(two_cities, city_official):
    run = ranking_compute(scope=two_cities["13"], period_kind="quarter", period_start=Q2)
    with pytest.raises(PermissionDenied):
        ranking_publish(run=run, actor=city_official)


@pytest.mark.django_db
def test_weights_reject_unknown_indicators(regions, province_official):
    with pytest.raises(ValidationError):
        ranking_weights_set(region=regions["13"], weights={"happiness": 10}, actor=province_official)


@pytest.mark.django_db
def test_previous_period_rank_gives_the_move(two_cities, province_official):
    q1 = ranking_compute(scope=two_cities["13"], period_kind="quarter", period_start=datetime.date(2022, 1, 1))
    ranking_publish(run=q1, actor=province_official)
    q2 = ranking_compute(scope=two_cities["13"], period_kind="quarter", period_start=Q2)
    for entry in q2.entries.all():
        before = q1.entries.get(region_id=entry.region_id).rank
        assert entry.previous_rank == before
        assert entry.move == before - entry.rank


def test_periods_ending_on_quarter_half_and_year_ends():
    assert periods_ending_on(datetime.date(2022, 6, 30)) == [
        ("quarter", datetime.date(2022, 4, 1), datetime.date(2022, 6, 30)),
        ("half", datetime.date(2022, 1, 1), datetime.date(2022, 6, 30))]
    assert [k for k, *_ in periods_ending_on(datetime.date(2022, 12, 31))] == ["quarter", "half", "year"]
    assert periods_ending_on(datetime.date(2022, 5, 31)) == []


@pytest.mark.django_db
def test_counties_are_ranked_by_their_city(two_cities):
    run = ranking_compute(scope=two_cities["1301"], period_kind="year", period_start=datetime.date(2022, 1, 1))
    assert sorted(run.entries.values_list("region_id", flat=True)) == ["130102", "130104"]
