"""The pair's API (goals, visits, outcome, figures) and its page, in the language asked for."""

import datetime

import pytest
from django.urls import reverse

from mentoring.models import Goal, Visit

pytestmark = pytest.mark.django_db


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_api_visit_goal_close_and_a_closed_pair_refuses(api_client, pair, staff, city_official):
    base = f"/api/v1/mentoring-pairs/{pair.pk}"
    response = _as(api_client, staff).post(f"{base}/visits/", {
        "visited_on": "2026-04-10", "visitors": "王丽（保健员）", "changes": "晨检表已上墙"}, format="json")
    assert response.status_code == 201, response.content
    assert api_client.post(f"{base}/goals/", {"text": "x"}, format="json").status_code == 403
    goal = _as(api_client, city_official).post(f"{base}/goals/", {"text": "建立晨午检制度"}, format="json").json()
    assert api_client.get(f"{base}/outcome/").status_code == 404
    closed = api_client.post(f"{base}/outcome/", {"ended_on": "2026-11-20", "result": "improved",
                                                  "summary": "晨午检规范", "reached_goals": [goal["id"]]},
                             format="json")
    assert closed.status_code == 201, closed.content
    assert (closed.json()["ended_on"], closed.json()["goals_reached"]) == ("2026-11-20", [goal["id"]])
    again = _as(api_client, staff).post(f"{base}/visits/", {"visited_on": "2026-11-21", "visitors": "王丽"},
                                        format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert Visit.objects.count() == 1 and Goal.objects.get().reached


def test_api_figures_of_the_callers_area_and_not_beyond(api_client, pair, city_official, other_city_official):
    body = _as(api_client, city_official).get("/api/v1/mentoring-figures/", {"on": "2026-12-01"}).json()
    assert body["region"] == "1301" and body["total"]["active"] == 1
    assert {r["code"]: r["active"] for r in body["regions"]} == {"130102": 0, "130104": 1}
    assert api_client.get("/api/v1/mentoring-figures/", {"region": ""}).status_code == 400
    assert api_client.get("/api/v1/mentoring-figures/", {"on": ""}).status_code == 400
    assert _as(api_client, other_city_official).get("/api/v1/mentoring-figures/", {"region": "1301"}).status_code == 404


def test_the_pair_page_shows_the_forms_of_each_role_in_chinese(client, pair, staff, city_official, mentee_staff):
    url = reverse("mentoring:pair", args=[pair.pk])
    client.force_login(staff)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="visit-form"' in page and 'data-testid="close-form"' not in page
    assert "记录一次走访" in page
    response = client.post(reverse("mentoring:visit_add", args=[pair.pk]),
                           {"visited_on": "2026-05-06", "visitors": "王丽", "notes": "示范", "changes": ""},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302 and Visit.objects.filter(pair=pair).count() == 1
    client.force_login(mentee_staff)
    assert client.post(reverse("mentoring:visit_add", args=[pair.pk]), {}).status_code == 403
    client.force_login(city_official)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="close-form"' in page and 'data-testid="visit-form"' not in page
    response = client.post(reverse("mentoring:close", args=[pair.pk]),
                           {"ended_on": "2026-02-01", "result": "improved", "summary": "好"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "结束日期不能早于 2026-05-06" in response.content.decode()
    pair.refresh_from_db()
    assert pair.ended_on is None
    assert datetime.date(2026, 3, 1) == pair.started_on
