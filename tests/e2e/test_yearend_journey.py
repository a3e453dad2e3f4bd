"""Year-end reporting and the annual assessment pack, end to end: the institution's staff fill in and submit
the year's report on a phone (390 px, Simplified Chinese); the county official accepts it (1366 px, English);
the province official opens the assessment pack of the city and downloads its PDF and XLSX, which open.
The crawl's page checks (axe, words of the wrong language, overflow, keyboard) run on each page."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from tests.e2e.crawl import PAGE_CHECKS, Visit, _set_language  # noqa: PLC2701
from tests.yearend.conftest import complete_values
from tests.yearend.conftest import obligation as obligation  # the fixture, for this module
from yearend.definitions import SHIPPED_FIELDS
from yearend.models import YearEndReport

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _go(page, locator) -> None:
    with page.expect_navigation(wait_until="domcontentloaded", timeout=30000):
        locator.click()
    page.wait_for_load_state("networkidle")


def _checks(page, role: str, lang: str, width: int) -> None:
    visit = Visit(role=role, lang=lang, width=width, url=page.url, status=200)
    problems = [p for check in PAGE_CHECKS for p in check(page, visit)]
    assert problems == [], f"{urlsplit(page.url).path}: {problems}"


def test_report_submitted_on_a_phone_accepted_by_the_county_and_the_pack_downloaded(
        browser, phone_page, live_server, obligation, institution, staff, county_official, province_official):
    page = phone_page
    values = complete_values(children_served=48, places=40, safety_incidents=0, summary="全年安全运营。")

    # 1. Staff, on a phone in Chinese: from the navigation to the form, fill it in, submit.
    login(page, live_server, staff.username)
    _go(page, page.locator("nav.main-nav a[href='/yearend/']"))
    assert page.locator("h1").inner_text() == "年度报告"
    _checks(page, "staff", "zh-hans", 390)
    _go(page, page.get_by_test_id(f"edit-{obligation.year}"))
    for _section, code, _label, _kind, _required, _help in SHIPPED_FIELDS:
        selector = f"[name={code}]"
        page.fill(selector, str(values[code]))
    _checks(page, "staff", "zh-hans", 390)
    screenshot(page, "yearend-form-zh-390")
    _go(page, page.get_by_test_id("submit"))
    assert page.get_by_test_id("report-status").inner_text() == "已提交，审核中"
    _checks(page, "staff", "zh-hans", 390)
    screenshot(page, "yearend-submitted-zh-390")
    report = YearEndReport.objects.get(institution=institution, year=obligation.year)
    assert report.on_time and report.values["places"] == 40

    # 2. The county official, on a desktop in English: the county's list, the report, accept.
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    _set_language(context, live_server.url, "en")
    desk = context.new_page()
    try:
        login(desk, live_server, county_official.username)
        _go(desk, desk.locator("nav.main-nav a[href='/yearend/']"))
        desk.goto(f"{live_server.url}/yearend/?year={obligation.year}")
        _checks(desk, "county", "en", 1366)
        _go(desk, desk.get_by_test_id("yearend-reports").get_by_role("link", name=institution.name))
        _checks(desk, "county", "en", 1366)
        _go(desk, desk.get_by_test_id("accept"))
        assert desk.get_by_test_id("report-status").inner_text() == "Accepted"
        screenshot(desk, "yearend-accepted-en-1366")
    finally:
        context.close()
    report.refresh_from_db()
    assert report.status == YearEndReport.Status.ACCEPTED

    # 3. The province official: the year-end page, the province's pack, the city's pack and its files.
    page.context.clear_cookies()
    login(page, live_server, province_official.username)
    page.goto(f"{live_server.url}/yearend/?year={obligation.year}")
    assert "1 / 1" in page.get_by_test_id("total-submitted").inner_text()
    _go(page, page.get_by_test_id("pack-link"))
    _checks(page, "province", "zh-hans", 390)
    _go(page, page.get_by_test_id("pack-cities").get_by_role("link", name="石家庄市"))
    assert "石家庄市" in page.locator("h1").inner_text()
    _checks(page, "province", "zh-hans", 390)
    screenshot(page, "yearend-pack-zh-390")
    with page.expect_download() as pdf:
        page.get_by_test_id("pack-pdf").click()
    content = pdf.value.path().read_bytes()
    assert content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "石家庄市" in text and "年度报告" in text
    with page.expect_download() as xlsx:
        page.get_by_test_id("pack-xlsx").click()
    book = load_workbook(io.BytesIO(xlsx.value.path().read_bytes()))
    assert "石家庄市" in str(book.worksheets[0]["A1"].value)
    yearend_sheet = next(s for s in book.worksheets if "年度报告报送" in s.title)
    rows = [[c.value for c in row] for row in yearend_sheet.iter_rows(min_row=4)]
    changan = next(r for r in rows if r[0] == "长安区")
    assert changan[1:3] == [1, 1]  # due, submitted
