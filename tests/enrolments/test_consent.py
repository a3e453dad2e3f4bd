"""A guardian's consent is recorded with every child before the record is kept (PIPL Art. 31)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from enrolments import importing, services
from enrolments.models import Child, Guardian
from tests.helpers import guardian_consent

from .helpers import born_months_ago, csv_bytes, import_row, resident_id


def _register(staff, consent):
    born = born_months_ago(26)
    return services.child_register(
        institution=staff.institution, name="周小雨", sex="male", date_of_birth=born, document_type="resident_id",
        document_number=resident_id(born), guardians=[{"name": "王芳", "relation": "mother", "phone": "139"}],
        consent=consent, actor=staff)


@pytest.mark.parametrize("consent, field", [
    (None, "consent_method"),
    (guardian_consent(method="oral"), "consent_method"),
    (guardian_consent(given_on=None), "consent_given_on"),
    (guardian_consent(given_on=datetime.date.today() + datetime.timedelta(days=1)), "consent_given_on"),
    (guardian_consent(guardian_name=" "), "consent_guardian"),
])
def test_a_child_without_complete_consent_is_not_kept(staff, consent, field):
    with pytest.raises(ValidationError) as caught:
        _register(staff, consent)
    assert field in caught.value.message_dict
    assert Child.objects.count() == 0 and Guardian.objects.count() == 0


def test_consent_is_kept_with_the_child_and_its_audit_row_holds_no_personal_data(staff):
    child = _register(staff, guardian_consent(method="electronic"))
    child.refresh_from_db()
    assert (child.consent_method, child.consent_given_on, child.consent_guardian_name) == (
        "electronic", datetime.date.today(), "王芳")
    assert child.consent_recorded_by == staff and child.consent_recorded_at is not None
    entry = AuditEntry.objects.get(action="child.register")
    text = str(entry.before) + str(entry.after)
    assert "周小雨" not in text and child.document_masked not in text and "document" not in entry.after
    assert entry.after["consent_method"] == "electronic"


def test_enrol_page_refuses_without_consent_and_names_the_field(client, staff, older_class):
    born = born_months_ago(26)
    client.force_login(staff)
    response = client.post(reverse("enrolments:enrol"), {
        "name": "周小雨", "sex": "male", "date_of_birth": born.isoformat(), "document_type": "resident_id",
        "document_number": resident_id(born), "guardian_name": "周强", "guardian_relation": "father",
        "guardian_phone": "13800001111", "consent_method": "", "consent_given_on": "",
        "klass": older_class.pk, "care_form": "full_day", "start_date": datetime.date.today().isoformat()},
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_consent_method_error"' in page and "监护人同意" in page
    assert Child.objects.count() == 0


def test_child_page_shows_the_consent(client, staff, register):
    child = register("李小明")
    client.force_login(staff)
    page = client.get(reverse("enrolments:child", args=[child.pk])).content.decode()
    assert 'data-testid="consent"' in page and "书面（签署同意书）" in page and "王芳" in page
    assert "consent-missing" not in page


def test_a_record_kept_before_consent_shows_it_and_staff_record_the_consent(client, staff, register):
    child = register("李小明")
    Child.objects.filter(pk=child.pk).update(consent_method="", consent_given_on=None, consent_guardian_name="")
    client.force_login(staff)
    page = client.get(reverse("enrolments:child", args=[child.pk])).content.decode()
    assert "未记录监护人同意" in page
    guardian = child.guardians.get()
    response = client.post(reverse("enrolments:consent", args=[child.pk]), {
        "guardian": guardian.pk, "consent_method": "written", "consent_given_on": datetime.date.today().isoformat()})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.consent_method == "written" and child.consent_guardian_name == "王芳"
    assert AuditEntry.objects.filter(action="child.consent_record", target_id=str(child.pk)).count() == 1
    # Recorded consent is not overwritten.
    with pytest.raises(ValidationError):
        services.child_consent_record(child=child, consent=guardian_consent(method="electronic"), actor=staff)


def test_staff_of_another_institution_cannot_record_consent(client, other_staff, register):
    child = register("李小明")
    client.force_login(other_staff)
    response = client.post(reverse("enrolments:consent", args=[child.pk]), {"consent_method": "written"})
    assert response.status_code == 404


def _import(staff, data):
    job = importing.import_job_create(institution=staff.institution, upload=SimpleUploadedFile("list.csv", data),
                                      actor=staff)
    return importing.import_execute(job, actor=staff)


def test_an_import_without_consent_columns_is_refused_naming_the_column(staff, older_class):
    from tests.helpers import csv_file

    headers = importing.HEADERS[:-2]
    job = _import(staff, csv_file(headers, [import_row("赵一", 26, "托大一班")[:-2]]))
    assert job.status == "failed"
    assert job.errors[0]["column"] == "监护人同意方式, 监护人同意日期"
    assert "监护人同意方式" in job.errors[0]["message"] and "consent" in job.errors[0]["message"]
    assert Child.objects.count() == 0


def test_an_import_row_without_consent_is_refused_and_nothing_imported(staff, older_class):
    good = import_row("赵一", 26, "托大一班", seq=1)
    bad = import_row("钱二", 26, "托大一班", seq=2)
    bad[-2] = ""
    job = _import(staff, csv_bytes([good, bad]))
    assert job.status == "failed"
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "监护人同意方式")]
    assert Child.objects.count() == 0


def test_an_import_records_the_consent_of_each_rows_guardian(staff, older_class):
    row = import_row("赵一", 26, "托大一班", seq=1)
    row[-2] = "电子"
    job = _import(staff, csv_bytes([row]))
    assert job.status == "done", job.errors
    child = Child.objects.get()
    assert (child.consent_method, child.consent_guardian_name, child.consent_recorded_by) == (
        "electronic", "王芳", staff)


def test_api_refuses_a_child_without_consent_and_shows_consent_when_read(api_client, staff):
    born = born_months_ago(26)
    api_client.force_authenticate(staff)
    body = {"name": "周小雨", "sex": "male", "date_of_birth": born.isoformat(), "document_number": resident_id(born),
            "guardians": [{"name": "周强", "relation": "father", "phone": "13800001111"}]}
    refused = api_client.post("/api/v1/children/", body, format="json")
    assert refused.status_code == 400 and "consent" in refused.json()["error"]["fields"]
    assert Child.objects.count() == 0
    body["consent"] = {"method": "electronic", "given_on": datetime.date.today().isoformat(), "guardian_name": "周强"}
    created = api_client.post("/api/v1/children/", body, format="json")
    assert created.status_code == 201, created.json()
    read = api_client.get(f"/api/v1/children/{created.json()['id']}/").json()
    assert read["consent"]["method"] == "electronic" and read["consent"]["guardian_name"] == "周强"
