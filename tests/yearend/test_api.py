import io

import pytest
from openpyxl import load_workbook

from tests.factories import api_token

from .conftest import complete_values

pytestmark = pytest.mark.django_db


def _auth(client, user, scopes):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user, scopes)}")
    return client


def test_staff_draft_submit_and_county_accept_through_the_api(obligation, staff, county_official, api_client):
    _auth(api_client, staff, ["yearend:write"])
    r = api_client.post("/api/v1/yearend/reports/", {"year": obligation.year, "values": {"places": 20}},
                        format="json")
    assert r.status_code == 200, r.content
    pk = r.json()["id"]
    r = api_client.post(f"/api/v1/yearend/reports/{pk}/submit/", {}, format="json")
    assert r.status_code == 400 and "values" in r.json()["error"]["fields"]
    r = api_client.post(f"/api/v1/yearend/reports/{pk}/submit/", {"values": complete_values()}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    _auth(api_client, county_official, ["yearend:write"])
    r = api_client.post(f"/api/v1/yearend/reports/{pk}/accept/")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = api_client.post(f"/api/v1/yearend/reports/{pk}/accept/")
    assert r.status_code == 409
    r = api_client.get("/api/v1/yearend/rates/", {"year": obligation.year})
    assert r.json()[0]["submitted"] == 1


def test_pack_figures_for_the_province_not_for_a_county(obligation, institution, province_official,
                                                        county_official, api_client):
    _auth(api_client, province_official, ["yearend:read"])
    r = api_client.get(f"/api/v1/yearend/pack/13/{obligation.year}/")
    assert r.status_code == 200
    body = r.json()
    assert "1301" in body["cities"]
    sections = {s["programme"]: s for s in body["sections"]}
    assert sections["yearend"]["figures"]["1301"][0]["denominator"] == 1
    assert {"demonstration", "training", "mentoring"} <= set(sections)
    _auth(api_client, county_official, ["yearend:read"])
    # A county has no pack, and its city's is outside its area.
    assert api_client.get(f"/api/v1/yearend/pack/1301/{obligation.year}/").status_code == 404


def test_pack_downloads_open(obligation, client, province_official):
    client.force_login(province_official)
    r = client.get(f"/yearend/pack/1301/{obligation.year}.xlsx")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    assert any("年终" in name or "年度" in name for name in book.sheetnames), book.sheetnames
    assert "石家庄" in str(book.worksheets[0]["A1"].value)
    r = client.get(f"/yearend/pack/13/{obligation.year}.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_a_pack_of_a_year_out_of_range_is_not_found(regions, province_official, client):
    client.force_login(province_official)
    assert client.get("/yearend/pack/13/0/").status_code == 404
    assert client.get("/api/v1/yearend/pack/13/99999/").status_code == 404


def test_the_pack_page_reads_a_fixed_number_of_queries(obligation, institution, staff, province_official, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import InstitutionFactory
    from yearend import services

    client.force_login(province_official)
    url = f"/yearend/pack/13/{obligation.year}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for county in ("130102", "130104", "130502", "130102"):
        other = InstitutionFactory(region_id=county)
        services.yearend_report_save_draft(institution=other, obligation=obligation, values=complete_values(),
                                           actor=_staff_of(other))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def _staff_of(institution):
    from tests.factories import UserFactory

    return UserFactory(institution=institution)
