import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_official_signs_in_and_sees_home_in_chinese_then_english(page, live_server, county_official):
    login(page, live_server, county_official.username)
    heading = page.get_by_test_id("home-heading")
    assert "长安区" in heading.inner_text()
    assert "工作台" in heading.inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    screenshot(page, "home-official-zh")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "workspace" in page.get_by_test_id("home-heading").inner_text()
    screenshot(page, "home-official-en")


def test_wrong_password_shows_a_clear_error(page, live_server, staff):
    login(page, live_server, staff.username, password="not-the-password")
    assert "用户名或密码" in page.locator(".errors").inner_text()


def test_home_works_on_a_phone(phone_page, live_server, staff):
    login(phone_page, live_server, staff.username)
    assert phone_page.get_by_test_id("home-heading").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the page must not scroll sideways on a phone"
