import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from enrolments import services
from enrolments.models import Child, Enrolment

from .helpers import born_months_ago, csv_bytes, import_row, resident_id


def test_staff_list_and_read_children_with_masked_numbers_and_audit(api_client, staff, enrolled):
    api_client.force_authenticate(staff)
    data = api_client.get("/api/v1/children/").json()
    assert [c["name"] for c in data["results"]] == ["李小明"]
    assert data["results"][0]["document_masked"] == enrolled.document_masked
    assert "document_number" not in data["results"][0]
    assert api_client.get(f"/api/v1/children/{enrolled.pk}/").status_code == 200
    assert AuditEntry.objects.filter(action="child.view", target_id=str(enrolled.pk)).exists()


@pytest.mark.parametrize("who", ["other_staff", "county_official", "city_official", "province_official"])
def test_children_and_enrolments_are_404_to_everyone_else(api_client, enrolled, who, request):
    user = request.getfixturevalue(who)
    api_client.force_authenticate(user)
    e = Enrolment.objects.get()
    assert api_client.get(f"/api/v1/children/{enrolled.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/enrolments/{e.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/enrolments/{e.pk}/end/", {"end_date": "2030-01-01", "reason": "other"},
                           format="json").status_code == 404
    listing = api_client.get("/api/v1/children/")
    assert listing.status_code == 200 and listing.json()["results"] == []


def test_official_api_responses_contain_no_names_or_numbers(api_client, enrolled, county_official, province_official):
    number = enrolled.document_number()
    for official in (county_official, province_official):
        api_client.force_authenticate(official)
        for url in ("/api/v1/occupancy/", "/api/v1/enrolment-reports/completeness/", "/api/v1/enrolment-reports/",
                    "/api/v1/children/", "/api/v1/enrolments/"):
            response = api_client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            assert "李小明" not in body and number not in body and enrolled.document_masked not in body
    api_client.force_authenticate(county_official)
    areas = api_client.get("/api/v1/occupancy/").json()
    assert areas["total"]["places"] == 3 and areas["total"]["enrolled"] == 1
    assert areas["total"]["utilisation"] == "33.3"


def test_staff_cannot_read_area_aggregates(api_client, staff):
    api_client.force_authenticate(staff)
    assert api_client.get("/api/v1/occupancy/").status_code == 403


def test_register_enrol_move_end_through_the_api(api_client, staff, older_class, institution, today):
    from tests.factories import InstitutionClassFactory

    second = InstitutionClassFactory(institution=institution, name="托大二班", class_type="older", places=20,
                                     caregivers=3)
    born = born_months_ago(26)
    api_client.force_authenticate(staff)
    r = api_client.post("/api/v1/children/", {
        "name": "周小雨", "sex": "male", "date_of_birth": born.isoformat(), "document_number": resident_id(born),
        "guardians": [{"name": "周强", "relation": "father", "phone": "13800001111"}],
        "consent": {"method": "written", "given_on": str(datetime.date.today()), "guardian_name": "周强"}},
        format="json")
    assert r.status_code == 201, r.json()
    child_id = r.json()["id"]
    r = api_client.post("/api/v1/enrolments/", {"child": child_id, "klass": older_class.pk, "care_form": "full_day",
                                                "start_date": today.isoformat()}, format="json")
    assert r.status_code == 201, r.json()
    e = r.json()["id"]
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    r = api_client.post(f"/api/v1/enrolments/{e}/move/", {"klass": second.pk, "on": tomorrow}, format="json")
    assert r.status_code == 201
    r = api_client.post(f"/api/v1/enrolments/{r.json()['id']}/end/",
                        {"end_date": (today + datetime.timedelta(days=5)).isoformat(), "reason": "moved_away"},
                        format="json")
    assert r.status_code == 200 and r.json()["leaving_reason"] == "moved_away"


def test_api_rule_errors_are_400_naming_the_child(api_client, staff, register, older_class, today):
    child = register("王小红", 8)
    api_client.force_authenticate(staff)
    r = api_client.post("/api/v1/enrolments/", {"child": child.pk, "klass": older_class.pk, "care_form": "full_day",
                                                "start_date": today.isoformat()}, format="json")
    assert r.status_code == 400 and "王小红" in r.json()["error"]["message"]


def test_import_endpoint_is_all_or_nothing_and_returns_the_row_table(api_client, staff, older_class):
    api_client.force_authenticate(staff)
    good, bad = import_row("赵一", 26, "托大一班", seq=1), import_row("钱二", 8, "托大一班", seq=2)
    r = api_client.post("/api/v1/enrolment-imports/", {"file": SimpleUploadedFile("a.csv", csv_bytes([good, bad]))},
                        format="multipart")
    assert r.status_code == 400
    assert r.json()["error"]["rows"][0]["row"] == 3 and Child.objects.count() == 0
    r = api_client.post("/api/v1/enrolment-imports/", {"file": SimpleUploadedFile("a.csv", csv_bytes([good]))},
                        format="multipart")
    assert r.status_code == 201 and r.json()["enrolments_created"] == 1
    r = api_client.post("/api/v1/enrolment-imports/", {"file": SimpleUploadedFile("a.csv", csv_bytes([good]))},
                        format="multipart")
    assert r.status_code == 201 and r.json()["rows_unchanged"] == 1 and Enrolment.objects.count() == 1


def test_officials_cannot_import(api_client, county_official):
    api_client.force_authenticate(county_official)
    r = api_client.post("/api/v1/enrolment-imports/", {"file": SimpleUploadedFile("a.csv", b"x")}, format="multipart")
    assert r.status_code == 403


def test_enrolment_list_queries_do_not_grow(api_client, staff, register, institution, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import InstitutionClassFactory

    classes = [InstitutionClassFactory(institution=institution, name=f"大{i}班", class_type="older", places=20,
                                       caregivers=3) for i in range(3)]
    api_client.force_authenticate(staff)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api_client.get("/api/v1/children/").status_code == 200
            assert api_client.get("/api/v1/enrolments/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(55):
        if i == 5:
            five = count()
        services.enrolment_create(child=register(f"甲{i}", 26), klass=classes[i // 20], care_form="full_day",
                                  start_date=today, actor=staff)
    assert count() == five


def test_report_api_for_staff_and_officials(api_client, staff, county_official, regions, today):
    from enrolments.models import ReportingPeriodSetting

    ReportingPeriodSetting.objects.create(province_id="13", period_days=90,
                                          first_period_starts=today - datetime.timedelta(days=200))
    start = services.recent_periods(services.reporting_setting("13"), today, 1)[0][0]
    api_client.force_authenticate(staff)
    r = api_client.post("/api/v1/enrolment-reports/", {"period_start": start.isoformat()}, format="json")
    assert r.status_code == 201, r.json()
    rid = r.json()["id"]
    assert api_client.post(f"/api/v1/enrolment-reports/{rid}/confirm/").status_code == 200
    assert api_client.post(f"/api/v1/enrolment-reports/{rid}/submit/").json()["status"] == "submitted"
    api_client.force_authenticate(county_official)
    data = api_client.get(f"/api/v1/enrolment-reports/completeness/?period_start={start.isoformat()}").json()
    # Submitted today, 6 days after the due date: reported, but late.
    assert (data["total"]["expected"], data["total"]["actual"], data["total"]["on_time"]) == (1, 1, 0)
    assert api_client.post(f"/api/v1/enrolment-reports/{rid}/confirm/").status_code == 403


def test_unknown_ids_in_filters_are_empty_results_and_bad_ids_and_dates_are_400(api_client, staff,
                                                                                 county_official):
    api_client.force_authenticate(staff)
    assert api_client.get("/api/v1/enrolments/?klass=999999&child=999999").json()["results"] == []
    assert api_client.get("/api/v1/enrolment-reports/?institution=999999").status_code == 200
    for bad in ("0", "1.3549981696052929e%2B57", "abc"):
        response = api_client.get(f"/api/v1/enrolment-reports/?institution={bad}")
        assert response.status_code == 400 and "institution" in response.json()["error"]["fields"]
    assert api_client.get("/api/v1/enrolments/?klass=abc").status_code == 400
    api_client.force_authenticate(county_official)
    assert api_client.get("/api/v1/occupancy/?on=").status_code == 400
    assert api_client.get("/api/v1/enrolment-reports/completeness/?period_start=").status_code == 400
    assert api_client.get("/api/v1/enrolment-reports/completeness/?period_start=0001-01-01").status_code in (200, 400)
    assert api_client.get("/api/v1/enrolment-reports/completeness/?period_start=9999-12-31").status_code == 400
