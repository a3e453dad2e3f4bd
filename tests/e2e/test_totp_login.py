"""Two-step sign-in in a real browser: password, then the code from the authenticator app."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


def app_code(secret: bytes, steps_ahead: int = 0) -> str:
    """What an authenticator app holding `secret` shows now."""
    totp = TOTP(secret)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def test_official_with_a_device_enters_the_code_and_sees_home(page, live_server, county_official):
    device = TOTPDevice.objects.create(user=county_official, name="authenticator", confirmed=True)
    login(page, live_server, county_official.username)

    assert page.get_by_test_id("totp-verify").is_visible()
    assert "两步登录" in page.locator("h1").inner_text()
    assert "/accounts/verify/" in page.url
    screenshot(page, "totp-verify")

    page.fill("input[name=code]", app_code(device.bin_key))
    page.click("form button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    heading = page.get_by_test_id("home-heading")
    assert "长安区" in heading.inner_text()


def test_wrong_code_keeps_the_official_on_the_verify_page(page, live_server, county_official):
    device = TOTPDevice.objects.create(user=county_official, name="authenticator", confirmed=True)
    login(page, live_server, county_official.username)
    wrong = f"{(int(app_code(device.bin_key)) + 500_000) % 1_000_000:06d}"
    page.fill("input[name=code]", wrong)
    page.click("form button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert "验证码无效" in page.locator(".field .error").inner_text()
    page.goto(f"{live_server.url}/")
    assert "/accounts/verify/" in page.url


def test_staff_enrols_an_app_on_a_phone(phone_page, live_server, staff):
    page = phone_page
    login(page, live_server, staff.username)
    page.get_by_test_id("security-card").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("totp-qr").locator("svg").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, "the page must not scroll sideways on a phone"
    screenshot(page, "totp-enrol-phone")

    secret = b32decode(page.get_by_test_id("totp-secret").inner_text().replace(" ", ""))
    page.fill("input[name=code]", app_code(secret))
    page.click("form button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert "两步登录已开启" in page.get_by_test_id("totp-status").inner_text()
    assert TOTPDevice.objects.get(user=staff).confirmed
