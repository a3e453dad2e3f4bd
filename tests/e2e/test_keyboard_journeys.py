"""The filing journey with the keyboard only: Tab to each control (its focus must show), type, choose with
the arrow keys, press Enter or Space. Staff sign in, register an institution and a class, open a filing,
upload its documents and submit; the county official opens it from the review queue, previews a
document and files it. The larger-text switch works the same way and stays on from page to page.

No click and no `fill` here: a control the keyboard cannot reach fails the journey."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from filings.models import Filing
from institutions.models import Institution
from tests.factories import UserFactory, make_credit_code

from .conftest import PASSWORD, screenshot

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NAME = "长安区小松果托育中心"
MAX_TABS = 250


def tab_to(page, selector: str) -> None:
    """Presses Tab until the element `selector` names has the focus, and checks that the focus shows."""
    target = page.locator(selector)
    assert target.count() == 1, f"{selector} matches {target.count()} elements"
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            ring = target.evaluate("""el => { const s = getComputedStyle(el);
                return el.matches(':focus-visible') && ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                    || s.boxShadow !== 'none'); }""")
            assert ring, f"the focus on {selector} does not show"
            return
    raise AssertionError(f"Tab never reaches {selector} on {page.url}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def _date_order(page) -> str:
    """The order in which this browser's date inputs take their parts (it follows the browser's own
    language, not the page's): found by typing into a date input on a scratch page."""
    scratch = page.context.new_page()
    try:
        for order in ("ymd", "mdy", "dmy"):
            scratch.set_content("<input type=date id=d>")
            scratch.focus("#d")
            scratch.keyboard.type("".join({"y": "2031", "m": "11", "d": "30"}[part] for part in order))
            if scratch.input_value("#d") == "2031-11-30":
                return order
    finally:
        scratch.close()
    raise AssertionError("this browser's date inputs take no order of year, month and day")


def type_date(page, selector: str, iso: str) -> None:
    """Types a date into a date input part by part, as it shows them."""
    year, month, day = iso.split("-")
    tab_to(page, selector)
    page.keyboard.type("".join({"y": year, "m": month, "d": day}[part] for part in _date_order(page)))
    assert page.locator(selector).input_value() == iso


def choose(page, selector: str, value: str) -> None:
    """Chooses an option of a closed <select> with the arrow keys, as a keyboard user does."""
    tab_to(page, selector)
    select = page.locator(selector)
    count = select.evaluate("el => el.options.length")
    page.keyboard.press("Home")
    for _ in range(count):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    assert select.input_value() == value, f"{value} is not an option of {selector}"


def press_and_wait(page, selector: str, key: str = "Enter") -> None:
    tab_to(page, selector)
    with page.expect_navigation(wait_until="domcontentloaded", timeout=30000):
        page.keyboard.press(key)


def upload(page, filing, kind: str, filename: str, *, lease: str = "", rated: str = "") -> None:
    form = "[data-testid=upload-form]"
    choose(page, f"{form} select[name=kind]", kind)
    page.wait_for_load_state("networkidle")  # the kind's own fields are swapped in: the form settles first
    for attempt in range(3):  # on a busy machine the dialog may not open for the first key press
        tab_to(page, f"{form} input[name=file]")
        try:
            with page.expect_file_chooser(timeout=20_000) as chooser:  # Space on a file input opens the dialog
                page.keyboard.press("Space")
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    chooser.value.set_files({"name": filename, "mimeType": "application/pdf", "buffer": PDF})
    if lease:
        type_date(page, f"{form} input[name=lease_ends_on]", lease)
    if rated:
        choose(page, f"{form} select[name=rated_pass]", rated)
    press_and_wait(page, f"{form} button[type=submit]")
    if not filing.documents.filter(kind=kind).exists():
        screenshot(page, f"keyboard-upload-{kind}")
        raise AssertionError(f"{kind} was not uploaded: {page.locator('main').inner_text()[:600]}")


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    type_into(page, "input[name=username]", username)
    type_into(page, "input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def sign_out(page) -> None:
    press_and_wait(page, "form[action$='/logout/'] button[type=submit]")


def test_staff_file_and_the_county_files_it_with_the_keyboard_only(page, live_server, regions, county_official):
    staff = UserFactory(username="pine_staff")
    sign_in(page, live_server, staff.username)

    # Register the institution from the filings page's link, then its class.
    press_and_wait(page, f"nav.main-nav a[href='{reverse('filings:mine')}']")
    press_and_wait(page, f"main a[href='{reverse('institutions:create')}']")
    type_into(page, "input[name=name]", NAME)
    type_into(page, "input[name=credit_code]", make_credit_code("130102"))
    choose(page, "select[name=legal_form]", "forprofit")
    choose(page, "select[name=setting_type]", "standalone")
    type_into(page, "input[name=region]", "130102001")
    type_into(page, "input[name=address]", "长安区中山东路2号")
    tab_to(page, "input[name=full_day]")
    page.keyboard.press("Space")
    type_into(page, "input[name=legal_representative]", "王五")
    type_into(page, "input[name=person_in_charge]", "赵六")
    type_into(page, "input[name=person_in_charge_phone]", "13900000000")
    press_and_wait(page, "main form button[type=submit].primary")
    institution = Institution.objects.get(name=NAME)
    assert institution.full_day

    press_and_wait(page, f"main a[href='{reverse('institutions:class_add')}'] >> nth=0")
    type_into(page, "input[name=name]", "托大一班")
    choose(page, "select[name=class_type]", "older")
    type_into(page, "input[name=places]", "20")
    type_into(page, "input[name=caregivers]", "3")
    press_and_wait(page, "main form button[type=submit].primary")
    assert institution.classes.count() == 1

    # A draft initial filing, its six documents, submit.
    press_and_wait(page, f"nav.main-nav a[href='{reverse('filings:mine')}']")
    choose(page, "select[name=kind]", "initial")
    press_and_wait(page, "[data-testid=create-filing]")
    filing = Filing.objects.get(institution=institution)
    lease = (timezone.localdate() + datetime.timedelta(days=365 * 5)).isoformat()
    upload(page, filing, "business_licence", "营业执照.pdf")
    upload(page, filing, "premises", "租赁合同.pdf", lease=lease)
    upload(page, filing, "staff_certificates", "人员证书.pdf")
    upload(page, filing, "health_evaluation", "卫生评价报告.pdf", rated="pass")
    upload(page, filing, "fire_safety", "消防.pdf")
    upload(page, filing, "commitment", "备案承诺书.pdf")
    assert filing.documents.count() == 6
    press_and_wait(page, "[data-testid=submit]")
    filing.refresh_from_db()
    assert filing.status == Filing.Status.SUBMITTED
    sign_out(page)

    # The county official: the queue from the navigation, the filing, a document's preview, file it.
    sign_in(page, live_server, county_official.username)
    press_and_wait(page, f"nav.main-nav a[href='{reverse('filings:queue')}']")
    press_and_wait(page, f"[data-testid=queue] a[href='{reverse('filings:detail', args=[filing.pk])}']")
    press_and_wait(page, "[data-testid=documents] [data-testid^=preview-] >> nth=0")
    assert page.get_by_test_id("documents").locator("iframe").count() == 1
    screenshot(page, "keyboard-review")
    press_and_wait(page, "[data-testid=approve]")
    filing.refresh_from_db()
    assert filing.status == Filing.Status.FILED
    with translation.override("zh-hans"):
        assert page.get_by_test_id("filing-status").inner_text().strip() == filing.get_status_display()


def test_larger_text_switch_stays_on_and_the_page_never_scrolls_sideways(page, live_server, regions,
                                                                         county_official):
    page.goto(f"{live_server.url}/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    press_and_wait(page, "[data-testid=text-size]")
    assert page.get_by_test_id("text-size").get_attribute("aria-pressed") == "true"
    larger = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    assert larger >= normal * 1.2

    # It holds after signing in, on the next pages, and at 200 % zoom of a phone (195 CSS pixels).
    sign_in(page, live_server, county_official.username)
    page.set_viewport_size({"width": 195, "height": 422})
    for url in ("/", reverse("filings:queue"), reverse("institutions:list")):
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate("document.documentElement.classList.contains('text-large')"), url
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 196, f"{url} is {width}px wide at 195px with larger text"
    screenshot(page, "larger-text-195")

    # And off again.
    press_and_wait(page, "[data-testid=text-size]")
    assert page.get_by_test_id("text-size").get_attribute("aria-pressed") == "false"
    assert not page.evaluate("document.documentElement.classList.contains('text-large')")
