"""Onboarding an existing province: filed institutions imported from the national system's export."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit.models import AuditEntry
from filings.models import Filing
from institutions.models import Institution, InstitutionClass, OnboardingJob
from tests.factories import InstitutionFactory, make_credit_code
from tests.institutions.onboarding_helpers import export_csv, export_xlsx, row

pytestmark = pytest.mark.django_db
on_commit = None
URL = "/api/v1/onboarding-imports/"


@pytest.fixture(autouse=True)
def eager_tasks(monkeypatch, django_capture_on_commit_callbacks):
    """Tasks run in-process, once the request's transaction commits (as a worker would run them)."""
    from portal.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)
    monkeypatch.setattr(app.conf, "task_eager_propagates", True)
    global on_commit
    on_commit = django_capture_on_commit_callbacks


def upload(api_client, user, data: bytes, name="export.csv", language="en", **fields):
    api_client.force_authenticate(user)
    api_client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    with on_commit(execute=True):
        return api_client.post(URL, {"file": SimpleUploadedFile(name, data), **fields}, format="multipart")


def confirm(api_client, job_id):
    with on_commit(execute=True):
        return api_client.post(f"{URL}{job_id}/confirm/")


def test_province_official_checks_then_imports_filed_institutions(api_client, province_official, regions):
    rows = [row(1), row(2, region="130102001", infant_classes="1", infant_places="10"), row(3, region="130502")]
    response = upload(api_client, province_official, export_csv(rows))
    assert response.status_code == 202, response.content
    job = api_client.get(f"{URL}{response.json()['id']}/").json()
    assert job["status"] == "checked" and job["errors"] == []
    assert (job["institutions_found"], job["places_found"]) == (3, 50 + 60 + 50)
    assert not Institution.objects.filter(name__startswith="导入").exists()  # the dry run wrote nothing

    response = confirm(api_client, job["id"])
    assert response.status_code == 202
    job = api_client.get(f"{URL}{job['id']}/").json()
    assert job["status"] == "done" and job["institutions_created"] == 3

    second = Institution.objects.with_places().get(name="导入托育园2")
    assert (second.status, second.filed_on, second.region_id, second.total_places) == (
        "filed", datetime.date(2021, 6, 30), "130102001", 60)
    assert sorted(InstitutionClass.objects.filter(institution=second).values_list("name", "places")) == [
        ("乳儿班", 10), ("托大班1", 18), ("托大班2", 17), ("托小班", 15)]
    filing = Filing.objects.get(institution=second)
    assert (filing.status, filing.imported, filing.receipt_number) == ("filed", True, "130102001-2021-00002")
    assert AuditEntry.objects.filter(action="institution.import").count() == 3
    assert AuditEntry.objects.filter(action="onboarding.import").count() == 1
    # The events feed tells the province's systems, places included.
    events = api_client.get("/api/v1/events/", {"type": "institution.imported"}).json()["events"]
    assert sorted(e["data"]["places"] for e in events) == [50, 50, 60]
    # Confirming twice imports nothing twice.
    assert confirm(api_client, job["id"]).status_code == 409
    assert Institution.objects.filter(name__startswith="导入").count() == 3


def test_the_dry_run_names_every_row_and_column_error_in_the_users_language(api_client, province_official,
                                                                            regions):
    good = row(1)
    bad_code = make_credit_code("130102", n=5)
    bad_code = bad_code[:17] + ("0" if bad_code[17] != "0" else "1")
    rows = [good,
            row(2, credit_code=bad_code),
            row(3, region="140105"),  # Shanxi, not Hebei
            row(4, older_classes="1", older_places="25"),
            row(5, receipt_number=good["receipt_number"]),
            row(6, filed_on="2999-01-01"),
            row(7, legal_form="个体户"),
            row(8, filed_on="30/06/2021")]
    response = upload(api_client, province_official, export_csv(rows), language="zh-hans")
    job = api_client.get(f"{URL}{response.json()['id']}/").json()
    assert job["status"] == "failed"
    found = {(e["row"], e["column"]) for e in job["errors"]}
    assert found == {(3, "统一社会信用代码"), (4, "区划代码"), (5, "托大班托位数"), (6, "备案回执编号"),
                     (7, "备案日期"), (8, "法人类型"), (9, "备案日期")}
    messages = {e["row"]: e["message"] for e in job["errors"]}
    assert "校验" in messages[3] and "山西" not in messages[4] and "河北省" in messages[4]
    assert Institution.objects.filter(name__startswith="导入").count() == 0


def test_the_dry_run_refuses_codes_and_receipts_already_in_the_portal(api_client, admin_user, regions):
    existing = InstitutionFactory(region_id="130102", credit_code=make_credit_code("130102", n=900001))
    response = upload(api_client, admin_user, export_csv([row(1), row(2)]), province="13")
    job = api_client.get(f"{URL}{response.json()['id']}/").json()
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(2, "统一社会信用代码")]
    assert existing.name not in str(job)


def test_a_record_taken_between_check_and_import_means_nothing_is_imported(api_client, province_official, regions):
    response = upload(api_client, province_official, export_csv([row(1), row(2), row(3)]))
    job_id = response.json()["id"]
    InstitutionFactory(region_id="130102", credit_code=make_credit_code("130102", n=900003))
    confirm(api_client, job_id)
    job = api_client.get(f"{URL}{job_id}/").json()
    assert job["status"] == "failed" and [(e["row"], e["column"]) for e in job["errors"]] == [(4, "统一社会信用代码")]
    assert Institution.objects.filter(name__startswith="导入").count() == 0
    assert not AuditEntry.objects.filter(action="institution.import").exists()


def test_xlsx_exports_with_date_cells_are_read(api_client, admin_user, regions):
    response = upload(api_client, admin_user, export_xlsx([row(1), row(2)]), name="export.xlsx", province="13")
    assert api_client.get(f"{URL}{response.json()['id']}/").json()["status"] == "checked"


@pytest.mark.parametrize("who", ["city_official", "county_official", "staff", "other_province_official"])
def test_only_administrators_and_the_provinces_officials_onboard_it(api_client, request, who, regions):
    user = request.getfixturevalue(who)
    response = upload(api_client, user, export_csv([row(1)]), province="13")
    assert response.status_code == 403
    assert not OnboardingJob.objects.exists()


def test_another_provinces_job_is_not_found(api_client, province_official, other_province_official, regions):
    job_id = upload(api_client, province_official, export_csv([row(1)])).json()["id"]
    api_client.force_authenticate(other_province_official)
    assert api_client.get(f"{URL}{job_id}/").status_code == 404
    assert api_client.post(f"{URL}{job_id}/confirm/").status_code == 404
    assert api_client.get(URL).json()["results"] == []


def test_the_import_writes_a_fixed_number_of_statements_per_batch(province_official, regions):
    from institutions import onboarding

    counts = []
    for start, n in ((0, 5), (100, 200)):
        data = export_csv([row(start + i) for i in range(n)])
        job = onboarding.onboarding_job_create(province=regions["13"], upload=SimpleUploadedFile("a.csv", data),
                                               actor=province_official)
        job = onboarding.onboarding_check(job)
        assert job.status == "checked", job.errors
        OnboardingJob.objects.filter(pk=job.pk).update(status="writing")
        with CaptureQueriesContext(connection) as ctx:
            assert onboarding.onboarding_import(job).status == "done"
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_pages_check_then_import(client, province_official, regions):
    client.force_login(province_official)
    with translation.override("zh-hans"):
        page = client.get("/institutions/onboarding/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert page.status_code == 200 and "统一社会信用代码" in page.content.decode()
        with on_commit(execute=True):
            response = client.post("/institutions/onboarding/", {
                "province": "13", "file": SimpleUploadedFile("export.csv", export_csv([row(1), row(2)]))})
        assert response.status_code == 302
        job_page = client.get(response["Location"])
        text = job_page.content.decode()
        assert 'data-status="checked"' in text and "onboarding-confirm" in text
        with on_commit(execute=True):
            client.post(response["Location"])
        done = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in done
    assert Institution.objects.filter(name__startswith="导入", status="filed").count() == 2
    assert client.get("/institutions/onboarding/template.csv").content.decode("utf-8-sig").startswith("机构名称,")


def test_the_institutions_page_links_to_onboarding_for_those_who_may(client, province_official, city_official):
    client.force_login(province_official)
    assert 'data-testid="onboarding-link"' in client.get("/institutions/").content.decode()
    client.force_login(city_official)
    assert 'data-testid="onboarding-link"' not in client.get("/institutions/").content.decode()
    assert client.get("/institutions/onboarding/").status_code == 404


def test_the_onboarding_pages_cost_the_same_queries_with_1_and_8_imports(client, province_official, regions):
    client.force_login(province_official)
    counts = []
    for n in (1, 8):
        jobs = [OnboardingJob.objects.create(province_id="13", created_by=province_official, filename=f"{n}-{i}.csv",
                                             errors=[{"row": 2, "column": "地址", "message": "请填写地址。"}] * 3,
                                             status="failed") for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/institutions/onboarding/").status_code == 200
            assert client.get(f"/institutions/onboarding/{jobs[-1].pk}/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
