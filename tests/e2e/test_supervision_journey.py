"""Supervision on a phone (390 px), in Simplified Chinese: the county plans a round of random inspections and
the draw is shown (re-running it gives the same list); the drawn inspector records every checklist item, a
finding with a photo, and signs off; the institution answers the rectification order with a photo; the
inspector accepts it; the public register shows the inspection, rectified, without a person or a photo."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from supervision import services
from supervision.models import Inspection, RectificationOrder
from tests.factories import InstitutionFactory, UserFactory
from tests.supervision.conftest import PNG

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _go(page, locator) -> None:
    with page.expect_navigation(wait_until="domcontentloaded", timeout=30000):
        locator.click()


def _logout(page) -> None:
    _go(page, page.locator("form[action$='/logout/'] button[type=submit]"))


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


@pytest.fixture
def area(regions, institution, staff, county_official):
    services.checklists_ensure_shipped()  # the live server's database is emptied between tests
    others = [InstitutionFactory(region_id="130102002", name=f"长安区抽查园{n}") for n in range(2)]
    pool = []
    for n, name in enumerate(["检查员甲", "检查员乙"], start=1):
        user = UserFactory(username=f"inspector{n}", role=User.Role.OFFICIAL, region_id="130102", first_name=name)
        services.inspector_register(user=user, actor=county_official)
        pool.append(user)
    return {"institution": institution, "others": others, "pool": pool}


def test_round_draw_inspection_rectification_and_disclosure_on_a_phone(phone_page, live_server, area, staff,
                                                                        county_official):
    page = phone_page
    institution = area["institution"]

    # 1. The county plans a round and makes the draw.
    login(page, live_server, county_official.username)
    page.goto(f"{live_server.url}/supervision/")
    _go(page, page.locator("a[href$='/supervision/rounds/new/']"))
    form = page.get_by_test_id("round-form")
    form.locator("input[name=name]").fill("2026年第四季度双随机抽查")
    form.locator("select[name=checklist]").select_option(label="托育机构卫生与安全检查表 v1")
    form.locator("input[name=share_percent]").fill("100")
    form.locator("input[name=inspectors_per_inspection]").fill("1")
    form.locator("input[name=due_on]").fill(str(timezone.localdate() + datetime.timedelta(days=20)))
    form.locator("input[name=seed]").fill("20261201")
    _go(page, form.locator("button[type=submit]"))
    _go(page, page.get_by_test_id("draw"))
    result = page.get_by_test_id("draw-result")
    assert result.get_by_test_id("replay").inner_text().startswith("结果相同")
    drawn_names = result.get_by_test_id("drawn").locator("tbody tr td:first-child").all_inner_texts()
    assert sorted(drawn_names) == sorted([institution.name] + [o.name for o in area["others"]])
    assert page.get_by_test_id("seed").inner_text() == "20261201"
    _no_horizontal_scroll(page)
    screenshot(page, "supervision-1-draw-390")
    _go(page, page.get_by_test_id("draw"))  # re-running with the same inputs: the same list, no new draw
    assert "相同" in page.locator(".messages").inner_text()
    assert result.get_by_test_id("drawn").locator("tbody tr td:first-child").all_inner_texts() == drawn_names
    _go(page, page.get_by_test_id("start"))
    assert page.get_by_test_id("round-status").inner_text() == "已下达检查任务"
    _logout(page)

    # 2. The inspector drawn for the institution records every item, one finding with a photo.
    inspection = Inspection.objects.get(institution=institution, kind=Inspection.Kind.RANDOM)
    inspector = inspection.inspectors.get()
    login(page, live_server, inspector.username)
    page.goto(f"{live_server.url}/supervision/")
    _go(page, page.get_by_test_id("mine").get_by_role("link", name=institution.name))
    codes = [c.removeprefix("item-") for c in page.locator("[data-testid^=item-]").evaluate_all(
        "cards => cards.map(c => c.dataset.testid)")]
    assert len(codes) == 17
    for code in codes:
        card = page.get_by_test_id(f"item-{code}")
        if code == "HS-15":
            card.locator("input[value=finding]").check()
            card.locator("textarea").fill("午睡室有两名婴幼儿无人看护")
            card.locator("input[type=file]").set_input_files(
                {"name": "nap-room.png", "mimeType": "image/png", "buffer": PNG})
        else:
            card.locator("input[value=pass]").check()
        _go(page, card.locator("button[type=submit]"))
        assert page.get_by_test_id(f"item-{code}").get_by_test_id("recorded").is_visible()
    finding = page.get_by_test_id("item-HS-15")
    assert finding.get_by_test_id("evidence").count() == 1
    _no_horizontal_scroll(page)
    screenshot(page, "supervision-2-recorded-390")
    sign_off = page.get_by_test_id("sign-off-form")
    sign_off.locator("select[name=mode]").select_option("on_site")
    _go(page, sign_off.get_by_test_id("sign-off"))
    assert page.get_by_test_id("inspection-status").inner_text() == "已签署：整改中"
    assert "高风险 1" in page.get_by_test_id("inspection-result").inner_text()
    order = RectificationOrder.objects.get(inspection=inspection)
    _logout(page)

    # 3. The institution answers with a photo of what it put right.
    login(page, live_server, staff.username)
    page.goto(f"{live_server.url}/supervision/")
    _go(page, page.get_by_test_id("staff-inspections").locator("tbody a").first)
    answer = page.get_by_test_id("answer-form")
    answer.locator("textarea[name=text]").fill("午睡室已安排专人值守，并加装监控")
    answer.locator("input[name=file]").set_input_files({"name": "duty-roster.png", "mimeType": "image/png",
                                                        "buffer": PNG})
    _go(page, answer.get_by_test_id("answer"))
    assert page.get_by_test_id("order-status").inner_text() == "已答复：待检查人员验收"
    _no_horizontal_scroll(page)
    screenshot(page, "supervision-3-answered-390")
    _logout(page)

    # 4. The inspector accepts: the inspection is closed.
    login(page, live_server, inspector.username)
    page.goto(f"{live_server.url}/supervision/inspections/{inspection.pk}/")
    decide = page.get_by_test_id("decide-form")
    decide.locator("input[value=accept]").check()
    _go(page, decide.get_by_test_id("decide"))
    assert page.get_by_test_id("inspection-status").inner_text() == "已办结"
    order.refresh_from_db()
    assert order.status == RectificationOrder.Status.ACCEPTED
    _logout(page)

    # 5. The public register shows it: date, kind, result, findings by risk, rectified — no person, no photo.
    page.goto(f"{live_server.url}/institutions/register/{institution.pk}/")
    disclosure = page.get_by_test_id("disclosure")
    row = disclosure.get_by_test_id("disclosed-inspection")
    assert row.count() == 1
    text = row.inner_text()
    assert "随机抽查" in text and "发现问题需整改" in text and "高 1" in text and "是" in text
    html = page.content()
    assert inspector.first_name not in html and "无人看护" not in html and "/supervision/evidence/" not in html
    _no_horizontal_scroll(page)
    screenshot(page, "supervision-4-register-390")
