"""Access matrix: staff of another institution and officials of another area get 404 on every page and
endpoint of the registry; the officials of the area (township up to province) can read; only the
institution's own staff write (an official of the area gets 403 on writes)."""

import pytest
from django.urls import reverse

from institutions.models import Institution
from tests.factories import InstitutionClassFactory, StaffMemberFactory

OUTSIDERS = ["other_staff", "other_county_official", "other_city_official", "other_province_official"]
AREA_OFFICIALS = ["township_official", "county_official", "city_official", "province_official"]


@pytest.fixture
def records(institution):
    return {
        "institution": institution,
        "klass": InstitutionClassFactory(institution=institution, name="豆豆一班"),
        "member": StaffMemberFactory(institution=institution, name="王保育", phone="13911112222"),
    }


def _pages(records):
    i, c, m = records["institution"], records["klass"], records["member"]
    return [reverse("institutions:detail", args=[i.pk]),
            reverse("institutions:class_edit", args=[c.pk]),
            reverse("institutions:class_close", args=[c.pk]),
            reverse("institutions:staff_edit", args=[m.pk])]


def _endpoints(records):
    i, c, m = records["institution"], records["klass"], records["member"]
    base = f"/api/v1/institutions/{i.pk}/"
    return [base, f"{base}classes/", f"{base}classes/{c.pk}/", f"{base}staff/", f"{base}staff/{m.pk}/"]


def _writes(records):
    i, c, m = records["institution"], records["klass"], records["member"]
    base = f"/api/v1/institutions/{i.pk}/"
    return [("patch", base, {"name": "改名"}),
            ("post", f"{base}classes/", {"name": "新班", "class_type": "older", "places": 10, "caregivers": 2}),
            ("patch", f"{base}classes/{c.pk}/", {"places": 10}),
            ("post", f"{base}classes/{c.pk}/close/", {}),
            ("post", f"{base}staff/", {"name": "新人", "role": "caregiver"}),
            ("patch", f"{base}staff/{m.pk}/", {"phone": "13000000000"})]


@pytest.mark.parametrize("actor", OUTSIDERS)
def test_outsiders_get_404_on_every_page(client, request, records, actor):
    client.force_login(request.getfixturevalue(actor))
    for url in _pages(records):
        response = client.post(url) if url.endswith("/close/") else client.get(url)
        assert response.status_code == 404, url


@pytest.mark.parametrize("actor", OUTSIDERS)
def test_outsiders_get_404_on_every_endpoint(api_client, request, records, actor):
    api_client.force_authenticate(request.getfixturevalue(actor))
    for url in _endpoints(records):
        assert api_client.get(url).status_code == 404, url
    for method, url, data in _writes(records):
        assert getattr(api_client, method)(url, data, format="json").status_code == 404, url
    listed = api_client.get("/api/v1/institutions/").json()["results"]
    assert records["institution"].pk not in [row["id"] for row in listed]


@pytest.mark.parametrize("actor", AREA_OFFICIALS)
def test_officials_of_the_area_read_the_institution_with_its_staff(client, api_client, request, records, actor):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    response = client.get(reverse("institutions:detail", args=[records["institution"].pk]))
    assert response.status_code == 200
    assert "王保育" in response.content.decode()  # reviewers need staff names
    api_client.force_authenticate(user)
    for url in _endpoints(records):
        assert api_client.get(url).status_code == 200, url


@pytest.mark.parametrize("actor", AREA_OFFICIALS)
def test_officials_of_the_area_may_not_write(api_client, request, records, actor):
    api_client.force_authenticate(request.getfixturevalue(actor))
    for method, url, data in _writes(records):
        assert getattr(api_client, method)(url, data, format="json").status_code == 403, url
    assert api_client.post("/api/v1/institutions/", {}, format="json").status_code == 403


@pytest.mark.parametrize("actor", AREA_OFFICIALS)
def test_officials_have_no_staff_workspace(client, request, records, actor):
    client.force_login(request.getfixturevalue(actor))
    for name in ["institutions:mine", "institutions:create", "institutions:edit", "institutions:class_add",
                 "institutions:staff_add"]:
        assert client.get(reverse(name)).status_code == 404, name


def test_anonymous_is_sent_to_sign_in_and_the_api_says_401_or_403(client, api_client, records):
    for url in [reverse("institutions:mine"), reverse("institutions:list"), *_pages(records)[:1]]:
        assert client.get(url).status_code == 302
    for url in _endpoints(records):
        assert api_client.get(url).status_code in (401, 403)


def test_official_list_shows_only_the_area(client, county_official, institution, other_institution):
    client.force_login(county_official)
    body = client.get(reverse("institutions:list")).content.decode()
    assert institution.name in body and other_institution.name not in body


def test_staff_edit_their_own_staff_member_even_when_filed(client, staff, records):
    client.force_login(staff)
    member = records["member"]
    response = client.post(reverse("institutions:staff_edit", args=[member.pk]),
                           {"name": "王保育", "role": "caregiver", "phone": "13700000000",
                            "started_on": "2024-01-01"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phone == "13700000000"
    assert records["institution"].status == Institution.Status.FILED
