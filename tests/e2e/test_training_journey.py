"""Caregiver training end to end: an institution's staff member registers a caregiver for a guidance-centre
course on a phone (390 px, Simplified Chinese); the city official records the attendance and issues the
certificate on a desktop (1366 px, English); the trained-caregiver figures change on both sides."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from institutions.models import GuidanceCentre, StaffMember
from tests.e2e.crawl import Visit, check_axe, check_overflow, check_title, check_words
from tests.factories import StaffMemberFactory, UserFactory
from training.models import Course

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _go(page, locator) -> None:
    with page.expect_navigation(wait_until="domcontentloaded", timeout=30000):
        locator.click()


def _checked(page, role: str, lang: str, width: int) -> None:
    """The crawl's own page checks (overflow, English words on a Chinese page, title, axe) on this page."""
    visit = Visit(role=role, lang=lang, width=width, url=page.url, status=200)
    problems = [p for check in (check_overflow, check_words, check_title, check_axe) for p in check(page, visit)]
    assert problems == [], f"{page.url}: {problems}"


def test_register_attend_certify_and_the_figures_change(browser, phone_page, live_server, institution, staff):
    today = timezone.localdate()
    centre = GuidanceCentre.objects.create(city_id="1301", name="石家庄市托育指导中心", host="石家庄市妇幼保健院")
    course = Course.objects.create(centre=centre, kind=Course.Kind.BASIC, title="保育人员岗前基础培训",
                                   starts_on=today + datetime.timedelta(days=7),
                                   ends_on=today + datetime.timedelta(days=8), hours=16, capacity=30)
    member = StaffMemberFactory(institution=institution, name="王保育", role=StaffMember.Role.CAREGIVER)
    StaffMemberFactory(institution=institution, name="李育婴", role=StaffMember.Role.TEACHER)
    official = UserFactory(username="sjz_official", role="official", region_id="1301", first_name="石家庄市卫健委")

    # The institution's staff, on a phone in Chinese: from the navigation to the course, register 王保育.
    page = phone_page
    login(page, live_server, staff.username)
    page.locator(".main-nav a", has_text="培训").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_test_id("institution-training-figure").inner_text().startswith("0 / 2")
    _go(page, page.get_by_test_id("open-courses").get_by_role("link", name="保育人员岗前基础培训"))
    form = page.get_by_test_id("register-form")
    form.locator("select[name=staff_member]").select_option(str(member.pk))
    _go(page, form.get_by_role("button", name="报名"))
    assert "王保育 已报名该课程" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("course-places").inner_text() == "1 / 30"
    _checked(page, "staff", "zh-hans", 390)
    screenshot(page, "training-register-phone")

    # The course takes place (two days, ended yesterday).
    Course.objects.filter(pk=course.pk).update(starts_on=today - datetime.timedelta(days=2),
                                               ends_on=today - datetime.timedelta(days=1))

    # The city official, on a desktop in English: attendance, then the certificate.
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    desk = context.new_page()
    try:
        login(desk, live_server, official.username)
        _go(desk, desk.locator(".main-nav a", has_text="Training"))
        assert desk.get_by_test_id("training-total").inner_text().startswith("0 / 2")
        _go(desk, desk.get_by_test_id("training-courses").get_by_role("link", name="保育人员岗前基础培训"))
        row = desk.get_by_test_id("registrations").locator("tr", has_text="王保育")
        row.locator("select[name=attended]").select_option("yes")
        row.locator("input[name=hours]").fill("16")
        _go(desk, row.get_by_role("button", name="Record"))
        assert "Attendance of 王保育 recorded" in desk.locator(".messages").inner_text()
        row = desk.get_by_test_id("registrations").locator("tr", has_text="王保育")
        _go(desk, row.get_by_role("button", name="Issue certificate"))
        expires = today.replace(year=today.year + 3).isoformat()
        assert f"valid until {expires}" in desk.locator(".messages").inner_text()
        screenshot(desk, "training-certificate-desktop")
        _go(desk, desk.locator(".breadcrumbs a", has_text="Caregiver training"))
        assert desk.get_by_test_id("training-total").inner_text().startswith("1 / 2")
        _checked(desk, "city official", "en", 1366)
        screenshot(desk, "training-figures-desktop")
    finally:
        context.close()

    # Back on the phone: the institution's own page counts its trained caregiver, with the certificate.
    page.goto(f"{live_server.url}/institutions/mine/")
    assert page.get_by_test_id("institution-training-figure").inner_text().startswith("1 / 2")
    page.goto(f"{live_server.url}/training/")
    assert "PX1301-" in page.get_by_test_id("my-registrations").inner_text()
    _checked(page, "staff", "zh-hans", 390)
    screenshot(page, "training-figures-phone")
