"""The supervision API: the round, the draw and an inspection through the API; scoping; the public disclosure."""

from __future__ import annotations

import datetime

from django.utils import timezone

from tests.factories import api_token

from .conftest import photo


def _auth(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")
    return api_client


def test_a_county_plans_draws_and_starts_a_round_through_the_api(api_client, county_official, filed_institutions,
                                                                 inspectors, checklist):
    c = _auth(api_client, county_official)
    round_ = c.post("/api/v1/supervision/rounds/", {
        "region": "130102", "name": "接口抽查", "checklist": checklist.pk, "share_percent": 20,
        "inspectors_per_inspection": 1, "seed": 99,
        "due_on": str(timezone.localdate() + datetime.timedelta(days=10))}, format="json")
    assert round_.status_code == 201, round_.content
    pk = round_.json()["id"]
    first = c.post(f"/api/v1/supervision/rounds/{pk}/draw/")
    assert first.status_code == 201 and first.json()["replays"] is True and first.json()["seed"] == 99
    again = c.post(f"/api/v1/supervision/rounds/{pk}/draw/")
    assert again.status_code == 200 and again.json()["result"] == first.json()["result"]
    started = c.post(f"/api/v1/supervision/rounds/{pk}/start/")
    assert started.status_code == 200 and len(started.json()) == 3
    assert c.post(f"/api/v1/supervision/rounds/{pk}/start/").status_code == 409
    detail = c.get(f"/api/v1/supervision/rounds/{pk}/").json()
    assert [d["number"] for d in detail["draws"]] == [1]


def test_an_inspector_records_and_signs_off_through_the_api(api_client, inspection, inspectors, staff):
    inspector = inspectors[0].user
    c = _auth(api_client, inspector)
    items = inspection.checklist.items.all()
    for item in items:
        outcome = "finding" if item.code == "HS-13" else "pass"
        r = c.post(f"/api/v1/supervision/inspections/{inspection.pk}/records/",
                   {"item": item.pk, "outcome": outcome, "note": "消毒剂放在矮柜" if outcome == "finding" else ""},
                   format="json")
        assert r.status_code == 200, r.content
    hs13 = items.get(code="HS-13")
    upload = c.post(f"/api/v1/supervision/inspections/{inspection.pk}/evidence/", {"item": hs13.pk, "file": photo()},
                    format="multipart")
    assert upload.status_code == 201
    signed = c.post(f"/api/v1/supervision/inspections/{inspection.pk}/sign-off/", {"mode": "on_site"},
                    format="json")
    assert signed.status_code == 200 and signed.json()["findings_high"] == 1
    order = c.get("/api/v1/supervision/rectifications/").json()["results"][0]
    s = _auth(api_client, staff)
    answered = s.post(f"/api/v1/supervision/rectifications/{order['id']}/answer/", {"text": "已上锁"},
                      format="multipart")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert s.post(f"/api/v1/supervision/rectifications/{order['id']}/decide/", {"accept": True},
                  format="json").status_code == 403
    c = _auth(api_client, inspector)
    decided = c.post(f"/api/v1/supervision/rectifications/{order['id']}/decide/", {"accept": True}, format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    api_client.credentials()
    public = api_client.get(f"/api/v1/supervision/register/{inspection.institution_id}/").json()
    assert public["inspections"][0]["rectified"] is True
    assert "note" not in str(public) and inspector.username not in str(public)


def test_other_areas_get_404_and_lists_are_scoped(api_client, inspection, other_county_official, other_staff,
                                                  other_city_official, city_official):
    for user in (other_county_official, other_staff, other_city_official):
        c = _auth(api_client, user)
        assert c.get(f"/api/v1/supervision/inspections/{inspection.pk}/").status_code == 404
        assert c.post(f"/api/v1/supervision/inspections/{inspection.pk}/sign-off/", {}, format="json"
                      ).status_code == 404
        assert c.get("/api/v1/supervision/inspections/").json()["results"] == []
    c = _auth(api_client, city_official)
    assert [i["id"] for i in c.get("/api/v1/supervision/inspections/", {"kind": "targeted"}).json()["results"]] == [
        inspection.pk]
    assert c.get("/api/v1/supervision/inspections/", {"kind": "nonsense"}).status_code == 400


def test_a_checklist_version_through_the_api_and_its_errors_in_the_one_format(api_client, county_official, checklist):
    c = _auth(api_client, county_official)
    empty = c.post("/api/v1/supervision/checklists/", {"code": "x", "name": "x", "items": []}, format="json")
    assert empty.status_code == 400 and isinstance(empty.json()["error"]["fields"]["items"], list)
    bad = c.post("/api/v1/supervision/checklists/", {"code": "x", "name": "x", "items": [{"code": "1"}]},
                 format="json")
    assert bad.status_code == 400 and isinstance(bad.json()["error"]["fields"]["items"], list)
    not_an_item = c.post("/api/v1/supervision/checklists/", {"code": "x", "name": "x", "items": [[None, None]]},
                         format="json")
    assert not_an_item.status_code == 400 and list(not_an_item.json()["error"]["fields"]) == ["items.0"]
    assert all(isinstance(m, str) for m in not_an_item.json()["error"]["fields"]["items.0"])
    made = c.post("/api/v1/supervision/checklists/", {"code": "health-safety", "name": "本县版", "items": [
        {"code": "X-1", "area": "安全", "text": "新增要求", "risk": "high", "immediate_risk": True}]}, format="json")
    assert made.status_code == 201 and made.json()["version"] == 2
    assert c.get("/api/v1/supervision/inspections/", {"institution": "5.3e209"}).status_code == 400
    assert c.get("/api/v1/supervision/inspections/", {"institution": "999999"}).json()["results"] == []
