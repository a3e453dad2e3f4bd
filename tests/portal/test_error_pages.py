"""The error pages are the portal's own, in the user's language, and render without the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from portal import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    return settings


@pytest.mark.parametrize("lang,heading", [("zh-hans", "页面不存在"), ("en", "This page does not exist")])
def test_a_missing_page_is_the_portals_404_in_the_users_language(client, production, lang, heading):
    client.cookies["django_language"] = lang
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-page"' in html and heading in html
    assert f'<html lang="{lang}">' in html


def test_a_foreign_object_is_the_portals_404(client, production, staff, other_institution):
    client.force_login(staff)
    response = client.get(f"/institutions/{other_institution.pk}/")
    assert response.status_code == 404
    assert 'data-testid="error-page"' in response.content.decode()


def test_a_forbidden_action_is_the_portals_403():
    request = RequestFactory().get("/somewhere/")
    with translation.override("zh-hans"):
        response = views.handler403(request, PermissionDenied())
    assert response.status_code == 403
    assert "您无权进行此操作" in response.content.decode()


def test_a_server_error_is_the_portals_500_and_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/filings/1/")
    with translation.override("en"), django_assert_num_queries(0):
        response = views.handler500(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.parametrize("lang,heading", [("zh-hans", "暂时无法访问"), ("en", "Briefly unavailable")])
def test_the_unavailable_page_renders_without_a_request_or_the_database(django_assert_num_queries, lang, heading):
    with translation.override(lang), django_assert_num_queries(0):
        html = render_to_string("503.html", {"retry_after": 15})
    assert heading in html and 'data-status="503"' in html and 'content="15"' in html


def test_api_errors_keep_the_api_format(client, production):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
