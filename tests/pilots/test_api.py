"""The pilots API: assessments and progress reports written through services, scoped reads."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pilots.models import Assessment, ProgressReport, ScoreItem
from pilots.services import pilot_designate, progress_template_create, reporting_assign, scorecard_load_wst821
from regions.models import Region
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(institution, province_official):
    scorecard_load_wst821()
    return pilot_designate(institution=institution, year=2022, designated_on=datetime.date(2022, 3, 1),
                           actor=province_official)


def _scores(**points):
    return [{"item": i.pk, "points": str(points.get(i.code, i.max_points)), "evidence": "台账齐全"}
            for i in ScoreItem.objects.filter(dimension__template__code="wst-821-2023")]


def test_county_official_records_an_assessment(api_client, pilot, county_official):
    api_client.force_login(county_official)
    response = api_client.post(f"/api/v1/pilots/{pilot.pk}/assessments/",
                               {"template": "wst-821-2023", "assessed_on": "2022-05-10",
                                "scores": _scores(**{"1.1": "30"})}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["total"] == "990.0" and body["grade"] == "A" and body["veto_failed"] is False


def test_assessment_with_points_above_the_maximum_is_a_400_naming_scores(api_client, pilot, county_official):
    api_client.force_login(county_official)
    response = api_client.post(f"/api/v1/pilots/{pilot.pk}/assessments/",
                               {"template": "wst-821-2023", "assessed_on": "2022-05-10",
                                "scores": _scores(**{"1.1": "41"})}, format="json")
    assert response.status_code == 400
    assert "scores" in response.json()["error"]["fields"]
    assert not Assessment.objects.exists()


def test_pilot_outside_the_area_is_a_404(api_client, pilot, other_county_official):
    api_client.force_login(other_county_official)
    response = api_client.post(f"/api/v1/pilots/{pilot.pk}/assessments/",
                               {"template": "wst-821-2023", "assessed_on": "2022-05-10", "scores": _scores()},
                               format="json")
    assert response.status_code == 404
    assert api_client.post(f"/api/v1/pilots/{pilot.pk}/complete/", {}, format="json").status_code == 404


def test_staff_see_their_pilot_but_cannot_assess(api_client, pilot, staff):
    api_client.force_login(staff)
    assert [p["id"] for p in api_client.get("/api/v1/pilots/").json()["results"]] == [pilot.pk]
    response = api_client.post(f"/api/v1/pilots/{pilot.pk}/complete/", {}, format="json")
    assert response.status_code == 403


def test_marking_completed(api_client, pilot, city_official):
    api_client.force_login(city_official)
    response = api_client.post(f"/api/v1/pilots/{pilot.pk}/complete/", {"completed_on": "2022-06-01"},
                               format="json")
    assert response.status_code == 200 and response.json()["completed_on"] == "2022-06-01"
    listed = api_client.get("/api/v1/pilots/", {"completed": "true"}).json()["results"]
    assert [p["id"] for p in listed] == [pilot.pk]


def test_pilot_list_queries_are_fixed(api_client, regions, province_official):
    api_client.force_login(province_official)
    for _n in range(3):
        pilot_designate(institution=InstitutionFactory(region_id="130102"), year=2022,
                        designated_on=datetime.date(2022, 3, 1), actor=province_official)
    with CaptureQueriesContext(connection) as few:
        api_client.get("/api/v1/pilots/")
    for _n in range(60):
        pilot_designate(institution=InstitutionFactory(region_id="130502"), year=2022,
                        designated_on=datetime.date(2022, 3, 1), actor=province_official)
    with CaptureQueriesContext(connection) as many:
        assert api_client.get("/api/v1/pilots/").json()["count"] == 63
    assert len(many.captured_queries) == len(few.captured_queries)


def test_scorecards_are_listed_with_items_in_fixed_queries(api_client, pilot, county_official):
    from pilots.services import scorecard_load

    api_client.force_login(county_official)
    with CaptureQueriesContext(connection) as one:
        cards = api_client.get("/api/v1/pilots/scorecards/").json()
    wst = next(c for c in cards if c["code"] == "wst-821-2023")
    assert [d["max_points"] for d in wst["dimensions"]] == ["100.0", "140.0", "200.0", "210.0", "80.0", "200.0",
                                                            "70.0"]
    scorecard_load(data={"code": "hebei-2022", "name": "河北省（2022）", "grades": [["A", 90], ["D", 0]],
                         "dimensions": [["1", "条件", 100, [["1.1", "场地", 60, False], ["1.2", "设备", 40, False]]]]},
                   actor=None, region=Region.objects.get(code="13"))
    with CaptureQueriesContext(connection) as two:
        assert len(api_client.get("/api/v1/pilots/scorecards/").json()) == 2
    assert len(two.captured_queries) == len(one.captured_queries)


@pytest.fixture
def daily(regions, province_official):
    template = progress_template_create(region=regions["13"], code="daily", name="每日进展", actor=province_official,
                                        fields=[{"code": "places_added", "label": "新增托位"}])
    reporting_assign(template=template, region_codes=["130102", "130104"], starts_on=datetime.date(2022, 6, 1),
                     actor=province_official)
    return template


def test_county_submits_and_city_reads_reporting_rates(api_client, daily, county_official, city_official):
    api_client.force_login(county_official)
    today = timezone.localdate().isoformat()
    response = api_client.post("/api/v1/progress-reports/", {"template": "daily", "region": "130102",
                                                             "date": today, "values": {"places_added": 12}},
                               format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["on_time"] is True
    bad = api_client.post("/api/v1/progress-reports/", {"template": "daily", "region": "130104", "date": today,
                                                        "values": {"places_added": 1}}, format="json")
    assert bad.status_code == 404  # another county's report
    assert ProgressReport.objects.count() == 1

    api_client.force_login(city_official)
    rates = api_client.get("/api/v1/progress-reports/rates/",
                           {"region": "1301", "start": today, "end": today}).json()
    by_region = {r["region"]: r for r in rates}
    assert by_region["130102"]["actual"] == 1 and by_region["130102"]["expected"] == 1
    assert by_region["130104"]["actual"] == 0 and by_region["130104"]["completeness"] == "0.0000"
    assert by_region["1301"]["expected"] == 2


def test_reporting_rates_outside_the_area_are_a_404(api_client, daily, other_city_official):
    api_client.force_login(other_city_official)
    response = api_client.get("/api/v1/progress-reports/rates/", {"region": "1301", "start": "2022-06-01",
                                                                  "end": "2022-06-30"})
    assert response.status_code == 404


def test_reporting_rates_need_region_and_dates(api_client, daily, city_official, staff):
    api_client.force_login(city_official)
    response = api_client.get("/api/v1/progress-reports/rates/")
    assert response.status_code == 400
    assert {"region", "start"} <= set(response.json()["error"]["fields"])
    api_client.force_login(staff)
    assert api_client.get("/api/v1/progress-reports/rates/", {"region": "1301", "start": "2022-06-01",
                                                              "end": "2022-06-30"}).json() == []
