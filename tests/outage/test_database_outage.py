"""PostgreSQL unreachable for a while: pages, the API and /healthz answer 503 with Retry-After (the portal's
own page, in the user's language), and once it is reachable again not one request fails.

Real parts: gunicorn serving the portal through a TCP proxy of the test's own in front of the test
database; the proxy drops every connection and refuses new ones (as a restart does), then accepts again.
Before: 12 of 33 API calls answered 503 in the 19 s after a 2 s restart (broken pooled connections handed
out), and /healthz and the pages answered 500 while the database was down.
"""

import time

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.factories import UserFactory, api_token

from .faults import TcpProxy, app_env, kill_group, record_figures, session_cookie, start_web

pytestmark = pytest.mark.services


def test_pages_api_and_healthz_answer_503_while_the_database_is_away_and_nothing_fails_after(
        require_postgresql, transactional_db, regions):
    official = UserFactory(username="county_pg", role="official", region_id="130102")
    token = api_token(UserFactory(username="province_pg", role="official", region_id="13"))
    proxy = TcpProxy(int(connection.settings_dict.get("PORT") or 5432), connection.settings_dict.get("HOST") or
                     "127.0.0.1")
    env = app_env(redis=None, db_port=proxy.port, DJANGO_DEBUG=0, DJANGO_SECRET_KEY=settings.SECRET_KEY,
                  PII_KEY=settings.PII_KEY, DJANGO_SECURE_SSL_REDIRECT=0, DJANGO_SECURE_COOKIES=0,
                  DJANGO_HSTS_SECONDS=0, DJANGO_ALLOWED_HOSTS="127.0.0.1", DATABASE_POOL_TIMEOUT=1,
                  DATABASE_CONNECT_TIMEOUT=2, API_CACHE_SECONDS=0)
    web, base = start_web(env)
    page = requests.Session()
    page.cookies.update(session_cookie(official))
    english = requests.Session()
    english.cookies.update({**session_cookie(official), "django_language": "en"})
    api_headers = {"Authorization": f"Bearer {token}"}
    # Each of these reads the database (sessions and token lookups may come from the cache).
    calls = [("page", lambda: page.get(f"{base}/metrics/recompute/", timeout=30)),
             ("page, English", lambda: english.get(f"{base}/metrics/recompute/", timeout=30)),
             ("API", lambda: requests.get(f"{base}/api/v1/metrics/regions/", timeout=30,
                                          headers={**api_headers, "Cache-Control": "no-cache"})),
             ("healthz", lambda: requests.get(f"{base}/healthz", timeout=30))]
    made = {"down": 0, "after": 0}
    wrong = {"down": [], "after": []}
    try:
        assert all(call().status_code == 200 for _, call in calls)
        proxy.cut()
        down_at = time.monotonic()
        bodies = {}
        while time.monotonic() - down_at < 6:
            for name, call in calls:
                response = call()
                made["down"] += 1
                bodies[name] = response.text
                if response.status_code != 503 or not response.headers.get("Retry-After"):
                    wrong["down"].append((name, response.status_code))
        proxy.restore()
        back_at = time.monotonic()
        while time.monotonic() - back_at < 5:
            for name, call in calls:
                response = call()
                made["after"] += 1
                if response.status_code != 200:
                    wrong["after"].append((name, response.status_code, round(time.monotonic() - back_at, 2),
                                           response.text[:200]))
    finally:
        kill_group(web)
        proxy.close()
    record_figures("PostgreSQL unreachable for 6 s", requests=sum(made.values()), requests_while_down=made["down"],
                   non_503_while_down=len(wrong["down"]), requests_after=made["after"],
                   errors_after=len(wrong["after"]))
    assert wrong["down"] == []
    assert "暂时无法访问" in bodies["page"] and "Briefly unavailable" in bodies["page, English"]
    assert "service_unavailable" in bodies["healthz"] or "database_unavailable" in bodies["healthz"]
    assert wrong["after"] == []
