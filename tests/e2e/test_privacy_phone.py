"""On a 390 px phone in Simplified Chinese: enrolling a child records the guardian's consent, shown on
the child's page; a bulk export asked by one member of staff is approved by another and downloaded once."""

import pytest
from django.utils import timezone

from enrolments.models import Child, ExportApproval, ExportLog
from institutions.models import InstitutionClass
from tests.enrolments.helpers import born_months_ago, resident_id
from tests.factories import InstitutionClassFactory, UserFactory

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_enrolling_on_a_phone_records_and_shows_the_guardians_consent(phone_page, live_server, staff, institution):
    page = phone_page
    klass = InstitutionClassFactory(institution=institution, name="托大一班",
                                    class_type=InstitutionClass.ClassType.OLDER, places=20, caregivers=3)
    born = born_months_ago(26)
    today = timezone.localdate().isoformat()
    login(page, live_server, staff.username)
    page.goto(f"{live_server.url}/enrolments/enrol/")
    page.fill("input[name=name]", "周小雨")
    page.select_option("select[name=sex]", "male")
    page.fill("input[name=date_of_birth]", born.isoformat())
    page.fill("input[name=document_number]", resident_id(born))
    page.fill("input[name=guardian_name]", "周强")
    page.select_option("select[name=guardian_relation]", "father")
    page.fill("input[name=guardian_phone]", "13800001111")
    page.select_option("select[name=klass]", str(klass.pk))
    page.select_option("select[name=care_form]", "full_day")
    page.fill("input[name=start_date]", today)
    page.click("form button[type=submit].primary")  # no consent yet: refused, the field says why
    page.wait_for_load_state("networkidle")
    assert page.locator(".has-error select[name=consent_method]").count() == 1
    assert not Child.objects.exists()
    page.select_option("select[name=consent_method]", "written")
    page.fill("input[name=consent_given_on]", today)
    page.click("form button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    child = Child.objects.get()
    page.goto(f"{live_server.url}/enrolments/children/{child.pk}/")
    consent = page.get_by_test_id("consent")
    assert "书面" in consent.inner_text() and "周强" in consent.inner_text()
    assert _no_horizontal_scroll(page)
    screenshot(page, "child-consent-phone")


def test_a_bulk_export_is_approved_by_a_colleague_and_downloaded_once(phone_page, live_server, staff, institution,
                                                                       settings):
    settings.CHILD_EXPORT_APPROVAL_ROWS = -1  # every export is bulk here
    colleague = UserFactory(username="staff_a2", institution=institution)
    page = phone_page
    login(page, live_server, staff.username)
    page.goto(f"{live_server.url}/enrolments/export/")
    page.fill("input[name=purpose]", "转园材料核对")
    page.click("form.card button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    approval = ExportApproval.objects.get()
    assert approval.status == "pending" and _no_horizontal_scroll(page)
    page.context.clear_cookies()
    login(page, live_server, colleague.username)
    page.goto(f"{live_server.url}/enrolments/export/")
    page.get_by_test_id(f"approval-{approval.pk}").locator("button[name=approve][value='1']").click()
    page.wait_for_load_state("networkidle")
    assert ExportApproval.objects.get().status == "approved"
    screenshot(page, "export-approval-phone")
    page.context.clear_cookies()
    login(page, live_server, staff.username)
    page.goto(f"{live_server.url}/enrolments/export/")
    with page.expect_download() as download:
        page.get_by_test_id(f"approval-{approval.pk}").locator("button").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert ExportLog.objects.get().approval_id == approval.pk
    assert ExportApproval.objects.get().status == "downloaded"
