"""The registry API: registration and draft edits through the services, errors that name the field."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from institutions.models import GuidanceCentre, Institution, InstitutionClass, MentoringPair
from tests.factories import InstitutionClassFactory, InstitutionFactory, UserFactory, make_credit_code

BODY = {"name": "长安区新苗托育中心", "legal_form": "forprofit", "setting_type": "standalone", "full_day": True,
        "region": "130102001", "address": "建设大街1号", "legal_representative": "王五",
        "person_in_charge": "赵六", "person_in_charge_phone": "13900000000"}


@pytest.fixture(autouse=True)
def english(api_client):
    # Messages are asserted in English (the Accept-Language a client sends); Chinese is the default.
    api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        yield


@pytest.fixture
def newcomer(regions):
    return UserFactory(username="newcomer")


def test_staff_register_an_institution_and_edit_the_draft(api_client, newcomer):
    api_client.force_authenticate(newcomer)
    response = api_client.post("/api/v1/institutions/", {**BODY, "credit_code": make_credit_code("130102")},
                               format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft" and data["places"] == 0
    newcomer.refresh_from_db()
    assert newcomer.institution_id == data["id"]
    response = api_client.patch(f"/api/v1/institutions/{data['id']}/", {"address": "新地址 2 号"}, format="json")
    assert response.status_code == 200 and response.json()["address"] == "新地址 2 号"
    response = api_client.post(f"/api/v1/institutions/{data['id']}/classes/",
                               {"name": "豆豆一班", "class_type": "older", "places": 20, "caregivers": 3},
                               format="json")
    assert response.status_code == 201
    assert api_client.get(f"/api/v1/institutions/{data['id']}/").json()["places"] == 20


def test_a_wrong_check_character_is_a_400_naming_credit_code(api_client, newcomer):
    api_client.force_authenticate(newcomer)
    code = make_credit_code("130102")
    response = api_client.post("/api/v1/institutions/", {**BODY, "credit_code": code[:17] + (
        "1" if code[17] != "1" else "2")}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "credit_code" in error["fields"] and "check character" in error["fields"]["credit_code"][0]
    api_client.credentials(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = api_client.post("/api/v1/institutions/", {**BODY, "credit_code": code[:17] + (
        "1" if code[17] != "1" else "2")}, format="json")
    assert "校验码错误" in response.json()["error"]["fields"]["credit_code"][0]


def test_model_rules_come_back_as_400_naming_the_field(api_client, newcomer):
    api_client.force_authenticate(newcomer)
    response = api_client.post("/api/v1/institutions/", {**BODY, "credit_code": make_credit_code("130102"),
                                                          "is_inclusive": True}, format="json")
    assert response.status_code == 400
    assert "inclusive_price" in response.json()["error"]["fields"]
    response = api_client.post("/api/v1/institutions/", {**BODY, "credit_code": make_credit_code("130102"),
                                                          "region": "1301"}, format="json")
    assert response.status_code == 400 and "region" in response.json()["error"]["fields"]


def test_class_over_the_ratio_is_a_400_naming_class_and_rule(api_client, regions):
    draft = InstitutionFactory(status=Institution.Status.DRAFT, filed_on=None)
    api_client.force_authenticate(UserFactory(username="d", institution=draft))
    response = api_client.post(f"/api/v1/institutions/{draft.pk}/classes/",
                               {"name": "星星班", "class_type": "infant", "places": 10, "caregivers": 3},
                               format="json")
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["caregivers"][0]
    assert "星星班" in message and "every 3" in message
    assert not InstitutionClass.objects.filter(institution=draft).exists()


def test_filed_institution_is_changed_through_a_change_filing_not_the_api(api_client, staff, institution):
    api_client.force_authenticate(staff)
    response = api_client.patch(f"/api/v1/institutions/{institution.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 409 and "change filing" in response.json()["error"]["message"]
    response = api_client.post(f"/api/v1/institutions/{institution.pk}/classes/",
                               {"name": "新班", "class_type": "older", "places": 10, "caregivers": 2}, format="json")
    assert response.status_code == 409
    response = api_client.post(f"/api/v1/institutions/{institution.pk}/staff/",
                               {"name": "新保育员", "role": "caregiver", "health_certificate_expires_on": "2027-01-01"},
                               format="json")
    assert response.status_code == 201


def test_staff_already_linked_cannot_register_a_second_institution(api_client, staff):
    api_client.force_authenticate(staff)
    response = api_client.post("/api/v1/institutions/", {**BODY, "credit_code": make_credit_code("130102")},
                               format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


def test_institution_list_filters_and_keeps_fixed_queries(api_client, province_official, institution,
                                                           other_institution):
    api_client.force_authenticate(province_official)
    rows = api_client.get("/api/v1/institutions/", {"region": "1305"}).json()["results"]
    assert [r["id"] for r in rows] == [other_institution.pk]
    counts = []
    for n in (5, 300):
        Institution.objects.bulk_create([InstitutionFactory.build(region_id="130104", name=f"API园{n}-{i}")
                                         for i in range(n)])
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get("/api/v1/institutions/", {"region": "1301", "status": "filed",
                                                                "service_form": "full_day", "page_size": 200})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "next" in response.json()


def test_mentoring_pairs_and_guidance_centres_are_listed(api_client, city_official, institution, regions):
    mentor = InstitutionFactory(region_id="130104")
    MentoringPair.objects.create(mentor=mentor, mentee=institution)
    GuidanceCentre.objects.create(city_id="1301", name="石家庄市托育指导中心", host="石家庄市妇幼保健院")
    api_client.force_authenticate(city_official)
    pairs = api_client.get("/api/v1/mentoring-pairs/").json()["results"]
    assert pairs[0]["mentee_name"] == institution.name
    centres = api_client.get("/api/v1/guidance-centres/").json()["results"]
    assert centres[0]["name"] == "石家庄市托育指导中心"
    assert api_client.post("/api/v1/guidance-centres/", {}).status_code == 400  # writable now: name missing


def test_other_city_sees_no_mentoring_pair_of_this_city(api_client, other_city_official, institution):
    MentoringPair.objects.create(mentor=InstitutionFactory(region_id="130104"), mentee=institution)
    api_client.force_authenticate(other_city_official)
    assert api_client.get("/api/v1/mentoring-pairs/").json()["results"] == []


def test_closed_classes_are_listed_after_open_ones(api_client, regions):
    draft = InstitutionFactory(status=Institution.Status.DRAFT, filed_on=None)
    api_client.force_authenticate(UserFactory(username="d2", institution=draft))
    open_class = InstitutionClassFactory(institution=draft, name="开")
    closed = InstitutionClassFactory(institution=draft, name="关")
    assert api_client.post(f"/api/v1/institutions/{draft.pk}/classes/{closed.pk}/close/").status_code == 200
    assert api_client.post(f"/api/v1/institutions/{draft.pk}/classes/{closed.pk}/close/").status_code == 200
    rows = api_client.get(f"/api/v1/institutions/{draft.pk}/classes/").json()
    assert [r["name"] for r in rows] == [open_class.name, closed.name]
    assert api_client.get(f"/api/v1/institutions/{draft.pk}/").json()["places"] == 20


@pytest.mark.parametrize("url", ["/api/v1/institutions/", "/api/v1/register/institutions/"])
def test_a_malformed_filter_is_a_400_naming_it(api_client, province_official, institution, url):
    api_client.force_authenticate(province_official)
    response = api_client.get(url, {"medical_integration": "2"})
    assert response.status_code == 400 and "medical_integration" in response.json()["error"]["fields"]
    assert api_client.get(url, {"is_inclusive": "false"}).json()["results"][0]["id"] == institution.pk
    assert api_client.get(url, {"is_inclusive": "true"}).json()["results"] == []
