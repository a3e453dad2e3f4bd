"""An official writes a new checklist version on a phone (390 px, Simplified Chinese): from the checklist
list, a copy of the latest version opens; a row with an error is named in the summary; fixed, the new
version is saved and shown on the list."""

from __future__ import annotations

import pytest

from supervision import services
from supervision.models import Checklist

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _go(page, locator) -> None:
    with page.expect_navigation(wait_until="domcontentloaded", timeout=30000):
        locator.click()


def test_an_official_writes_a_new_checklist_version_on_a_phone(phone_page, live_server, regions, county_official):
    services.checklists_ensure_shipped()  # the live server's database is emptied between tests
    page = phone_page
    login(page, live_server, county_official.username)
    page.goto(f"{live_server.url}/supervision/checklists/")
    _go(page, page.locator("a[href$='/supervision/checklists/health-safety/new-version/']"))
    form = page.get_by_test_id("checklist-version-form")
    assert form.locator("input[name='items-0-code']").input_value() == "HS-01"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    form.locator("select[name='items-0-risk']").select_option("high")
    new = form.locator("input[name='items-17-code']")
    new.fill("HS-18")
    form.locator("input[name='items-17-area']").fill("安全防护")
    form.locator("select[name='items-17-risk']").select_option("medium")  # no requirement text: an error
    _go(page, form.locator("button[type=submit]"))
    summary = page.get_by_test_id("error-summary")
    assert "第18项" in summary.inner_text() and "HS-18" in summary.inner_text()
    screenshot(page, "checklist-version-error-phone")

    page.get_by_test_id("checklist-version-form").locator("textarea[name='items-17-text']").fill("午睡室每30分钟巡查并记录")
    _go(page, page.get_by_test_id("checklist-version-form").locator("button[type=submit]"))
    newer = Checklist.objects.get(code="health-safety", version=2)
    assert newer.items.get(code="HS-01").risk == "high" and newer.items.count() == 18
    assert "托育机构卫生与安全检查表 v2" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.goto(f"{live_server.url}/supervision/checklists/health-safety/new-version/")
    screenshot(page, "checklist-version-phone")
