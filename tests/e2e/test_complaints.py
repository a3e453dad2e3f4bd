"""Browser journey of a complaint on a phone: a member of the public files it from the register and
follows it by reference; the county answers it; the public reads the answer."""

import pytest

from institutions.models import Institution
from tests.e2e.conftest import login, screenshot
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 391


def test_public_files_a_complaint_and_the_county_answers_it(phone_page, browser, live_server, regions):
    from accounts.models import User

    institution = InstitutionFactory(region_id="130102001", name="长安区阳光托育园", status=Institution.Status.FILED)
    UserFactory(username="county_a", role=User.Role.OFFICIAL, region_id="130102")

    page = phone_page
    page.goto(f"{live_server.url}/institutions/register/{institution.pk}/")
    page.click("[data-testid=complain-link]")
    page.select_option("select[name=category]", "safety")
    page.fill("textarea[name=description]", "二楼楼梯没有护栏，接孩子时看到幼儿在楼梯口玩耍。")
    page.fill("input[name=phone]", "13912345678")
    _no_sideways_scroll(page)
    screenshot(page, "complaint-form-phone")
    page.click("[data-testid=complaint-form] button[type=submit].primary")
    page.wait_for_url("**/complaints/filed/")
    reference = page.locator("[data-testid=reference]").inner_text()
    token = page.locator("[data-testid=token]").inner_text()
    assert reference.startswith("TS") and len(token) == 10
    _no_sideways_scroll(page)
    screenshot(page, "complaint-filed-phone")

    page.click("text=查询投诉")
    assert page.locator("input[name=reference]").input_value() == reference
    page.fill("input[name=token]", token)
    page.click("[data-testid=lookup-form] button[type=submit]")
    assert page.locator("[data-testid=complaint-status]").inner_text() == "已受理，办理中"

    # The county, on its phone, answers from its queue.
    official = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    login(official, live_server, "county_a")
    official.goto(f"{live_server.url}/complaints/")
    official.click(f"text={reference}")
    assert "13912345678" not in official.content()  # the contact is one audited click away
    official.click("[data-testid=contact-link]")
    assert "13912345678" in official.locator("[data-testid=contact]").inner_text()
    official.go_back()
    official.fill("textarea[name=answer]", "已现场核查，责令机构三日内加装楼梯护栏，并将开展专项检查。")
    _no_sideways_scroll(official)
    screenshot(official, "complaint-answer-phone")
    official.click("[data-testid=answer-form] button[type=submit].primary")
    assert official.locator("[data-testid=complaint-status]").inner_text() == "已答复"
    official.context.close()

    page.goto(f"{live_server.url}/complaints/track/?reference={reference}")
    page.fill("input[name=token]", token)
    page.click("[data-testid=lookup-form] button[type=submit]")
    assert "加装楼梯护栏" in page.locator("[data-testid=public-answer]").inner_text()
    assert "13912345678" not in page.content()
    _no_sideways_scroll(page)
    screenshot(page, "complaint-answered-phone")


def test_county_sees_a_double_registration_on_a_phone(phone_page, live_server, regions):
    import datetime

    from accounts.models import User
    from tests.enrolments.helpers import resident_id
    from tests.factories import StaffMemberFactory

    number = resident_id(datetime.date(1993, 2, 1), county="130102", sex="female")
    for region, name in (("130102001", "长安区阳光托育园"), ("130502", "襄都区小星星托育园")):
        member = StaffMemberFactory(institution=InstitutionFactory(region_id=region, name=name), name="刘芳")
        member.set_identity_number(number)
        member.save()
    UserFactory(username="county_a", role=User.Role.OFFICIAL, region_id="130102")
    login(phone_page, live_server, "county_a")
    phone_page.goto(f"{live_server.url}/institutions/staff-registry/")
    table = phone_page.locator("[data-testid=double-registrations]").inner_text()
    assert "长安区阳光托育园" in table and "襄都区小星星托育园" in table and number not in table
    _no_sideways_scroll(phone_page)
    screenshot(phone_page, "staff-registry-phone")
