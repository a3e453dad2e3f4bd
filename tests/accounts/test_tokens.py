"""API tokens: OAuth 2.0 client credentials for systems, personal tokens for people.

Refused when expired, revoked (401), out of scope (403) or reaching outside the owner's area (404);
never recoverable from the database or the cache; every issue and revocation audited.
"""

from __future__ import annotations

import base64
import datetime
import time

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts import services
from accounts.models import ApiClient, PersonalToken, User
from accounts.scopes import ALL_SCOPES, API_AREAS, SELF_AREA
from accounts.tokens import area_of, checksum
from audit.models import AuditEntry
from tests.factories import api_token

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/oauth/token/"


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def client_credentials(client_id: str, secret: str, scope: str | None = None):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    return APIClient().post(TOKEN_URL, data, format="multipart", HTTP_AUTHORIZATION=f"Basic {basic}")


@pytest.fixture
def county_system(admin_user, regions):
    """A county's own system: a client acting as an official of 长安区, reading and writing filings."""
    client, secret = services.api_client_register(actor=admin_user, name="长安区信息平台", role="official",
                                                  region_id="130102", scopes="filings:write metrics:read")
    return client, secret


# --- Client credentials ------------------------------------------------------------------------------

def test_a_registered_client_gets_a_token_that_acts_as_its_service_account(county_system, institution):
    client, secret = county_system
    response = client_credentials(client.application.client_id, secret)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == "filings:write metrics:read"
    me = bearer(body["access_token"]).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["role"] == "official" and me.json()["region"] == "130102"
    actions = list(AuditEntry.objects.filter(target_type="accounts.apiclient").values_list("action", flat=True))
    assert sorted(actions) == ["api_client.registered", "token.client_issued"]


def test_a_client_may_ask_for_fewer_scopes_but_not_more(county_system):
    client, secret = county_system
    fewer = client_credentials(client.application.client_id, secret, scope="metrics:read")
    assert fewer.status_code == 200 and fewer.json()["scope"] == "metrics:read"
    more = client_credentials(client.application.client_id, secret, scope="accounts:write")
    assert more.status_code == 400 and more.json()["error"] == "invalid_scope"


def test_a_client_revokes_its_own_token_audited(county_system):
    client, secret = county_system
    raw = client_credentials(client.application.client_id, secret).json()["access_token"]
    basic = base64.b64encode(f"{client.application.client_id}:{secret}".encode()).decode()
    response = APIClient().post("/api/v1/oauth/revoke/", {"token": raw}, format="multipart",
                                HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200
    assert bearer(raw).get("/api/v1/filings/").status_code == 401
    assert AuditEntry.objects.filter(action="token.client_revoked", target_id=str(client.pk)).count() == 1


def test_a_wrong_secret_gets_no_token(county_system):
    client, _secret = county_system
    response = client_credentials(client.application.client_id, "not-the-secret")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


def test_a_revoked_client_loses_its_tokens_and_gets_no_new_ones(county_system, admin_user):
    client, secret = county_system
    raw = client_credentials(client.application.client_id, secret).json()["access_token"]
    assert bearer(raw).get("/api/v1/filings/").status_code == 200
    services.api_client_revoke(client=client, actor=admin_user)
    assert bearer(raw).get("/api/v1/filings/").status_code == 401
    assert client_credentials(client.application.client_id, secret).status_code == 401
    assert User.objects.get(pk=client.service_account_id).is_active is False
    assert AuditEntry.objects.filter(action="api_client.revoked", target_id=str(client.pk)).count() == 1


def test_only_administrators_register_clients(api_client, province_official):
    api_client.force_authenticate(province_official)
    response = api_client.post("/api/v1/clients/", {"name": "x", "role": "official", "region": "13",
                                                    "scope": "metrics:read"})
    assert response.status_code == 403
    assert not ApiClient.objects.exists()


def test_an_administrator_registers_a_client_through_the_api(api_client, admin_user, regions):
    api_client.force_authenticate(admin_user)
    response = api_client.post("/api/v1/clients/", {"name": "山西省卫健委平台", "role": "official", "region": "14",
                                                    "scope": "metrics:read regions:write"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service_account"]["region"] == "14" and body["scope"] == "regions:write metrics:read"
    token = client_credentials(body["client_id"], body["client_secret"])
    assert token.status_code == 200
    listed = api_client.get("/api/v1/clients/").json()["results"][0]
    assert "client_secret" not in listed and listed["last_used_at"] is None


def test_a_client_with_an_unknown_scope_is_refused_naming_it(api_client, admin_user, regions):
    api_client.force_authenticate(admin_user)
    response = api_client.post("/api/v1/clients/", {"name": "x", "role": "official", "region": "14",
                                                    "scope": "metrics:read everything:write"})
    assert response.status_code == 400
    assert "everything:write" in response.json()["error"]["fields"]["scopes"][0]


# --- Refusals: expired, revoked, out of scope, out of area ----------------------------------------

def test_an_expired_token_is_refused_with_401(staff):
    raw = api_token(staff)
    AccessToken.objects.filter(personal_token__user=staff).update(expires=timezone.now() - datetime.timedelta(1))
    response = bearer(raw).get("/api/v1/institutions/")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_a_token_expiring_while_its_lookup_is_cached_is_refused(staff, require_redis, settings):
    settings.API_CACHE_SECONDS = 120
    _row, raw = services.personal_token_create(actor=staff, name="short", scopes=["institutions:read"], days=1)
    AccessToken.objects.filter(personal_token__user=staff).update(
        expires=timezone.now() + datetime.timedelta(seconds=2))
    client = bearer(raw)
    assert client.get("/api/v1/institutions/").status_code == 200  # now cached with its expiry
    time.sleep(2.2)
    assert client.get("/api/v1/institutions/").status_code == 401


def test_a_revoked_personal_token_is_refused_at_once(staff):
    raw = api_token(staff)
    client = bearer(raw)
    assert client.get("/api/v1/institutions/").status_code == 200
    token = PersonalToken.objects.get(user=staff)
    services.personal_token_revoke(token=token, actor=staff)
    assert client.get("/api/v1/institutions/").status_code == 401
    assert AuditEntry.objects.filter(action="token.personal_revoked", target_id=str(token.pk)).exists()
    services.personal_token_revoke(token=token, actor=staff)  # a repeat changes nothing
    assert AuditEntry.objects.filter(action="token.personal_revoked").count() == 1


def test_an_unknown_token_is_refused_with_401_and_a_bearer_challenge(regions):
    response = bearer("tuoyu_nothing").get("/api/v1/institutions/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_read_only_token_cannot_write(staff, institution):
    raw = api_token(staff, scopes=["institutions:read", "filings:read"])
    client = bearer(raw)
    assert client.get(f"/api/v1/institutions/{institution.pk}/").status_code == 200
    response = client.patch(f"/api/v1/institutions/{institution.pk}/", {"phone": "0311-1"})
    assert response.status_code == 403
    assert "institutions:write" in response.json()["error"]["message"]
    assert client.post("/api/v1/filings/", {"institution": institution.pk, "kind": "initial"}).status_code == 403


def test_a_token_without_the_area_scope_cannot_read_it(county_official):
    client = bearer(api_token(county_official, scopes=["filings:read"]))
    assert client.get("/api/v1/filings/").status_code == 200
    response = client.get("/api/v1/metrics/snapshots/")
    assert response.status_code == 403 and "metrics:read" in response.json()["error"]["message"]
    assert client.get("/api/v1/me/").status_code == 200  # the caller themself: any token


def test_an_out_of_area_object_is_404_through_a_token(county_official, other_institution, institution):
    client = bearer(api_token(county_official))
    assert client.get(f"/api/v1/institutions/{institution.pk}/").status_code == 200
    assert client.get(f"/api/v1/institutions/{other_institution.pk}/").status_code == 404


def test_a_client_token_is_bounded_by_its_service_accounts_area(county_system, institution, other_institution):
    client, secret = county_system
    raw = client_credentials(client.application.client_id, secret).json()["access_token"]
    assert bearer(raw).get("/api/v1/metrics/regions/130102/").status_code in (200, 404)
    assert bearer(raw).get("/api/v1/metrics/regions/130502/").status_code == 404
    assert bearer(raw).get(f"/api/v1/institutions/{other_institution.pk}/").status_code == 403  # no scope


def test_a_deactivated_owner_makes_the_token_useless(staff):
    client = bearer(api_token(staff))
    assert client.get("/api/v1/me/").status_code == 200
    User.objects.filter(pk=staff.pk).update(is_active=False)
    assert client.get("/api/v1/me/").status_code == 401


# --- Nothing recoverable at rest ------------------------------------------------------------------

def test_tokens_and_secrets_are_not_recoverable_from_the_database(staff, county_system):
    from django.db import connection

    raw = api_token(staff)
    client, secret = county_system
    issued = client_credentials(client.application.client_id, secret).json()["access_token"]
    for token in AccessToken.objects.all():
        assert token.token == ""  # hashed at rest: only the checksum is kept
        assert token.token_checksum in (checksum(raw), checksum(issued))
    application = Application.objects.get(pk=client.application_id)
    assert application.client_secret != secret and check_password(secret, application.client_secret)
    with connection.cursor() as cursor:
        for table in ("oauth2_provider_accesstoken", "accounts_personaltoken", "oauth2_provider_application",
                      "audit_auditentry"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 — fixed table names
            dump = repr(cursor.fetchall())
            assert raw not in dump and issued not in dump and secret not in dump
    assert PersonalToken.objects.get(user=staff).hint == raw[:10]


@pytest.mark.django_db(transaction=True)  # committed: a transaction that wrote the token does not use the cache
def test_the_cache_holds_no_usable_token(staff, require_redis, settings):
    settings.API_CACHE_SECONDS = 120
    from django.core.cache import cache

    raw = api_token(staff)
    assert bearer(raw).get("/api/v1/institutions/").status_code == 200
    client = cache._cache.get_client()  # the raw Redis connection of django's cache
    keys = [k.decode() for k in client.keys("*")]
    assert keys and not any(raw in k for k in keys)
    assert not any(raw.encode() in (client.get(k) or b"") for k in client.keys("*") if client.type(k) == b"string")


# --- The security page -----------------------------------------------------------------------------

def test_a_person_creates_a_token_on_the_security_page_and_sees_it_once(client, staff):
    client.force_login(staff)
    response = client.post("/accounts/security/tokens/", {"name": "导出脚本", "scopes": ["institutions:read"],
                                                         "days": "30"})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("tuoyu_") and raw in response.content.decode()
    assert bearer(raw).get("/api/v1/institutions/").status_code == 200
    again = client.get("/accounts/security/").content.decode()
    assert raw not in again and "导出脚本" in again and raw[:10] in again
    entry = AuditEntry.objects.get(action="token.personal_created")
    assert entry.actor == staff and entry.after["scopes"] == "institutions:read"


def test_the_security_page_shows_when_a_token_was_last_used(client, staff):
    raw = api_token(staff)
    bearer(raw).get("/api/v1/me/")
    client.force_login(staff)
    page = client.get("/accounts/security/")
    assert page.context["personal_tokens"][0].last_used_at is not None


def test_a_token_longer_than_allowed_is_refused_naming_the_field(client, staff):
    client.force_login(staff)
    response = client.post("/accounts/security/tokens/", {"name": "x", "scopes": ["institutions:read"],
                                                         "days": "4000"})
    assert response.status_code == 400
    assert "days" in response.context["token_form"].errors
    assert not PersonalToken.objects.exists()


def test_nobody_revokes_someone_elses_token_on_the_page(client, staff, other_staff):
    api_token(other_staff)
    token = PersonalToken.objects.get(user=other_staff)
    client.force_login(staff)
    assert client.post(f"/accounts/security/tokens/{token.pk}/revoke/").status_code == 404
    assert PersonalToken.objects.get(pk=token.pk).revoked_at is None


def test_the_api_lists_and_revokes_own_tokens(staff, other_staff):
    raw = api_token(staff)
    api_token(other_staff)
    client = bearer(raw)
    listed = client.get("/api/v1/me/tokens/").json()
    assert len(listed) == 1 and "token" not in listed[0]
    other = PersonalToken.objects.get(user=other_staff)
    assert bearer(raw).post(f"/api/v1/me/tokens/{other.pk}/revoke/").status_code == 404
    own = PersonalToken.objects.get(user=staff)
    assert bearer(raw).post(f"/api/v1/me/tokens/{own.pk}/revoke/").status_code == 200
    assert bearer(raw).get("/api/v1/me/").status_code == 401


# --- /me ------------------------------------------------------------------------------------------

def test_me_says_admin_for_a_superuser(api_client, db):
    root = User.objects.create_superuser("root2", password="x-very-long-password-1")
    legacy = User.objects.create(username="legacy-root", is_superuser=True, is_staff=True)  # role field "staff"
    for user in (root, legacy):
        api_client.force_authenticate(user)
        assert api_client.get("/api/v1/me/").json()["role"] == "admin"
    assert root.role == "admin"


# --- Every API view is in a scoped area ------------------------------------------------------------

def _api_views():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and (prefix + str(p.pattern)).startswith("api/v1/"):
                cls = getattr(p.callback, "cls", None) or getattr(p.callback, "view_class", None)
                if cls is not None:
                    yield prefix + str(p.pattern), cls

    return list(walk(get_resolver().url_patterns))


def test_every_api_view_belongs_to_a_scoped_area():
    unknown = []
    for route, cls in _api_views():
        if not issubclass(cls, APIView):
            continue  # the schema and docs views, and the OAuth endpoints themselves
        area = area_of(cls())
        if area not in API_AREAS and area != SELF_AREA and not route.startswith(("api/v1/schema", "api/v1/docs",
                                                                                 "api/v1/redoc")):
            unknown.append(f"{route} ({cls.__module__}: {area})")
    assert unknown == [], "set api_area or add the area to accounts/scopes.py: " + ", ".join(unknown)
    assert len(ALL_SCOPES) == 2 * len(API_AREAS)
