"""Staff import a class list: one bad row shows the error table and imports nothing; fixed, it fills
the class lists."""

import pytest

from enrolments.models import Enrolment
from institutions.models import InstitutionClass
from tests.enrolments.helpers import csv_bytes, import_row
from tests.factories import InstitutionClassFactory

from .conftest import login, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def eager_tasks(monkeypatch):
    from portal.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)


def _upload(page, live_server, data: bytes):
    page.goto(f"{live_server.url}/enrolments/import/")
    page.set_input_files("input[name=file]", files=[{"name": "名单.csv", "mimeType": "text/csv", "buffer": data}])
    page.get_by_test_id("import-submit").click()
    page.wait_for_selector("[data-testid=import-status][data-status=done], "
                           "[data-testid=import-status][data-status=failed]")


def test_staff_import_with_a_bad_row_then_fixed(page, live_server, staff, institution, eager_tasks):
    InstitutionClassFactory(institution=institution, name="托大一班", class_type=InstitutionClass.ClassType.OLDER,
                            places=20, caregivers=3)
    InstitutionClassFactory(institution=institution, name="托小一班", class_type=InstitutionClass.ClassType.YOUNGER,
                            places=15, caregivers=3)
    rows = [import_row("赵一一", 26, "托大一班", seq=11), import_row("钱二二", 30, "托大一班", seq=12, sex="female"),
            import_row("孙三三", 14, "托小一班", seq=13)]
    bad = import_row("李四四", 9, "托大一班", seq=14)  # 9 months old in an older toddler class

    login(page, live_server, staff.username)
    _upload(page, live_server, csv_bytes([*rows, bad]))
    errors = page.get_by_test_id("import-errors")
    assert errors.is_visible()
    text = errors.inner_text()
    assert "5" in text and "班级" in text and "李四四" in text
    assert Enrolment.objects.count() == 0
    screenshot(page, "enrolment-import-errors")

    fixed = import_row("李四四", 27, "托大一班", seq=14)
    _upload(page, live_server, csv_bytes([*rows, fixed]))
    assert "4" in page.get_by_test_id("import-result").inner_text()
    page.click("text=查看班级名单")
    page.wait_for_load_state("networkidle")
    older = page.get_by_test_id("class-托大一班")
    assert "3 / 20" in older.get_by_test_id("occupancy").inner_text()
    for name in ("赵一一", "钱二二", "李四四"):
        assert name in older.inner_text()
    assert "孙三三" in page.get_by_test_id("class-托小一班").inner_text()
    screenshot(page, "enrolment-class-lists")


def test_class_list_and_import_page_work_on_a_phone(phone_page, live_server, staff, institution):
    InstitutionClassFactory(institution=institution, name="托大一班", class_type=InstitutionClass.ClassType.OLDER,
                            places=20, caregivers=3)
    login(phone_page, live_server, staff.username)
    for path in ("/enrolments/", "/enrolments/import/"):
        phone_page.goto(f"{live_server.url}{path}")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"{path} must not scroll sideways on a phone"
