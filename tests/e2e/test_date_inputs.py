"""In Simplified Chinese the browser accepts the server's dates: the date inputs of the recompute and
withdraw forms are filled in (not shown empty), valid, and submit without touching them."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from enrolments import services
from enrolments.models import Enrolment
from tests.factories import InstitutionClassFactory
from tests.helpers import guardian_consent

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _date_input_state(page, selector: str) -> dict:
    return page.eval_on_selector(selector, "e => ({value: e.value, valid: e.validity.valid, type: e.type})")


def test_recompute_form_date_is_accepted_by_the_browser_in_chinese(page, live_server, regions, city_official):
    login(page, live_server, city_official.username)
    page.goto(f"{live_server.url}/metrics/recompute/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    state = _date_input_state(page, "input[name=date]")
    assert state == {"value": timezone.localdate().isoformat(), "valid": True, "type": "date"}
    screenshot(page, "recompute-form-zh-hans")
    page.get_by_test_id("recompute-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/metrics/recompute/[0-9a-f-]{36}/"))
    assert "该字段是必填项" not in page.content()


def test_withdraw_form_date_is_accepted_and_submits_in_chinese(page, live_server, regions, institution, staff):
    klass = InstitutionClassFactory(institution=institution, class_type="older", places=20, caregivers=3)
    child = services.child_register(
        institution=institution, name="李小明", sex="male",
        date_of_birth=timezone.localdate() - datetime.timedelta(days=800), document_type="passport",
        document_number="E12345678", guardians=[{"name": "王芳", "relation": "mother", "phone": "13900000000"}],
        consent=guardian_consent(), actor=staff)
    enrolment = services.enrolment_create(child=child, klass=klass, care_form="full_day",
                                          start_date=timezone.localdate() - datetime.timedelta(days=30), actor=staff)

    login(page, live_server, staff.username)
    page.goto(f"{live_server.url}/enrolments/enrolment/{enrolment.pk}/withdraw/")
    state = _date_input_state(page, "input[name=end_date]")
    assert state == {"value": timezone.localdate().isoformat(), "valid": True, "type": "date"}
    page.select_option("select[name=reason]", "moved_away")
    screenshot(page, "withdraw-form-zh-hans")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/enrolments/$"))
    assert "该字段是必填项" not in page.content()
    assert Enrolment.objects.get(pk=enrolment.pk).end_date == timezone.localdate()
