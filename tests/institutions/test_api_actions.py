"""The officials' page actions through the API: suspension and lifting it, guidance centres, mentoring
pairs, appointment slots; and `places` as today's snapshot counts them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from institutions.models import GuidanceCentre, Institution, MentoringPair
from tests.factories import InstitutionClassFactory, InstitutionFactory

pytestmark = pytest.mark.django_db


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


# --- Suspension ----------------------------------------------------------------------------------

def test_filing_county_suspends_and_lifts_the_suspension(api_client, county_official, institution):
    _as(api_client, county_official)
    url = f"/api/v1/institutions/{institution.pk}/"
    response = api_client.post(url + "suspend/", {"suspended_on": timezone.localdate().isoformat()}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["suspended_on"]) == ("suspended",
                                                                            timezone.localdate().isoformat())
    assert api_client.post(url + "suspend/", {}, format="json").status_code == 200  # a repeat changes nothing
    lifted = api_client.post(url + "lift-suspension/", format="json")
    assert lifted.status_code == 200
    assert (lifted.json()["status"], lifted.json()["suspended_on"]) == ("filed", None)
    assert lifted.json()["filing_number"] == institution.filing_number
    assert api_client.post(url + "lift-suspension/", format="json").status_code == 200
    actions = list(AuditEntry.objects.filter(target_id=str(institution.pk), action__startswith="institution.")
                   .values_list("action", flat=True).order_by("pk"))
    assert actions == ["institution.suspend", "institution.suspension_lift"]


def test_suspension_date_in_the_future_is_a_400_naming_it(api_client, county_official, institution):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = _as(api_client, county_official).post(f"/api/v1/institutions/{institution.pk}/suspend/",
                                                     {"suspended_on": tomorrow}, format="json")
    assert response.status_code == 400
    assert "suspended_on" in response.json()["error"]["fields"]
    assert Institution.objects.get(pk=institution.pk).status == "filed"


def test_a_draft_cannot_be_suspended(api_client, county_official, regions):
    draft = InstitutionFactory(region_id="130102", status=Institution.Status.DRAFT, filed_on=None)
    response = _as(api_client, county_official).post(f"/api/v1/institutions/{draft.pk}/suspend/", {}, format="json")
    assert response.status_code == 409
    assert _as(api_client, county_official).post(f"/api/v1/institutions/{draft.pk}/lift-suspension/",
                                                 format="json").status_code == 409


@pytest.mark.parametrize("actor, status", [
    ("city_official", 403),  # sees it, but the county decides
    ("township_official", 403),
    ("staff", 403),  # its own staff
    ("other_county_official", 404),  # another county: not found
    ("other_staff", 404),
])
def test_only_the_filing_county_suspends(api_client, request, institution, actor, status):
    _as(api_client, request.getfixturevalue(actor))
    for action in ("suspend", "lift-suspension"):
        response = api_client.post(f"/api/v1/institutions/{institution.pk}/{action}/", {}, format="json")
        assert response.status_code == status, action
    assert Institution.objects.get(pk=institution.pk).status == "filed"


def test_administrator_may_suspend(api_client, admin_user, institution):
    response = _as(api_client, admin_user).post(f"/api/v1/institutions/{institution.pk}/suspend/", {},
                                                format="json")
    assert response.json()["status"] == "suspended"


# --- Guidance centres ------------------------------------------------------------------------------

def test_city_official_records_a_guidance_centre(api_client, city_official):
    response = _as(api_client, city_official).post("/api/v1/guidance-centres/", {
        "city": "1301", "name": "石家庄市托育指导中心", "host": "石家庄市妇幼保健院", "phone": "0311-1234567"},
        format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["city"], body["city_name"], body["host"]) == ("1301", "石家庄市", "石家庄市妇幼保健院")
    assert AuditEntry.objects.filter(action="guidance_centre.create", target_id=str(body["id"])).exists()


def test_province_official_records_a_centre_for_one_of_its_cities(api_client, province_official):
    response = _as(api_client, province_official).post("/api/v1/guidance-centres/",
                                                       {"city": "1305", "name": "邢台市托育指导中心"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("actor", ["other_city_official", "county_official", "staff", "other_province_official"])
def test_others_cannot_record_a_citys_centre(api_client, request, actor):
    response = _as(api_client, request.getfixturevalue(actor)).post(
        "/api/v1/guidance-centres/", {"city": "1301", "name": "x"}, format="json")
    assert response.status_code == 403
    assert not GuidanceCentre.objects.exists()


def test_centre_without_a_name_is_a_400_naming_it(api_client, city_official):
    response = _as(api_client, city_official).post("/api/v1/guidance-centres/", {"city": "1301"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


# --- Mentoring pairs ---------------------------------------------------------------------------------

def test_city_official_pairs_two_institutions_of_the_city(api_client, city_official, institution, regions):
    mentee = InstitutionFactory(region_id="130104", name="桥西区新苗托育园")
    response = _as(api_client, city_official).post("/api/v1/mentoring-pairs/", {
        "mentor": institution.pk, "mentee": mentee.pk, "notes": "医育结合"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["mentor_name"], body["mentee_name"], body["started_on"]) == (
        institution.name, "桥西区新苗托育园", timezone.localdate().isoformat())
    again = api_client.post("/api/v1/mentoring-pairs/", {"mentor": institution.pk, "mentee": mentee.pk},
                            format="json")
    assert again.status_code == 400  # one active pair of the same two
    assert MentoringPair.objects.count() == 1


def test_pairing_an_institution_outside_the_area_is_a_404(api_client, city_official, institution,
                                                          other_institution):
    response = _as(api_client, city_official).post("/api/v1/mentoring-pairs/", {
        "mentor": institution.pk, "mentee": other_institution.pk}, format="json")
    assert response.status_code == 404
    assert not MentoringPair.objects.exists()


def test_pairing_an_institution_with_itself_is_a_400(api_client, city_official, institution):
    response = _as(api_client, city_official).post("/api/v1/mentoring-pairs/", {
        "mentor": institution.pk, "mentee": institution.pk}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("actor", ["county_official", "staff", "township_official"])
def test_county_officials_and_staff_do_not_pair(api_client, request, institution, regions, actor):
    mentee = InstitutionFactory(region_id="130102")
    response = _as(api_client, request.getfixturevalue(actor)).post("/api/v1/mentoring-pairs/", {
        "mentor": institution.pk, "mentee": mentee.pk}, format="json")
    assert response.status_code == 403


# --- Appointment slots ------------------------------------------------------------------------------

def test_city_official_publishes_a_slot_and_a_county_official_cannot(api_client, city_official, county_official):
    centre = GuidanceCentre.objects.create(city_id="1301", name="石家庄市托育指导中心")
    body = {"centre": centre.pk, "date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "start_time": "09:00", "end_time": "10:00", "capacity": 4, "purpose": "verification"}
    assert _as(api_client, county_official).post("/api/v1/appointment-slots/", body,
                                                 format="json").status_code == 403
    response = _as(api_client, city_official).post("/api/v1/appointment-slots/", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["capacity"], response.json()["places_left"]) == (4, 4)


# --- Places as of today ------------------------------------------------------------------------------

def test_places_count_what_is_open_today_and_say_what_opens_later(api_client, county_official, institution):
    today = timezone.localdate()
    InstitutionClassFactory(institution=institution, name="托大一班", places=20, caregivers=3)
    InstitutionClassFactory(institution=institution, name="托小一班", class_type="younger", places=15,
                            caregivers=3, opened_on=today + datetime.timedelta(days=10))
    InstitutionClassFactory(institution=institution, name="旧班", places=10, caregivers=2,
                            closed_on=today - datetime.timedelta(days=1))
    body = _as(api_client, county_official).get(f"/api/v1/institutions/{institution.pk}/").json()
    assert (body["places"], body["places_planned"], body["next_class_opens_on"]) == (
        20, 15, (today + datetime.timedelta(days=10)).isoformat())
    listed = api_client.get("/api/v1/institutions/").json()["results"][0]
    assert (listed["places"], listed["places_planned"]) == (20, 15)
    public = api_client.get(f"/api/v1/register/institutions/{institution.pk}/").json()
    assert (public["places"], public["places_planned"]) == (20, 15)
    assert {c["name"]: c["opened_on"] for c in public["classes"]}["托小一班"] == (
        today + datetime.timedelta(days=10)).isoformat()


def test_places_agree_with_todays_snapshot(api_client, county_official, institution):
    from metrics.compute import snapshot_compute
    from metrics.models import RegionSnapshot

    today = timezone.localdate()
    InstitutionClassFactory(institution=institution, name="托大一班", places=20, caregivers=3)
    InstitutionClassFactory(institution=institution, name="托小一班", class_type="younger", places=15,
                            caregivers=3, opened_on=today + datetime.timedelta(days=10))
    snapshot = snapshot_compute(date=today)
    county_places = RegionSnapshot.objects.get(snapshot=snapshot, region_id="130102").places
    body = _as(api_client, county_official).get(f"/api/v1/institutions/{institution.pk}/").json()
    assert body["places"] == county_places == 20


def test_no_planned_class_gives_zero_and_null(api_client, county_official, institution):
    body = _as(api_client, county_official).get(f"/api/v1/institutions/{institution.pk}/").json()
    assert (body["places"], body["places_planned"], body["next_class_opens_on"]) == (0, 0, None)


# --- Fixed query counts ------------------------------------------------------------------------------

def _queries(api_client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _populate(n: int) -> None:
    today = timezone.localdate()
    existing = Institution.objects.count()
    for i in range(existing, n):
        inst = InstitutionFactory(region_id="130102", name=f"托育园{i:03d}")
        InstitutionClassFactory(institution=inst, name="托大班", places=20, caregivers=3)
        InstitutionClassFactory(institution=inst, name="托小班", class_type="younger", places=15, caregivers=3,
                                opened_on=today + datetime.timedelta(days=5))
        if i % 2 == 0:
            GuidanceCentre.objects.create(city_id="1301", name=f"中心{i:03d}")
    institutions = list(Institution.objects.order_by("pk"))
    for a, b in zip(institutions[::2], institutions[1::2], strict=False):
        if not MentoringPair.objects.filter(mentor=a, mentee=b).exists():
            MentoringPair.objects.create(mentor=a, mentee=b)


@pytest.mark.parametrize("url", ["/api/v1/institutions/", "/api/v1/register/institutions/",
                                 "/api/v1/mentoring-pairs/", "/api/v1/guidance-centres/"])
def test_lists_take_the_same_number_of_queries_at_5_and_50_rows(api_client, province_official, regions, url,
                                                                 settings):
    settings.API_CACHE_SECONDS = 0
    _as(api_client, province_official)
    _populate(5)
    small = _queries(api_client, url + "?page_size=100")
    _populate(50)
    assert _queries(api_client, url + "?page_size=100") == small
