"""An official's morning: the province dashboard, a drill-down to a city, the downloads, both languages.

The journey runs on the real Hebei demo (portal.demo's steps: regions, accounts, institutions, filings,
pilots, metrics — the figures are computed by the metrics code from the demo's records). The enrolment
step takes about a minute, so it runs only with E2E_FULL_DEMO=1, and only such a run copies the province
and city screenshots to docs/screenshots/ (shown in the README); without it enrolled children are 0.
The phone and print checks use snapshot rows built directly (tests/dashboards/builders.py): much faster.
"""

from __future__ import annotations

import importlib
import io
import os
import shutil
from pathlib import Path

import pytest

from accounts.models import User
from tests.dashboards.builders import build_hebei_demo
from tests.factories import UserFactory

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# The full demo (with enrolments) is what the README shows: only such a run refreshes docs/screenshots.
FULL_DEMO = os.environ.get("E2E_FULL_DEMO") == "1"


@pytest.fixture
def hebei_demo(transactional_db):
    from portal.demo import DEMO_STEPS, DemoContext

    ctx = DemoContext(stdout=io.StringIO())
    for name in DEMO_STEPS:
        if name == "enrolments.demo" and not FULL_DEMO:
            continue
        importlib.import_module(name).seed(ctx)
    return ctx


@pytest.fixture
def hebei(transactional_db):
    return build_hebei_demo()


def _sign_in_a_provincial_official(page, live_server, username: str) -> None:
    UserFactory(username=username, role=User.Role.OFFICIAL, region_id="13")
    login(page, live_server, username)


def _wait_for_map(page) -> None:
    page.wait_for_selector("#region-map[data-ready='1']")
    page.wait_for_timeout(400)  # ECharts animates the first paint


def test_province_official_reads_hebei_drills_down_and_downloads(page, live_server, hebei_demo):
    from portal.demo import DEMO_PASSWORD

    login(page, live_server, "hebei", password=DEMO_PASSWORD)  # the demo's provincial official
    page.locator("nav.main-nav a[href='/dashboards/']").click()  # 数据看板 in the main navigation
    page.wait_for_load_state("networkidle")
    # Today's figures include the demo's synthetic growth, and say so; the published ones are a click away.
    assert "2022-07-08" in page.get_by_test_id("synthetic-note").inner_text()
    assert "1,273" not in page.get_by_test_id("card-institutions").inner_text()
    page.get_by_test_id("published-link").click()
    page.wait_for_load_state("networkidle")
    assert "2022-07-08" in page.get_by_test_id("snapshot-date").inner_text()

    assert "河北省" in page.get_by_test_id("dashboard-heading").inner_text()
    assert "1,273" in page.get_by_test_id("card-institutions").inner_text()
    assert "138,000" in page.get_by_test_id("card-places").inner_text()
    rate = page.get_by_test_id("card-rate").inner_text()
    assert "1.85" in rate and "4.50" in rate
    assert "138,000 个托位 / 74,610,235 常住人口" in page.get_by_test_id("rate-fraction").inner_text()
    pilots = page.get_by_test_id("card-pilots").inner_text()
    assert "126" in pilots and "160" in pilots
    assert page.get_by_test_id("snapshot-date").is_visible()
    # The map draws the 11 cities; every city is in the table behind it.
    _wait_for_map(page)
    assert page.locator("#table-regions tbody tr").count() == 11
    path = screenshot(page, "dashboard-province-zh")
    if FULL_DEMO and DOCS_SCREENSHOTS.is_dir():
        shutil.copy(path, DOCS_SCREENSHOTS / "dashboard-province.png")

    # Sorting by keyboard: the places-per-1,000 header button.
    button = page.locator("#table-regions thead button", has_text="每千人口托位数")
    button.focus()
    page.keyboard.press("Enter")
    assert page.locator("#table-regions thead th[aria-sort='ascending']").count() == 1

    # The downloads of the province: the workbook and the PDF report.
    with page.expect_download() as xlsx_info:
        page.get_by_test_id("xlsx-link").click()
    xlsx_path = xlsx_info.value.path()
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(Path(xlsx_path).read_bytes()))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[3]]
    assert headers[:4] == ["市", "区划代码", "备案机构数", "托位数"]
    body = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert set(body) == {f"13{n:02d}" for n in range(1, 12)}
    assert sum(row[3] for row in body.values()) == 138000
    assert sum(row[2] for row in body.values()) == 1273

    with page.expect_download() as pdf_info:
        page.get_by_test_id("pdf-link").click()
    pdf = Path(pdf_info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "1,273" in text and "138,000" in text and "126 / 160" in text

    # Drill down: click Shijiazhuang on the map, at the pixel of its outline's mean point.
    page.locator("#region-map").scroll_into_view_if_needed()
    clicked = page.evaluate("""() => {
        document.getElementById('region-map').scrollIntoView({block: 'center'});
        const chart = echarts.getInstanceByDom(document.getElementById('region-map'));
        const geo = echarts.getMap('region-13').geoJSON;
        const feature = geo.features.find(f => f.id === '1301');
        const ring = feature.geometry.type === 'Polygon' ? feature.geometry.coordinates[0]
                                                          : feature.geometry.coordinates[0][0];
        let x = 0, y = 0; ring.forEach(p => { x += p[0]; y += p[1]; });
        const px = chart.convertToPixel({seriesIndex: 0}, [x / ring.length, y / ring.length]);
        const box = document.getElementById('region-map').getBoundingClientRect();
        return px ? [box.left + px[0], box.top + px[1]] : null;
    }""")
    assert clicked, "Shijiazhuang is not on the map"
    page.mouse.click(clicked[0], clicked[1])
    page.wait_for_url("**/dashboards/1301/?date=*")
    page.wait_for_load_state("networkidle")
    assert "石家庄市" in page.get_by_test_id("dashboard-heading").inner_text()
    county_names = page.locator("#table-regions tbody th").all_inner_texts()
    assert "长安区" in county_names and len(county_names) >= 20
    _wait_for_map(page)
    path = screenshot(page, "dashboard-city-zh")
    if FULL_DEMO and DOCS_SCREENSHOTS.is_dir():
        shutil.copy(path, DOCS_SCREENSHOTS / "dashboard-city.png")

    # The mid-2022 snapshot through the date picker: the demo's daily progress reports are from June 2022.
    page.fill("#id_date", "2022-06-30")
    page.locator("form.date-picker button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "2022-06-30" in page.get_by_test_id("snapshot-date").inner_text()
    expected = page.locator("#table-pilots td[data-key=reports_expected]").all_inner_texts()
    assert any(text.strip() not in ("", "—", "0") for text in expected), expected
    screenshot(page, "dashboard-city-2022-06-30")

    # Back up by the breadcrumbs, then the English interface.
    page.locator("nav.breadcrumbs a", has_text="河北省").click()
    page.wait_for_load_state("networkidle")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert "at a glance" in page.get_by_test_id("dashboard-heading").inner_text()
    # The breadcrumbs lead to today's figures: the synthetic growth, said so in English too.
    assert "places / 74,610,235 residents" in page.get_by_test_id("rate-fraction").inner_text()
    assert "synthetic growth" in page.get_by_test_id("synthetic-note").inner_text()
    _wait_for_map(page)
    screenshot(page, "dashboard-province-en")


def test_dashboard_fits_a_phone(phone_page, live_server, hebei):
    _sign_in_a_provincial_official(phone_page, live_server, "hebei_phone")
    phone_page.goto(f"{live_server.url}/dashboards/")
    _wait_for_map(phone_page)
    assert "138,000" in phone_page.get_by_test_id("card-places").inner_text()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px); only .table-wrap may"
    screenshot(phone_page, "dashboard-province-phone")


def test_print_view_draws_the_map_and_planner_takes_a_target(page, live_server, hebei):
    _sign_in_a_provincial_official(page, live_server, "hebei_print")
    page.goto(f"{live_server.url}/dashboards/13/report/")
    _wait_for_map(page)
    assert page.locator("#region-map svg path").count() >= 11  # the SVG renderer, for crisp printing
    assert page.get_by_test_id("table-ranking").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("#print-button").is_visible()  # controls are not printed
    screenshot(page, "dashboard-report-print")
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/dashboards/13/planner/")
    page.fill("input[name=target]", "4.5")
    page.fill("input[name=inclusive_share]", "60")
    page.click("form button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert "60" in page.get_by_test_id("planner-summary").inner_text()
    assert page.locator("#table-planner tbody tr").count() == 12  # 11 cities and the province
    page.locator("#table-planner thead button", has_text="需新增托位").first.click()
    assert page.locator("#table-planner tbody tr").last.get_attribute("data-code") == "13"  # the total stays last
    screenshot(page, "dashboard-planner")
