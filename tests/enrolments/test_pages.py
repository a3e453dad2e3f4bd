import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from enrolments import services
from enrolments.models import Enrolment
from tests.factories import InstitutionClassFactory

from .helpers import csv_bytes, import_row


def test_class_list_shows_occupancy_and_children(client, staff, enrolled):
    client.force_login(staff)
    page = client.get(reverse("enrolments:classes")).content.decode()
    assert "托大一班" in page and "1 / 3" in page and "李小明" in page
    assert enrolled.document_masked in page and enrolled.document_number() not in page


def test_class_list_queries_do_not_grow_with_children(client, staff, institution, register, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    classes = [InstitutionClassFactory(institution=institution, name=f"大{i}班", class_type="older", places=20,
                                       caregivers=3) for i in range(3)]
    client.force_login(staff)

    def enrol(n, offset):
        for i in range(n):
            services.enrolment_create(child=register(f"童{offset + i}", 25 + i % 10), klass=classes[(offset + i) // 20],
                                      care_form="full_day", start_date=today, actor=staff)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("enrolments:classes")).status_code == 200
        return len(ctx.captured_queries)

    enrol(5, 0)
    five = count()
    enrol(50, 5)
    assert count() == five


def test_import_progress_fragment_polls_until_finished(client, staff, institution):
    from enrolments.models import ImportJob

    job = ImportJob.objects.create(institution=institution, filename="a.csv", total_rows=100, processed_rows=40,
                                   status="validating")
    client.force_login(staff)
    body = client.get(reverse("enrolments:import_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body and 'aria-valuenow="40"' in body and "htmx.min.js" in body
    ImportJob.objects.filter(pk=job.pk).update(status="done")
    body = client.get(reverse("enrolments:import_progress", args=[job.pk])).content.decode()
    assert "hx-get" not in body


def test_opening_a_child_record_is_audited(client, staff, enrolled):
    client.force_login(staff)
    response = client.get(reverse("enrolments:child", args=[enrolled.pk]))
    assert response.status_code == 200
    assert enrolled.document_number() in response.content.decode()
    assert AuditEntry.objects.filter(action="child.view", target_id=str(enrolled.pk), actor=staff).count() == 1


@pytest.mark.parametrize("who", ["other_staff", "county_official", "city_official", "province_official"])
def test_others_get_404_for_a_child_record(client, enrolled, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("enrolments:child", args=[enrolled.pk])).status_code == 404


def test_officials_pages_show_counts_but_no_names_or_numbers(client, enrolled, county_official, province_official):
    for official in (county_official, province_official):
        client.force_login(official)
        for name in ("enrolments:occupancy", "enrolments:reporting"):
            response = client.get(reverse(name))
            assert response.status_code == 200
            body = response.content.decode()
            assert "李小明" not in body and enrolled.document_masked not in body
            assert enrolled.document_number() not in body and enrolled.document_number()[:6] + "20" not in body
        assert client.get(reverse("enrolments:classes")).status_code == 404
    client.force_login(county_official)
    body = client.get(reverse("enrolments:occupancy")).content.decode()
    assert "33.3%" in body  # 1 enrolled / 3 places


def test_enrol_page_registers_and_enrols(client, staff, older_class, today):
    from .helpers import born_months_ago, resident_id

    born = born_months_ago(26)
    client.force_login(staff)
    response = client.post(reverse("enrolments:enrol"), {
        "name": "周小雨", "sex": "female", "date_of_birth": born.isoformat(), "document_type": "resident_id",
        "document_number": resident_id(born, sex="female"), "guardian_name": "周强", "guardian_relation": "father",
        "guardian_phone": "13800001111", "consent_method": "written",
        "consent_given_on": str(datetime.date.today()), "klass": older_class.pk, "care_form": "full_day",
        "start_date": today.isoformat()})
    assert response.status_code == 302
    assert Enrolment.objects.get().child.name == "周小雨"


def test_enrol_page_shows_the_rule_that_failed_and_saves_nothing(client, staff, older_class, today):
    from .helpers import born_months_ago, resident_id

    born = born_months_ago(8)
    client.force_login(staff)
    response = client.post(reverse("enrolments:enrol"), {
        "name": "周小雨", "sex": "male", "date_of_birth": born.isoformat(), "document_type": "resident_id",
        "document_number": resident_id(born), "guardian_name": "周强", "guardian_relation": "father",
        "guardian_phone": "13800001111", "consent_method": "written",
        "consent_given_on": str(datetime.date.today()), "klass": older_class.pk, "care_form": "full_day",
        "start_date": today.isoformat()})
    assert response.status_code == 400
    assert "周小雨" in response.content.decode() and "24" in response.content.decode()
    from enrolments.models import Child

    assert Child.objects.count() == 0


def test_move_and_withdraw_pages(client, staff, enrolled, institution, today):
    other = InstitutionClassFactory(institution=institution, name="托大二班", class_type="older", places=20,
                                    caregivers=3)
    e = Enrolment.objects.get()
    client.force_login(staff)
    tomorrow = today + datetime.timedelta(days=1)
    assert client.post(reverse("enrolments:move", args=[e.pk]), {"klass": other.pk, "on": tomorrow}).status_code == 302
    moved = Enrolment.objects.get(end_date__isnull=True)
    assert moved.klass == other
    response = client.post(reverse("enrolments:withdraw", args=[moved.pk]),
                           {"end_date": tomorrow + datetime.timedelta(days=1), "reason": "moved_away"})
    assert response.status_code == 302
    assert Enrolment.objects.count() == 2 and not Enrolment.objects.filter(end_date__isnull=True).exists()


def test_export_csv_and_xlsx_have_chinese_headers_and_masked_numbers(client, staff, enrolled):
    client.force_login(staff)
    body = client.post(reverse("enrolments:export"), {"purpose": "年度核对", "format": "csv"}).content.decode(
        "utf-8-sig")
    assert body.splitlines()[1].startswith("姓名,性别,出生日期,证件号码") and "李小明" in body
    assert enrolled.document_masked in body and enrolled.document_number() not in body
    xlsx = client.post(reverse("enrolments:export"), {"purpose": "年度核对", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEntry.objects.filter(action="child.export").count() == 2


def test_import_page_runs_the_job_and_shows_errors_then_success(client, staff, older_class, eager_tasks,
                                                                django_capture_on_commit_callbacks):
    client.force_login(staff)
    good = import_row("赵一", 26, "托大一班", seq=1)
    bad = import_row("钱二", 8, "托大一班", seq=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolments:import"),
                               {"file": SimpleUploadedFile("a.csv", csv_bytes([good, bad]))})
    body = client.get(response["Location"]).content.decode()
    assert "钱二" in body and "班级" in body and Enrolment.objects.count() == 0
    fixed = import_row("钱二", 27, "托大一班", seq=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrolments:import"),
                               {"file": SimpleUploadedFile("a.csv", csv_bytes([good, fixed]))})
    assert 'data-status="done"' in client.get(response["Location"]).content.decode()
    assert Enrolment.objects.count() == 2
    assert client.get(reverse("enrolments:import_template", args=["xlsx"])).status_code == 200


def test_due_page_lists_children(client, staff, enrolled):
    client.force_login(staff)
    assert client.get(reverse("enrolments:due")).status_code == 200


def test_a_child_who_left_can_be_enrolled_again(client, staff, enrolled, older_class, today):
    e = Enrolment.objects.get()
    services.enrolment_end(enrolment=e, end_date=today + datetime.timedelta(days=1), reason="family_choice",
                           actor=staff)
    client.force_login(staff)
    later = today + datetime.timedelta(days=10)
    response = client.post(reverse("enrolments:enrol_existing", args=[enrolled.pk]),
                           {"klass": older_class.pk, "care_form": "full_day", "start_date": later.isoformat()})
    assert response.status_code == 302
    assert Enrolment.objects.filter(child=enrolled).count() == 2


def _due_count_on_class_list(client) -> str:
    import re

    body = client.get(reverse("enrolments:classes")).content.decode()
    return re.search(r'<div class="figure">(\d+)</div><p><a href="/enrolments/due/"', body).group(1)


def test_class_list_and_due_list_count_the_same_children_and_a_withdrawn_child_leaves_both_at_once(
        client, staff, register, older_class, today):
    due = [register(name, 35, number=None) for name in ("甲一", "乙二", "丙三")]
    not_due = register("丁四", 26)
    for child in [*due, not_due]:
        services.enrolment_create(child=child, klass=older_class if child != not_due else
                                  InstitutionClassFactory(institution=older_class.institution, class_type="older",
                                                          places=20, caregivers=3),
                                  care_form="full_day", start_date=today - datetime.timedelta(days=5), actor=staff)
    client.force_login(staff)
    rows = client.get(reverse("enrolments:due")).context["notices"]
    assert sorted(n.enrolment.child.name for n in rows) == ["丙三", "乙二", "甲一"]
    assert _due_count_on_class_list(client) == "3"

    leaving = Enrolment.objects.get(child=due[0])
    services.enrolment_end(enrolment=leaving, end_date=today, reason="family_choice", actor=staff)
    assert len(client.get(reverse("enrolments:due")).context["notices"]) == 2
    assert _due_count_on_class_list(client) == "2"


def test_institution_page_shows_the_children_enrolled_in_each_class(client, staff, enrolled, older_class):
    client.force_login(staff)
    body = client.get(reverse("institutions:mine")).content.decode()
    assert '<td class="num" data-testid="class-enrolled">1</td>' in body
