"""Provisioning: officials create, deactivate and re-scope the accounts one level below them; a county
invites its institutions' staff with one-time codes. Through the API and the browser, audited."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Invitation, User
from audit.models import AuditEntry
from tests.factories import api_token

pytestmark = pytest.mark.django_db


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def create(actor, **fields):
    return as_user(actor).post("/api/v1/accounts/", fields)


# --- One level down ---------------------------------------------------------------------------------

def test_province_creates_an_official_of_its_city(province_official):
    response = create(province_official, username="shijiazhuang-2", role="official", region="1301")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region"] == "1301" and body["is_active"] is True
    assert "/accounts/setup/" in body["password_setup_url"]
    account = User.objects.get(username="shijiazhuang-2")
    assert not account.has_usable_password()
    entry = AuditEntry.objects.get(action="account.created")
    assert entry.actor == province_official and entry.region_code == "1301"


def test_province_cannot_skip_a_level(province_official):
    response = create(province_official, username="x", role="official", region="130102")
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_city_creates_officials_of_its_own_counties_only(city_official):
    assert create(city_official, username="changan-2", role="official", region="130102").status_code == 201
    assert create(city_official, username="xiangdu-2", role="official", region="130502").status_code == 403


def test_county_creates_township_officials_and_staff_of_its_institutions(county_official, institution,
                                                                          other_institution):
    assert create(county_official, username="town-2", role="official", region="130102001").status_code == 201
    assert create(county_official, username="staff-2", role="staff", institution=institution.pk).status_code == 201
    assert create(county_official, username="staff-3", role="staff",
                  institution=other_institution.pk).status_code == 403


def test_nobody_but_an_administrator_creates_an_administrator(province_official, admin_user):
    assert create(province_official, username="root-2", role="admin").status_code == 403
    assert create(admin_user, username="root-2", role="admin").status_code == 201


def test_staff_and_townships_provision_nobody(staff, township_official):
    assert create(staff, username="x", role="official", region="130102001").status_code == 403
    assert create(township_official, username="y", role="official", region="130102001").status_code == 403


def test_a_bad_region_is_a_400_naming_the_field(province_official):
    response = create(province_official, username="x", role="official", region="99")
    assert response.status_code == 400
    assert "region" in response.json()["error"]["fields"]


def test_a_taken_username_is_a_400_naming_the_field(province_official, city_official):
    response = create(province_official, username=city_official.username, role="official", region="1301")
    assert response.status_code == 400
    assert "username" in response.json()["error"]["fields"]


def test_the_password_link_works_once(client, province_official):
    url = create(province_official, username="sjz-3", role="official", region="1301").json()["password_setup_url"]
    page = client.get(url, follow=True)
    assert page.status_code == 200 and page.context["validlink"]
    response = client.post(page.redirect_chain[-1][0], {"new_password1": "Tuoyu-test-2026!x",
                                                        "new_password2": "Tuoyu-test-2026!x"})
    assert response.status_code == 302
    assert User.objects.get(username="sjz-3").check_password("Tuoyu-test-2026!x")
    assert not client.get(url, follow=True).context["validlink"]


# --- Deactivate and re-scope -------------------------------------------------------------------------

def test_deactivating_an_account_stops_its_tokens_at_once(city_official, county_official):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(county_official)}")
    assert client.get("/api/v1/me/").status_code == 200
    response = as_user(city_official).post(f"/api/v1/accounts/{county_official.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/api/v1/me/").status_code == 401
    assert AuditEntry.objects.filter(action="account.deactivated", target_id=str(county_official.pk)).count() == 1
    as_user(city_official).post(f"/api/v1/accounts/{county_official.pk}/deactivate/")  # repeat: no new entry
    assert AuditEntry.objects.filter(action="account.deactivated").count() == 1
    assert as_user(city_official).post(f"/api/v1/accounts/{county_official.pk}/reactivate/").json()["is_active"]


def test_an_account_of_another_area_is_404(county_official, other_county_official):
    response = as_user(county_official).post(f"/api/v1/accounts/{other_county_official.pk}/deactivate/")
    assert response.status_code == 404
    assert as_user(county_official).get(f"/api/v1/accounts/{other_county_official.pk}/").status_code == 404


def test_an_account_two_levels_down_is_seen_but_not_managed(province_official, county_official):
    response = as_user(province_official).post(f"/api/v1/accounts/{county_official.pk}/deactivate/")
    assert response.status_code == 403
    assert User.objects.get(pk=county_official.pk).is_active


def test_city_moves_a_county_official_to_another_of_its_counties(city_official, county_official):
    response = as_user(city_official).patch(f"/api/v1/accounts/{county_official.pk}/", {"region": "130104"})
    assert response.status_code == 200 and response.json()["region"] == "130104"
    entry = AuditEntry.objects.get(action="account.rescoped")
    assert entry.before["region"] == "130102" and entry.after["region"] == "130104"
    outside = as_user(city_official).patch(f"/api/v1/accounts/{county_official.pk}/", {"region": "130502"})
    assert outside.status_code == 403


def test_nobody_manages_their_own_account(admin_user):
    assert as_user(admin_user).post(f"/api/v1/accounts/{admin_user.pk}/deactivate/").status_code == 403


# --- Invitations -----------------------------------------------------------------------------------

def test_county_invites_staff_who_create_their_account_with_the_code(county_official, institution):
    made = as_user(county_official).post("/api/v1/invitations/", {"region": "130102", "institution": institution.pk,
                                                                 "note": "王园长"})
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    assert made.json()["accept_url"].endswith(f"/accounts/invite/{code}/")
    stored = Invitation.objects.get()
    assert stored.code_checksum != code and code.replace("-", "") not in stored.code_checksum
    accepted = APIClient().post("/api/v1/invitations/accept/", {
        "code": code.lower(), "username": "wang", "password": "Tuoyu-test-2026!x", "token_scope": "filings:write"})
    assert accepted.status_code == 201, accepted.content
    account = User.objects.get(username="wang")
    assert account.is_institution_staff and account.institution_id == institution.pk
    token = accepted.json()["token"]
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.get("/api/v1/me/").json()["institution"] == institution.pk
    again = APIClient().post("/api/v1/invitations/accept/", {"code": code, "username": "wang2",
                                                             "password": "Tuoyu-test-2026!x"})
    assert again.status_code == 400 and "code" in again.json()["error"]["fields"]
    assert sorted(AuditEntry.objects.filter(target_type="accounts.invitation").values_list("action", flat=True)) \
        == ["invitation.accepted", "invitation.created"]


def test_an_expired_or_withdrawn_invitation_is_refused(county_official):
    _inv, code = services.invitation_create(actor=county_official, county_code="130102")
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = APIClient().post("/api/v1/invitations/accept/", {"code": code, "username": "late",
                                                                "password": "Tuoyu-test-2026!x"})
    assert response.status_code == 400
    invitation, code = services.invitation_create(actor=county_official, county_code="130102")
    services.invitation_revoke(actor=county_official, invitation=invitation)
    response = APIClient().post("/api/v1/invitations/accept/", {"code": code, "username": "late",
                                                                "password": "Tuoyu-test-2026!x"})
    assert response.status_code == 400
    assert not User.objects.filter(username="late").exists()


def test_a_weak_password_is_refused_naming_the_field(county_official):
    _inv, code = services.invitation_create(actor=county_official, county_code="130102")
    response = APIClient().post("/api/v1/invitations/accept/", {"code": code, "username": "weak",
                                                                "password": "123"})
    assert response.status_code == 400 and "password" in response.json()["error"]["fields"]
    assert Invitation.objects.get().status == "open"  # nothing used up


def test_only_the_county_invites_for_its_county(city_official, other_county_official, institution):
    assert as_user(city_official).post("/api/v1/invitations/", {"region": "130102"}).status_code == 403
    assert as_user(other_county_official).post("/api/v1/invitations/", {"region": "130102"}).status_code == 403
    assert as_user(other_county_official).post("/api/v1/invitations/", {
        "region": "130104", "institution": institution.pk}).status_code == 400  # not an institution of 130104


# --- Pages -----------------------------------------------------------------------------------------

def test_the_people_page_creates_an_account_and_shows_its_link_once(client, city_official):
    client.force_login(city_official)
    page = client.get("/accounts/people/")
    assert page.status_code == 200
    assert [c for c, _ in page.context["form"].fields["region"].choices if c] == ["130102", "130104"]
    response = client.post("/accounts/people/", {"username": "changan-9", "region": "130102",
                                                 "first_name": "李"})
    assert response.status_code == 200
    assert "/accounts/setup/" in response.context["setup_url"]
    assert User.objects.get(username="changan-9").region_id == "130102"
    assert "/accounts/setup/" not in client.get("/accounts/people/").content.decode()


def test_the_person_page_deactivates(client, city_official, county_official):
    client.force_login(city_official)
    response = client.post(f"/accounts/people/{county_official.pk}/", {"action": "deactivate"})
    assert response.status_code == 302
    assert not User.objects.get(pk=county_official.pk).is_active


def test_the_invitation_page_makes_a_code_and_the_invitee_signs_up_in_the_browser(client, county_official,
                                                                                   institution):
    client.force_login(county_official)
    response = client.post("/accounts/invitations/", {"institution": str(institution.pk), "note": "李老师",
                                                      "days": "7"})
    assert response.status_code == 200
    code = response.context["code"]
    client.logout()
    page = client.get(f"/accounts/invite/{code}/")
    assert page.status_code == 200 and page.context["form"].initial["code"] == code
    signed_up = client.post(f"/accounts/invite/{code}/", {"code": code, "username": "li",
                                                          "password1": "Tuoyu-test-2026!x",
                                                          "password2": "Tuoyu-test-2026!x"})
    assert signed_up.status_code == 302
    assert User.objects.get(username="li").institution_id == institution.pk
    assert client.get("/api/v1/me/").json()["username"] == "li"  # signed in


def test_the_clients_page_registers_a_system_and_shows_its_secret_once(client, admin_user, regions):
    client.force_login(admin_user)
    response = client.post("/accounts/clients/", {"name": "石家庄市托育平台", "role": "official", "region": "1301",
                                                  "scopes": ["metrics:read", "institutions:read"]})
    assert response.status_code == 200, response.context["form"].errors
    secret = response.context["secret"]
    assert secret and secret in response.content.decode()
    assert secret not in client.get("/accounts/clients/").content.decode()
