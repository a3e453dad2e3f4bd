"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server.

`page` is a fresh browser tab; `login(page, live_server, username)` signs a user in through the
real login form. Screenshots go under tests/e2e/artifacts/ (ignored by git).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import require_service

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
PASSWORD = "correct-horse-42"  # set by tests.factories.UserFactory


@pytest.fixture(scope="session")
def browser():
    require_service(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require_service(False, "the playwright Python package (pip install playwright)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, transactional_db):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, transactional_db):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def login(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit].primary")
    page.wait_for_load_state("networkidle")


def fill_institution_form(page, *, name: str, address: str) -> None:
    """Fills the institution registration form: a for-profit standalone full-day institution of 建北街道."""
    from tests.factories import make_credit_code

    page.fill("input[name=name]", name)
    page.fill("input[name=credit_code]", make_credit_code("130102"))
    page.select_option("select[name=legal_form]", "forprofit")
    page.select_option("select[name=setting_type]", "standalone")
    page.fill("input[name=region]", "130102001")
    page.fill("input[name=address]", address)
    page.check("input[name=full_day]")
    page.fill("input[name=legal_representative]", "王五")
    page.fill("input[name=person_in_charge]", "赵六")
    page.fill("input[name=person_in_charge_phone]", "13900000000")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
