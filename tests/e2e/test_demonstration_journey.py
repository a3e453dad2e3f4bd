"""Demonstration-city creation: a city official on a phone (390 px, Simplified Chinese) opens this year's
creation, uploads evidence against a criterion, writes a note and submits; the province official on a desktop
(1366 px, English) scores the criteria with comments and finishes; the city then sees its score, its rank and its
gaps (criteria without evidence, low scores, the province's comments). The crawl's page checks (overflow, words,
axe-core) run on the pages the journey shows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from demonstration import services
from demonstration.models import Creation
from tests.demonstration.conftest import PDF, pdf
from tests.helpers import keep_uploads_in

from .conftest import login, screenshot
from .crawl import Visit, check_axe, check_narrow_cells, check_overflow, check_title, check_words

pytestmark = pytest.mark.e2e
YEAR = timezone.localdate().year


def _go(page, locator) -> None:
    with page.expect_navigation(wait_until="domcontentloaded", timeout=30000):
        locator.click()


def _checked(page, lang: str, width: int) -> None:
    visit = Visit(role="journey", lang=lang, width=width, url=page.url, status=200)
    problems = [p for check in (check_overflow, check_narrow_cells, check_words, check_title, check_axe)
                for p in check(page, visit)]
    assert problems == [], problems


@pytest.fixture
def private_storage(transactional_db, settings, tmp_path):
    return keep_uploads_in(settings, tmp_path / "private")


@pytest.fixture
def drive(private_storage, regions, city_official, other_city_official, province_official):
    """Last year's result of 石家庄 (history) and this year's scored result of 邢台 (the ranking)."""
    services.standards_ensure_shipped()  # the live server's database is emptied between tests
    for city, official, year, share in (("1301", city_official, YEAR - 1, Decimal("0.9")),
                                        ("1305", other_city_official, YEAR, Decimal("0.7"))):
        creation = services.creation_open(city=city, year=year, actor=official)
        for entry in creation.entries.select_related("criterion"):
            services.evidence_add(creation=creation, criterion=entry.criterion, file=pdf(), actor=official) \
                if entry.criterion.order == 1 else None
        services.creation_submit(creation=creation, actor=official)
        for entry in creation.entries.select_related("criterion"):
            services.entry_score(creation=creation, criterion=entry.criterion,
                                 points=(entry.criterion.max_points * share).quantize(Decimal("0.1")),
                                 actor=province_official)
        services.creation_finish(creation=creation, actor=province_official)


def test_city_assembles_on_a_phone_province_scores_on_a_desktop(browser, live_server, drive, city_official,
                                                               province_official, tmp_path):
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.set_default_timeout(15000)
    page = phone.new_page()

    # 1. The city opens this year's creation from its navigation and uploads evidence for SS-01.
    login(page, live_server, city_official.username)
    _go(page, page.locator("nav.main-nav a[href$='/demonstration/']"))
    assert page.get_by_test_id("history").locator("tbody tr").count() == 1  # last year's result
    _checked(page, "zh-hans", 390)
    _go(page, page.get_by_test_id("open-form").locator("button[type=submit]"))
    creation = Creation.objects.get(city_id="1301", year=YEAR)
    assert page.get_by_test_id("creation-status").inner_text() == "材料准备中"
    _go(page, page.get_by_test_id("criterion-SS-01").locator("a"))
    upload = tmp_path / "托位统计表.pdf"
    upload.write_bytes(PDF)
    page.get_by_test_id("evidence-form").locator("input[type=file]").set_input_files(str(upload))
    _go(page, page.get_by_test_id("upload"))
    assert "已上传" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("evidence-list").inner_text().startswith("托位统计表.pdf")
    page.get_by_test_id("note-form").locator("textarea").fill("2025年底每千人口托位数4.6个，附统计表。")
    _go(page, page.get_by_test_id("save-note"))
    _checked(page, "zh-hans", 390)
    screenshot(page, "demonstration-1-evidence-390")
    _go(page, page.locator(".breadcrumbs a").last)
    assert page.get_by_test_id("evidenced").inner_text() == "1 / 19"
    assert page.get_by_test_id("gap-no-evidence").locator("li").count() == 18
    page.get_by_test_id("submit-form").locator("textarea").fill("请省卫健委审核。")
    _go(page, page.get_by_test_id("submit"))
    assert page.get_by_test_id("creation-status").inner_text() == "已提交评审"
    _checked(page, "zh-hans", 390)
    screenshot(page, "demonstration-2-submitted-390")

    # 2. The province, on a desktop in English, scores: SS-01 in full, PP-01 low with a comment, the rest
    # (set here through the same service) half; then finishes.
    desk = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    desk.set_default_timeout(15000)
    office = desk.new_page()
    login(office, live_server, province_official.username)
    _go(office, office.locator("form.lang-switch button[value=en]"))
    _go(office, office.locator("nav.main-nav a[href$='/demonstration/']"))
    _go(office, office.get_by_test_id("current").locator(f"a[href$='/creations/{creation.pk}/']"))
    for code, points, comment in (("SS-01", "10", "统计表已附，数据一致。"),
                                  ("PP-01", "1", "缺少目标责任考核文件。")):
        _go(office, office.get_by_test_id(f"criterion-{code}").locator("a"))
        form = office.get_by_test_id("score-form")
        form.locator("input[name=points]").fill(points)
        form.locator("textarea[name=comment]").fill(comment)
        _go(office, office.get_by_test_id("save-score"))
    assert "Score saved" in office.locator(".messages").inner_text()
    _go(office, office.get_by_test_id("criterion-SS-01").locator("a"))
    points = office.get_by_test_id("score-form").locator("input[name=points]")
    points.fill("11")  # over the maximum: the form says so before anything is sent (the service refuses it too)
    assert points.evaluate("el => el.validity.rangeOverflow") is True
    for entry in creation.entries.select_related("criterion").filter(points__isnull=True):
        services.entry_score(creation=creation, criterion=entry.criterion, points=entry.criterion.max_points / 2,
                             actor=province_official)
    office.goto(f"{live_server.url}/demonstration/creations/{creation.pk}/")
    _go(office, office.get_by_test_id("finish"))
    assert office.get_by_test_id("creation-status").inner_text() == "Scored"
    _checked(office, "en", 1366)
    screenshot(office, "demonstration-3-scored-1366")
    _go(office, office.locator(".breadcrumbs a").first)
    ranks = office.get_by_test_id("current").locator("[data-testid=rank]").all_inner_texts()
    assert ranks == ["1 / 2", "2 / 2"]
    _checked(office, "en", 1366)
    screenshot(office, "demonstration-4-ranking-1366")
    _go(office, office.locator("main a[href$='/demonstration/standards/']"))
    assert office.get_by_test_id("working-definition").is_visible()
    _checked(office, "en", 1366)
    _go(office, office.get_by_test_id("new-version"))
    assert office.get_by_test_id("criterion-row").count() == 19
    _checked(office, "en", 1366)
    screenshot(office, "demonstration-6-new-version-1366")
    desk.close()

    # 3. The city sees its score, its rank and its gaps.
    page.reload()
    creation.refresh_from_db()
    assert page.get_by_test_id("score").inner_text() == f"{creation.total_points} / 100.0"
    assert page.get_by_test_id("creation-rank").inner_text() == "参与排名的2个城市中第2名"
    assert "PP-01" in page.get_by_test_id("gap-low").inner_text()
    assert "缺少目标责任考核文件" in page.get_by_test_id("gap-comments").inner_text()
    _checked(page, "zh-hans", 390)
    screenshot(page, "demonstration-5-gaps-390")
    phone.close()
