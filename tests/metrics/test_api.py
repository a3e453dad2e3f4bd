"""The metrics API: scoped reads of ready snapshots, series, rankings, recompute requests."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.compute import snapshot_compute
from metrics.models import Snapshot
from metrics.rankings import ranking_compute, ranking_publish
from regions.models import Region
from tests.factories import filed_class

pytestmark = pytest.mark.django_db
D = datetime.date(2022, 6, 30)


@pytest.fixture
def snapshot(regions):
    filed_class("130102001", 20)
    filed_class("130502", 15)
    snapshot_compute(date=datetime.date(2022, 3, 31))
    return snapshot_compute(date=D)


def test_children_of_a_region_in_one_call(api_client, snapshot, province_official):
    api_client.force_login(province_official)
    response = api_client.get("/api/v1/metrics/regions/", {"parent": "13", "date": "2022-07-15"})
    assert response.status_code == 200
    rows = {r["region"]: r for r in response.json()["results"]}
    assert set(rows) == {"1301", "1305"}
    assert rows["1301"]["places"] == 20 and rows["1305"]["places"] == 15
    assert rows["1301"]["places_per_1000"] == "0.0018"
    assert rows["1301"]["region_name"] == "石家庄市"


def test_city_official_sees_only_own_area(api_client, snapshot, city_official):
    api_client.force_login(city_official)
    rows = api_client.get("/api/v1/metrics/regions/", {"level": "city"}).json()["results"]
    assert [r["region"] for r in rows] == ["1301"]
    assert api_client.get("/api/v1/metrics/regions/1305/").status_code == 404
    assert api_client.get("/api/v1/metrics/regions/1305/series/").status_code == 404
    assert api_client.get("/api/v1/metrics/regions/1301/").json()["places"] == 20


def test_staff_and_anonymous_have_no_area_figures(api_client, snapshot, staff):
    assert api_client.get("/api/v1/metrics/regions/").status_code in (401, 403)
    api_client.force_login(staff)
    assert api_client.get("/api/v1/metrics/regions/").json()["results"] == []
    assert api_client.get("/api/v1/metrics/regions/130102/").status_code == 403
    assert api_client.get("/api/v1/metrics/rankings/").json()["results"] == []
    assert api_client.post("/api/v1/metrics/recompute/", {}, format="json").status_code == 403


def test_series_gives_one_point_per_ready_snapshot(api_client, snapshot, county_official):
    api_client.force_login(county_official)
    points = api_client.get("/api/v1/metrics/regions/130102/series/").json()
    assert [p["date"] for p in points] == ["2022-03-31", "2022-06-30"]
    assert [p["places"] for p in points] == [20, 20]
    assert points[1]["places_change"] == 0


def test_list_queries_do_not_grow_with_rows(api_client, snapshot, province_official):
    api_client.force_login(province_official)
    # Pages of 5 rows: both lists are longer than their first page, so both are counted (a list that fits
    # its first page needs no COUNT: tests/api/test_lean_reads.py).
    with CaptureQueriesContext(connection) as few:
        assert api_client.get("/api/v1/metrics/regions/", {"under": "13", "page_size": 5}).status_code == 200
    Region.objects.bulk_create([Region(code=f"130102{k:03d}", name=f"街道{k}", level="township", parent_id="130102")
                                for k in range(100, 160)])
    snapshot_compute(date=D)
    with CaptureQueriesContext(connection) as many:
        response = api_client.get("/api/v1/metrics/regions/", {"under": "13", "page_size": 5})
    assert response.json()["count"] > 60
    assert len(many.captured_queries) == len(few.captured_queries)


def test_recompute_request_answers_202_and_reports_progress(api_client, snapshot, province_official,
                                                            django_capture_on_commit_callbacks, eager_celery):
    api_client.force_login(province_official)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/metrics/recompute/", {"date": "2022-06-30"}, format="json")
    assert response.status_code == 202
    task_id = response.json()["task_id"]
    status = api_client.get(f"/api/v1/metrics/recompute/{task_id}/").json()
    assert status["status"] == "ready" and status["progress"] == 100  # eager in tests: already done
    assert Snapshot.objects.current(D).pk == status["snapshot"]


def test_recompute_refuses_a_future_date(api_client, snapshot, province_official):
    api_client.force_login(province_official)
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    response = api_client.post("/api/v1/metrics/recompute/", {"date": future}, format="json")
    assert response.status_code == 400
    assert "date" in response.json()["error"]["fields"]


def test_rankings_with_breakdown_visible_to_ranked_cities_once_published(api_client, snapshot, province_official,
                                                                          city_official, other_province_official):
    api_client.force_login(province_official)
    response = api_client.post("/api/v1/metrics/rankings/compute/",
                               {"scope": "13", "period_kind": "quarter", "period_start": "2022-04-01"}, format="json")
    assert response.status_code == 201
    run_id = response.json()["id"]
    api_client.force_login(city_official)
    assert api_client.get(f"/api/v1/metrics/rankings/{run_id}/").status_code == 404  # a draft: province only
    api_client.force_login(province_official)
    assert api_client.post(f"/api/v1/metrics/rankings/{run_id}/publish/").json()["status"] == "published"
    api_client.force_login(city_official)
    detail = api_client.get(f"/api/v1/metrics/rankings/{run_id}/").json()
    assert [e["region"] for e in detail["entries"]] in (["1301", "1305"], ["1305", "1301"])
    assert set(detail["entries"][0]["breakdown"]) == {"pilot_completion_rate", "places_per_1000", "places_growth",
                                                      "filing_timeliness", "report_timeliness"}
    assert api_client.post(f"/api/v1/metrics/rankings/{run_id}/publish/").status_code == 403
    api_client.force_login(other_province_official)
    assert api_client.get(f"/api/v1/metrics/rankings/{run_id}/").status_code == 404


def test_city_cannot_compute_the_province_ranking(api_client, snapshot, city_official):
    api_client.force_login(city_official)
    response = api_client.post("/api/v1/metrics/rankings/compute/",
                               {"scope": "13", "period_kind": "quarter", "period_start": "2022-04-01"}, format="json")
    assert response.status_code == 404


def test_province_sets_weights(api_client, regions, province_official, city_official):
    api_client.force_login(province_official)
    response = api_client.put("/api/v1/metrics/ranking-weights/13/", {"weights": {"places_per_1000": 70,
                                                                                 "places_growth": 30}},
                              format="json")
    assert response.status_code == 200
    assert response.json()["weights"] == {"places_per_1000": 70.0, "places_growth": 30.0}
    bad = api_client.put("/api/v1/metrics/ranking-weights/13/", {"weights": {"luck": 1}}, format="json")
    assert bad.status_code == 400
    api_client.force_login(city_official)
    assert api_client.put("/api/v1/metrics/ranking-weights/13/", {"weights": {"places_growth": 1}},
                          format="json").status_code == 404


def test_ranking_detail_queries_do_not_grow_with_entries(api_client, snapshot, province_official):
    api_client.force_login(province_official)
    province = Region.objects.get(code="13")
    small = ranking_compute(scope=province, period_kind="quarter", period_start=datetime.date(2022, 4, 1))
    with CaptureQueriesContext(connection) as few:
        assert len(api_client.get(f"/api/v1/metrics/rankings/{small.pk}/").json()["entries"]) == 2
    Region.objects.bulk_create([Region(code=f"13{k:02d}", name=f"市{k}", level="city", parent_id="13")
                                for k in range(10, 70)])
    big = ranking_compute(scope=province, period_kind="year", period_start=datetime.date(2022, 1, 1))
    with CaptureQueriesContext(connection) as many:
        assert len(api_client.get(f"/api/v1/metrics/rankings/{big.pk}/").json()["entries"]) == 62
    assert len(many.captured_queries) == len(few.captured_queries)


def test_recomputed_ranking_shows_its_changes_against_the_published_version(api_client, snapshot, province_official):
    from metrics.rankings import ranking_weights_set

    province = Region.objects.get(code="13")
    ranking_weights_set(region=province, weights={"places_per_1000": 100}, actor=province_official)
    first = ranking_compute(scope=province, period_kind="quarter", period_start=datetime.date(2022, 4, 1))
    ranking_publish(run=first, actor=province_official)
    ranking_weights_set(region=province, weights={"places_growth": 100}, actor=province_official)
    second = ranking_compute(scope=province, period_kind="quarter", period_start=datetime.date(2022, 4, 1))
    api_client.force_login(province_official)
    body = api_client.get(f"/api/v1/metrics/rankings/{second.pk}/").json()
    assert body["version"] == 2
    assert {c["region"] for c in body["changes"]} <= {"1301", "1305"}
    assert all(c["prior_rank"] is not None for c in body["changes"])
    assert api_client.get(f"/api/v1/metrics/rankings/{first.pk}/").json()["changes"] == []
