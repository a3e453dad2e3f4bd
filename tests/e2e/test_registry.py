"""Browser journey of the registry: a staff member registers an institution and adds its classes;
the public finds a filed institution in the register on a phone."""

import pytest

from institutions.models import Institution
from tests.e2e.conftest import fill_institution_form, login, screenshot
from tests.factories import InstitutionClassFactory, InstitutionFactory, UserFactory

pytestmark = pytest.mark.e2e


def test_staff_register_an_institution_and_add_classes(page, live_server, regions):
    UserFactory(username="newcomer")
    login(page, live_server, "newcomer")
    page.click("[data-testid=register-card]")
    fill_institution_form(page, name="长安区新苗托育中心", address="建设大街1号")
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/institutions/mine/")
    assert page.locator("[data-testid=status]").inner_text() == "草稿"

    page.click("text=新增托班 >> nth=0")
    page.fill("input[name=name]", "豆豆一班")
    page.select_option("select[name=class_type]", "older")
    page.fill("input[name=places]", "20")
    page.fill("input[name=caregivers]", "2")
    page.click("form button[type=submit].primary")
    assert "豆豆一班" in page.locator(".field.has-error").inner_text()  # 20 places need 3 caregivers
    page.fill("input[name=caregivers]", "3")
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/institutions/mine/")
    assert page.locator("[data-testid=total-places]").inner_text().startswith("20")
    screenshot(page, "registry-staff-mine")


def test_public_find_a_filed_institution_on_a_phone(phone_page, live_server, regions):
    institution = InstitutionFactory(region_id="130102001", name="长安区阳光托育园", filing_number="130102-2021-0001",
                                     status=Institution.Status.FILED)
    InstitutionClassFactory(institution=institution, name="托大一班", places=20)
    InstitutionFactory(region_id="130502", name="襄都区小星星托育园")
    phone_page.goto(f"{live_server.url}/institutions/register/")
    phone_page.select_option("select[name=region]", "1301")
    phone_page.click("form[role=search] button[type=submit]")
    table = phone_page.locator("[data-testid=register]").inner_text()
    assert "长安区阳光托育园" in table and "130102-2021-0001" in table and "襄都区" not in table
    screenshot(phone_page, "registry-public-register-phone")
    phone_page.click("text=长安区阳光托育园")
    assert "托大一班" in phone_page.content()
