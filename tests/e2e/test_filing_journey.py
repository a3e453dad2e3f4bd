"""The filing journey in a real browser: staff register an institution, add a class, upload documents
and submit; the county official returns it with a comment; staff correct and resubmit; the official
files it; the receipt page and the public register show it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from filings.models import Filing
from institutions.models import Institution
from tests.factories import UserFactory, make_credit_code

from .conftest import fill_institution_form, login, screenshot

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NAME = "长安区小橡树托育中心"


def _click_and_wait(page, locator) -> None:
    """Clicks and waits for the page it leads to. Not for "load" or network idle: the review page's PDF
    previews (iframes) keep loading, and on a busy machine that took longer than the timeout."""
    with page.expect_navigation(wait_until="domcontentloaded", timeout=30000):
        locator.click()


def _click_and_wait_for_status(page, locator, filing: Filing, status: str) -> None:
    """Clicks one of the filing's actions; the filing is then in `status`."""
    _click_and_wait(page, locator)
    filing.refresh_from_db()
    assert filing.status == status


def _logout(page) -> None:
    _click_and_wait(page, page.locator("form[action$='/logout/'] button[type=submit]"))


def _upload(page, kind: str, filename: str, *, lease: str = "", rated: str = "") -> None:
    form = page.get_by_test_id("upload-form")
    form.locator("select[name=kind]").select_option(kind)
    form.locator("input[name=file]").set_input_files(
        {"name": filename, "mimeType": "application/pdf", "buffer": PDF})
    if lease:
        form.locator("input[name=lease_ends_on]").fill(lease)
    if rated:
        form.locator("select[name=rated_pass]").select_option(rated)
    _click_and_wait(page, form.locator("button[type=submit]"))


def _register_institution(page, live_server, staff) -> Institution:
    try:
        reverse("institutions:create")
    except NoReverseMatch:  # the registry pages are not there: register through the service instead
        from institutions import services as registry

        institution = registry.institution_create(
            actor=staff, name=NAME, credit_code=make_credit_code("130102"), legal_form="forprofit",
            setting_type="standalone", region_id="130102001", address="长安区中山东路1号", full_day=True,
            legal_representative="王五", person_in_charge="赵六", person_in_charge_phone="13900000000")
        registry.class_add(institution=institution, actor=staff, name="托大一班", class_type="older", places=20,
                           caregivers=3)
        return institution
    page.goto(f"{live_server.url}{reverse('institutions:create')}")
    fill_institution_form(page, name=NAME, address="长安区中山东路1号")
    _click_and_wait(page, page.locator("main form button[type=submit].primary"))
    institution = Institution.objects.get(name=NAME)
    page.goto(f"{live_server.url}{reverse('institutions:class_add')}")
    page.fill("input[name=name]", "托大一班")
    page.select_option("select[name=class_type]", "older")
    page.fill("input[name=places]", "20")
    page.fill("input[name=caregivers]", "3")
    _click_and_wait(page, page.locator("main form button[type=submit].primary"))
    assert institution.classes.count() == 1
    return institution


def test_staff_file_an_institution_and_the_county_returns_then_files_it(page, live_server, regions,
                                                                         county_official):
    staff = UserFactory(username="oak_staff")
    login(page, live_server, staff.username)
    institution = _register_institution(page, live_server, staff)
    assert institution.status == Institution.Status.DRAFT

    # Staff: a new initial filing, its documents, submit.
    page.goto(f"{live_server.url}{reverse('filings:mine')}")
    page.select_option("select[name=kind]", "initial")
    _click_and_wait(page, page.get_by_test_id("create-filing"))
    filing = Filing.objects.get(institution=institution)
    lease = (timezone.localdate() + datetime.timedelta(days=365 * 5)).isoformat()
    _upload(page, "business_licence", "营业执照.pdf")
    _upload(page, "premises", "租赁合同.pdf", lease=lease)
    _upload(page, "staff_certificates", "人员证书.pdf")
    _upload(page, "health_evaluation", "卫生评价报告.pdf", rated="pass")
    _upload(page, "fire_safety", "消防.pdf")
    _upload(page, "commitment", "备案承诺书.pdf")
    assert filing.documents.count() == 6
    assert page.get_by_test_id("problems").count() == 0
    screenshot(page, "filing-draft-complete")
    _click_and_wait_for_status(page, page.get_by_test_id("submit"), filing, Filing.Status.SUBMITTED)
    _logout(page)

    # County official: the queue, the review page beside the documents, return with a comment.
    login(page, live_server, county_official.username)
    page.goto(f"{live_server.url}{reverse('filings:queue')}")
    _click_and_wait(page, page.get_by_test_id("queue").get_by_text(NAME))
    documents = page.get_by_test_id("documents")
    assert documents.locator("iframe").count() == 0  # previewed one at a time, on demand
    assert documents.locator("[data-testid^=preview-]").count() == 6
    _click_and_wait(page, documents.locator("[data-testid^=preview-]").first)
    assert documents.locator("iframe").count() == 1
    screenshot(page, "filing-review")
    page.fill("textarea[name=comment_fire]", "消防验收意见书缺少盖章页，请补充。")
    _click_and_wait_for_status(page, page.get_by_test_id("return"), filing, Filing.Status.RETURNED)
    _logout(page)

    # Staff: read the comment, correct, resubmit.
    login(page, live_server, staff.username)
    page.goto(f"{live_server.url}{reverse('filings:detail', args=[filing.pk])}")
    assert "消防验收意见书缺少盖章页" in page.get_by_test_id("return-comments").inner_text()
    _upload(page, "fire_safety", "消防-盖章.pdf")
    _click_and_wait_for_status(page, page.get_by_test_id("resubmit"), filing, Filing.Status.RESUBMITTED)
    _logout(page)

    # County official: file it; the receipt shows the number.
    login(page, live_server, county_official.username)
    page.goto(f"{live_server.url}{reverse('filings:detail', args=[filing.pk])}")
    _click_and_wait_for_status(page, page.get_by_test_id("approve"), filing, Filing.Status.FILED)
    number = filing.receipt_number
    assert number == f"130102-{timezone.localdate().year}-0001"
    _click_and_wait(page, page.get_by_test_id("receipt-link"))
    assert page.get_by_test_id("receipt-number").inner_text().strip() == number
    assert "长安区" in page.get_by_test_id("receipt").inner_text()
    screenshot(page, "filing-receipt")
    _logout(page)

    # The public register shows the filed institution with its number.
    try:
        register = reverse("institutions:register")
    except NoReverseMatch:
        register = None
    if register:
        page.goto(f"{live_server.url}{register}?q={NAME}")
        body = page.locator("main").inner_text()
        assert NAME in body and number in body
        screenshot(page, "filing-public-register")


def test_the_review_page_works_on_a_phone(phone_page, live_server, regions, county_official):
    from filings import services
    from tests.factories import InstitutionClassFactory, InstitutionFactory

    institution = InstitutionFactory(region_id="130102001", status=Institution.Status.DRAFT, filed_on=None,
                                     name=NAME)
    InstitutionClassFactory(institution=institution)
    staff = UserFactory(institution=institution)
    filing = services.filing_create(institution=institution, kind="initial", actor=staff)
    login(phone_page, live_server, county_official.username)
    # A draft is the institution's own business: the official does not see it yet.
    response = phone_page.goto(f"{live_server.url}{reverse('filings:detail', args=[filing.pk])}")
    assert response.status == 404
    login(phone_page, live_server, staff.username)
    phone_page.goto(f"{live_server.url}{reverse('filings:detail', args=[filing.pk])}")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the filing page must not scroll sideways on a phone"
