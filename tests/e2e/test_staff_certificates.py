"""A staff member's certificate history on a phone (390 px, Simplified Chinese): from the institution's staff
list to the member's certificates, a renewed health certificate recorded beside the old one."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from institutions import services
from tests.factories import StaffMemberFactory

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _go(page, locator) -> None:
    with page.expect_navigation(wait_until="domcontentloaded", timeout=30000):
        locator.click()


def test_staff_record_a_renewed_certificate_on_a_phone(phone_page, live_server, institution, staff):
    today = timezone.localdate()
    member = StaffMemberFactory(institution=institution, name="王保育")
    services.staff_certificate_record(member=member, kind="health", number="JK-2025-001",
                                      issued_on=today - datetime.timedelta(days=355),
                                      expires_on=today + datetime.timedelta(days=10), actor=staff)
    page = phone_page
    login(page, live_server, staff.username)
    page.goto(f"{live_server.url}/institutions/mine/")
    _go(page, page.locator(f"a[href$='/institutions/mine/staff/{member.pk}/certificates/']"))
    form = page.get_by_test_id("certificate-form")
    form.locator("select[name=kind]").select_option("health")
    form.locator("input[name=number]").fill("JK-2026-017")
    form.locator("input[name=issued_on]").fill(today.isoformat())
    form.locator("input[name=expires_on]").fill((today + datetime.timedelta(days=365)).isoformat())
    _go(page, form.locator("button[type=submit]"))
    history = page.get_by_test_id("certificate-history").inner_text()
    assert "JK-2025-001" in history and "JK-2026-017" in history and "健康证明" in history
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    member.refresh_from_db()
    assert member.health_certificate_expires_on == today + datetime.timedelta(days=365)
    screenshot(page, "staff-certificates-phone")
