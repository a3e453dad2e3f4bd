"""帮扶结对 on a phone and a desktop: the mentor's staff record a visit at 390 px in Simplified Chinese; the city
official, from the dashboard's panel, closes the pair with its outcome and sees the mentee's scorecard
before and after (and the page in English at 1366 px)."""

import datetime
from decimal import Decimal

import pytest

from institutions.models import MentoringPair
from mentoring import services
from mentoring.models import Outcome, Visit
from tests.factories import InstitutionFactory

from .conftest import ARTIFACTS, login, screenshot
from .crawl import Visit as CrawlVisit
from .crawl import check_axe, check_overflow, check_words

pytestmark = pytest.mark.e2e


def _checked(page, role: str, lang: str, width: int) -> None:
    visit = CrawlVisit(role=role, lang=lang, width=width, url=page.url, status=200)
    problems = [p for check in (check_overflow, check_words, check_axe) for p in check(page, visit)]
    assert problems == [], problems


def test_the_mentor_records_a_visit_and_the_city_closes_the_pair(browser, phone_page, live_server, staff,
                                                                 institution, city_official):
    from pilots.models import Assessment, Pilot
    from pilots.services import scorecard_load_wst821

    mentee = InstitutionFactory(region_id="130104001", name="桥西区新苗托育园")
    pair = MentoringPair.objects.create(mentor=institution, mentee=mentee, started_on=datetime.date(2026, 3, 1))
    goal = services.goal_add(pair=pair, text="建立晨午检制度并执行", actor=city_official)
    services.goal_add(pair=pair, text="保育人员持证率达到100%", actor=city_official)
    template = scorecard_load_wst821()
    pilot = Pilot.objects.create(institution=mentee, year=2026, designated_by_id="1301",
                                 designated_on=datetime.date(2026, 2, 1))
    for on, total, grade in ((datetime.date(2026, 2, 20), "540", "D"), (datetime.date(2026, 11, 10), "790", "B")):
        Assessment.objects.create(pilot=pilot, template=template, assessed_on=on, assessor=city_official,
                                  total=Decimal(total), grade=grade)

    page = phone_page  # zh-CN browser: the portal speaks Simplified Chinese
    login(page, live_server, staff.username)
    page.goto(f"{live_server.url}/institutions/mine/")
    page.get_by_test_id("pair-link").first.click()
    page.wait_for_load_state("networkidle")
    assert "帮扶" in page.get_by_test_id("pair-heading").inner_text()
    form = page.get_by_test_id("visit-form")
    form.locator("input[name=visited_on]").fill("2026-11-25")
    form.locator("input[name=visitors]").fill("王丽（保健员）、张敏（园长）")
    form.locator("textarea[name=notes]").fill("示范晨午检流程，指导填写健康观察记录")
    form.locator("textarea[name=changes]").fill("晨检登记表已坚持每日填写")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "走访已记录" in page.content()
    assert "王丽（保健员）" in page.get_by_test_id("visits").inner_text()
    assert Visit.objects.filter(pair=pair, recorded_by=staff).count() == 1
    _checked(page, "mentor staff", "zh-hans", 390)
    screenshot(page, "mentoring-visit-phone-zh")

    page.context.clear_cookies()
    login(page, live_server, city_official.username)
    page.goto(f"{live_server.url}/dashboards/")
    panel = page.get_by_test_id("mentoring-panel")
    assert "帮扶结对与医育结合机构" in panel.inner_text()
    panel.get_by_test_id("mentoring-pairs-link").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("pair-link").first.click()
    page.wait_for_load_state("networkidle")
    close = page.get_by_test_id("close-form")
    close.locator("input[name=ended_on]").fill("2026-11-30")
    close.locator("input[name=result][value=improved]").check()
    close.locator("textarea[name=summary]").fill("晨午检已规范，评估等级由D提升至B。")
    close.locator(f"input[name=reached_goals][value='{goal.pk}']").check()
    close.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "明显改善" in page.get_by_test_id("outcome").inner_text()
    change = page.get_by_test_id("score-change").inner_text()
    assert "D → B" in change and "250" in change
    assert page.get_by_test_id("visit-form").count() == 0 and page.get_by_test_id("close-form").count() == 0
    outcome = Outcome.objects.get(pair=pair)
    assert (outcome.result, outcome.closed_by, str(pair.goals.filter(reached=True).get())) == (
        "improved", city_official, "建立晨午检制度并执行")
    _checked(page, "city", "zh-hans", 390)
    screenshot(page, "mentoring-closed-phone-zh")

    desktop = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    try:
        en = desktop.new_page()
        login(en, live_server, city_official.username)
        desktop.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        en.goto(f"{live_server.url}/mentoring/pairs/{pair.pk}/")
        assert "The mentee's scorecard before and after" in en.content()
        assert "Improved" in en.get_by_test_id("outcome").inner_text()
        screenshot(en, "mentoring-closed-desktop-en")
        en.goto(f"{live_server.url}/dashboards/")
        panel = en.get_by_test_id("mentoring-panel")
        assert "Mentoring pairs (帮扶结对) and 医育结合 institutions" in panel.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        panel.screenshot(path=str(ARTIFACTS / "mentoring-panel-desktop-en.png"))
    finally:
        desktop.close()
