"""The crawl: every demo role, every page its navigation and home lead to, in both languages, on a
desktop and on a phone (see crawl.py for what each page is checked for).

One seeded demo database serves the whole module, behind a live server of its own that runs with
DEBUG off, as production does (the portal's own error pages, no debug pages). The database is emptied
again afterwards, so the tests that follow start clean.
"""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import reset_sequences

from .crawl import LANGUAGES, WIDTHS, crawl_role, write_summary

# The django_db mark makes pytest-django create the test database (it creates none for a session whose
# tests do not ask for one). Each test's own transaction is on the test's connection and stays empty;
# the live server's thread reads the demo through a connection of its own.
pytestmark = [pytest.mark.e2e, pytest.mark.crawl, pytest.mark.django_db]

_crawls = []


@pytest.fixture(scope="module")
def demo_server(django_db_setup, django_db_blocker, require_postgresql_module):
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    from portal.demo import DEMO_PASSWORD, seed_all

    with django_db_blocker.unblock(), override_settings(DEBUG=False):
        # Never seed (and afterwards empty) anything but a test database.
        assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
        # What the migrations wrote (beat entries, holidays...): flush empties it with the demo, and the
        # tests after this module expect it, so it is put back afterwards as serialized rollback does.
        migrated = connection.creation.serialize_db_to_string()
        started = time.monotonic()
        ctx = seed_all(io.StringIO())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as seed_demo does: pages are planned for the seeded tables' real sizes
        seeded_in = time.monotonic() - started
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield {"url": server.url, "password": DEMO_PASSWORD, "accounts": [u for u, _ in ctx.accounts],
                   "seeded_in": seeded_in}
        finally:
            server.stop()
            server._live_server_modified_settings.disable()
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(migrated)
            reset_sequences(connection)
            if _crawls:
                summary = write_summary(_crawls)
                print(f"\ncrawl: {summary['pages']} pages, {summary['visits']} visits "
                      f"({len(LANGUAGES)} languages x {len(WIDTHS)} widths), slowest load "
                      f"{summary['slowest'][0]['load_ms'] if summary['slowest'] else 0} ms "
                      f"({summary['slowest'][0]['where'] if summary['slowest'] else '-'}); seeded in {seeded_in:.0f}s; "
                      f"seconds by step: {summary['seconds_by_step']}")


@pytest.fixture(scope="module")
def require_postgresql_module():
    from django.db import connection

    from tests.conftest import require_service

    require_service(connection.vendor == "postgresql", "PostgreSQL (the demo seed needs it)")


# Every account `seed_demo` prints, and the public; the test fails if the demo gains an account the
# crawl does not know (add it here).
ROLES = ["public", "admin", "hebei", "shijiazhuang", "changan", "changan-town", "xingtai", "qiaoxi",
         "benyi", "newcentre", "changan-staff", "changan-inspector1", "xingtai-mentor"]
# Demo accounts that see exactly the pages of one crawled account (same role, region and kind of work).
TWINS = {"changan-inspector2": "changan-inspector1"}
# The officials of the other cities and counties are crawled by test_crawl_areas.py, on a demo of its own,
# so that two test workers share the crawl's time.
AREA_ROLES = ["shijiazhuang", "xingtai", "qiaoxi", "changan", "changan-inspector1"]


def test_the_crawl_covers_every_demo_account(demo_server):
    crawled = [a for a in demo_server["accounts"] if a not in TWINS]
    assert sorted(crawled) == sorted(r for r in ROLES if r != "public")
    assert set(TWINS.values()) <= set(ROLES)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in AREA_ROLES])
def test_role_pages_work_in_both_languages_on_desktop_and_phone(browser, demo_server, role):
    crawl_and_check(browser, demo_server, role)


def crawl_and_check(browser, demo_server, role: str) -> None:
    crawl = crawl_role(browser, demo_server["url"], None if role == "public" else role, demo_server["password"])
    _crawls.append(crawl)
    assert len(crawl.pages) >= 3, f"{role} reached only {crawl.pages}"
    problems = crawl.problems
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_error_pages_are_the_portals_own_in_both_languages(browser, demo_server):
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        for lang, heading in (("zh-hans", "页面不存在"), ("en", "This page does not exist")):
            context.add_cookies([{"name": "django_language", "value": lang, "domain": "localhost", "path": "/"}])
            response = page.goto(f"{demo_server['url']}/no-such-page/")
            assert response.status == 404
            assert page.get_by_test_id("error-page").is_visible()
            assert heading in page.locator("h1").inner_text()
    finally:
        context.close()
