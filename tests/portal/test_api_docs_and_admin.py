import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_api_documentation_is_served_offline(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == [], f"no CDN: {external}"
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(src.startswith("/") for src in scripts)


def test_redoc_bundle_is_served_without_its_cdn_logo(client):
    response = client.get("/api/v1/redoc/redoc.standalone.js")
    assert response.status_code == 200
    bundle = response.content.decode()
    assert "Redoc" in bundle and "API docs by Redocly" in bundle
    assert "cdn.redoc.ly" not in bundle


def test_schema_is_public_openapi(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/", "/admin/regions/region/",
                                  "/admin/institutions/institution/", "/admin/audit/auditentry/"])
def test_admin_works_for_administrators(client, admin_user, regions, path):
    client.force_login(admin_user)
    assert client.get(path).status_code == 200


def test_admin_is_closed_to_officials(client, province_official):
    client.force_login(province_official)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_healthz_checks_the_database(client):
    assert client.get("/healthz").json() == {"status": "ok", "outbox_pending": 0}


def test_pages_are_chinese_by_default_and_english_on_request(client):
    assert "登录" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Sign in" in client.get("/").content.decode()


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client):
    assert "登录" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()


def test_api_clients_may_ask_for_english_errors(client):
    body = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["error"]["message"] == "Authentication credentials were not provided."
