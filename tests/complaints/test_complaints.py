"""Complaints: anyone files one from the register and follows it by reference; the county answers it in
working days; the complainant's contact is the handling county's alone."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from complaints import services
from complaints.models import Complaint
from filings.models import Holiday
from institutions.models import Institution
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

CONTACT = {"name": "王女士", "phone": "13912345678", "email": "wang@example.cn"}


@pytest.fixture
def filed(institution):
    return services.complaint_submit(institution=institution, category="safety",
                                     description="楼梯没有护栏，孩子差点摔下。", **CONTACT)


def _post_complaint(client, institution, **extra):
    data = {"category": "care", "description": "午睡时无人看护。", "name": "李先生", "phone": "13700000000", **extra}
    return client.post(reverse("complaints:submit", args=[institution.pk]), data)


# --- Filing and following ----------------------------------------------------------------------------

def test_anyone_files_a_complaint_from_the_register_and_follows_it(client, institution):
    page = client.get(reverse("institutions:register_detail", args=[institution.pk]))
    assert reverse("complaints:submit", args=[institution.pk]) in page.content.decode()
    response = _post_complaint(client, institution)
    assert response.status_code == 302
    shown = client.get(response.url).content.decode()
    complaint = Complaint.objects.get()
    assert complaint.reference in shown
    token = shown.split('data-testid="token">')[1].split("<")[0]
    assert complaint.token_hash == services.token_hash(token) and token not in complaint.token_hash
    # Shown once: the page does not show the secret again.
    assert client.get(reverse("complaints:filed")).status_code == 302

    looked_up = client.post(reverse("complaints:track"), {"reference": complaint.reference, "token": token})
    body = looked_up.content.decode()
    assert looked_up.status_code == 200 and complaint.get_status_display() in body
    assert "午睡时无人看护" not in body and "李先生" not in body  # status and answer only


def test_lookup_with_a_wrong_secret_finds_nothing(client, filed):
    response = client.post(reverse("complaints:track"), {"reference": filed.complaint.reference, "token": "WRONG23456"})
    assert response.status_code == 400 and 'data-testid="lookup-result"' not in response.content.decode()


def test_complaint_is_routed_to_the_institutions_county_with_a_working_day_deadline(institution):
    # A township's institution goes to its county; a day off in the window pushes the deadline.
    received = datetime.date(2026, 9, 28)  # a Monday
    Holiday.objects.create(date=datetime.date(2026, 10, 1), kind=Holiday.Kind.DAY_OFF, name="国庆节")
    assert services.answer_due_on(received) == datetime.date(2026, 10, 20)  # 15 working days, one off
    filed = services.complaint_submit(institution=institution, category="fees", description="乱收费")
    assert filed.complaint.county_id == "130102"
    assert filed.complaint.due_on == services.answer_due_on(timezone.localdate())


def test_only_listed_institutions_take_complaints(client, regions):
    draft = InstitutionFactory(status=Institution.Status.DRAFT, filed_on=None)
    assert client.get(reverse("complaints:submit", args=[draft.pk])).status_code == 404
    with pytest.raises(ValidationError) as refused:
        services.complaint_submit(institution=draft, category="other", description="x")
    assert "institution" in refused.value.message_dict


def test_the_honeypot_keeps_robots_out(client, institution):
    response = _post_complaint(client, institution, website="http://spam.example")
    assert response.status_code == 302 and not Complaint.objects.exists()


def test_filing_is_throttled_per_address(client, api_client, institution, monkeypatch, require_redis):
    from complaints.throttling import ComplaintThrottle

    monkeypatch.setattr(ComplaintThrottle, "THROTTLE_RATES", {"complaint": "2/hour"})
    assert _post_complaint(client, institution).status_code == 302
    assert _post_complaint(client, institution).status_code == 302
    refused = _post_complaint(client, institution)
    assert refused.status_code == 429 and 'data-testid="throttled"' in refused.content.decode()
    # The API counts against the same address.
    api = api_client.post("/api/v1/register/complaints/", {"institution": institution.pk, "category": "other",
                                                           "description": "x"}, format="json")
    assert api.status_code == 429
    assert Complaint.objects.count() == 2


def test_filing_is_audited_without_the_text_or_the_contact(filed):
    entry = AuditEntry.objects.get(action="complaint.submit")
    assert entry.region_code == "130102" and entry.institution_id is None
    assert "王女士" not in str(entry.after) and "楼梯" not in str(entry.after)


# --- The county's queue and answer --------------------------------------------------------------------

def test_county_answers_and_the_complainant_reads_the_answer(client, county_official, filed):
    client.force_login(county_official)
    queue = client.get(reverse("complaints:queue")).content.decode()
    assert filed.complaint.reference in queue
    response = client.post(reverse("complaints:detail", args=[filed.complaint.pk]),
                           {"answer": "已责令整改并加装护栏。"})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.status == Complaint.Status.ANSWERED and complaint.answered_by == county_official
    assert AuditEntry.objects.filter(action="complaint.answer", actor=county_official).exists()
    client.logout()
    public = client.post(reverse("complaints:track"), {"reference": complaint.reference, "token": filed.token})
    assert "已责令整改并加装护栏" in public.content.decode()


def test_a_second_answer_is_a_conflict(county_official, filed):
    services.complaint_answer(complaint=filed.complaint, actor=county_official, answer="已处理")
    with pytest.raises(services.Conflict):
        services.complaint_answer(complaint=filed.complaint, actor=county_official, answer="再次")


def test_overdue_complaints_are_flagged_on_the_county_queue(client, county_official, filed):
    Complaint.objects.filter(pk=filed.complaint.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(county_official)
    page = client.get(reverse("complaints:queue"), {"overdue": "on"}).content.decode()
    assert filed.complaint.reference in page and 'class="is-overdue"' in page
    assert Complaint.objects.overdue().count() == 1


def test_city_official_reads_the_complaint_but_cannot_answer(client, city_official, filed):
    client.force_login(city_official)
    url = reverse("complaints:detail", args=[filed.complaint.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"answer": "城市答复"}).status_code == 403
    assert Complaint.objects.get().status == Complaint.Status.RECEIVED


def test_queue_queries_do_not_grow_with_the_list(client, county_official, institution, django_assert_max_num_queries):
    client.force_login(county_official)
    for _ in range(3):
        services.complaint_submit(institution=institution, category="other", description="x")
    client.get(reverse("complaints:queue"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("complaints:queue"))
    for _ in range(20):
        services.complaint_submit(institution=institution, category="other", description="x")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("complaints:queue"))
    assert len(many) == len(few)


# --- The complainant's contact ------------------------------------------------------------------------

def test_handling_county_reads_the_contact_and_the_read_is_audited(client, county_official, filed):
    client.force_login(county_official)
    page = client.get(reverse("complaints:contact", args=[filed.complaint.pk]))
    assert page.status_code == 200 and "13912345678" in page.content.decode()
    assert AuditEntry.objects.filter(action="complaint.contact_view", actor=county_official).count() == 1


@pytest.mark.parametrize("who", ["city_official", "province_official", "other_county_official",
                                 "township_official", "admin_user", "staff"])
def test_nobody_else_gets_the_contact_page_or_api(client, api_client, request, who, filed):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("complaints:contact", args=[filed.complaint.pk])).status_code == 404
    api_client.force_authenticate(user)
    response = api_client.get(f"/api/v1/complaints/{filed.complaint.pk}/contact/")
    assert response.status_code == 404
    assert "13912345678" not in response.content.decode()
    # Nor does any page or list of the complaint carry it.
    for url in (reverse("complaints:queue"), reverse("complaints:detail", args=[filed.complaint.pk])):
        assert "13912345678" not in client.get(url).content.decode()
    assert not AuditEntry.objects.filter(action="complaint.contact_view").exists()


def test_other_county_gets_404_on_the_complaint(client, api_client, other_county_official, filed):
    client.force_login(other_county_official)
    assert client.get(reverse("complaints:detail", args=[filed.complaint.pk])).status_code == 404
    api_client.force_authenticate(other_county_official)
    assert api_client.get(f"/api/v1/complaints/{filed.complaint.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/complaints/{filed.complaint.pk}/answer/", {"answer": "x"},
                           format="json").status_code == 404
    assert api_client.get("/api/v1/complaints/").json()["count"] == 0


def test_the_institutions_staff_never_see_complaints(client, api_client, staff, filed):
    client.force_login(staff)
    assert client.get(reverse("complaints:detail", args=[filed.complaint.pk])).status_code == 404
    api_client.force_authenticate(staff)
    assert api_client.get("/api/v1/complaints/").json()["count"] == 0
    # Nor through the institution's history.
    assert not AuditEntry.objects.visible_to(staff).filter(action__startswith="complaint.").exists()


# --- API ------------------------------------------------------------------------------------------------

def test_public_api_files_and_looks_up(api_client, institution, county_official):
    created = api_client.post("/api/v1/register/complaints/", {
        "institution": institution.pk, "category": "health", "description": "餐具未消毒", "phone": "13600000000"},
        format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) >= {"reference", "token", "status", "due_on"} and "phone" not in body
    lookup = {"reference": body["reference"], "token": body["token"]}
    assert api_client.post("/api/v1/register/complaints/lookup/", lookup, format="json").json()["status"] == "received"
    assert api_client.post("/api/v1/register/complaints/lookup/", {**lookup, "token": "X" * 10},
                           format="json").status_code == 404

    api_client.force_authenticate(county_official)
    pk = api_client.get("/api/v1/complaints/").json()["results"][0]["id"]
    answered = api_client.post(f"/api/v1/complaints/{pk}/answer/", {"answer": "已核查"}, format="json")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert api_client.post(f"/api/v1/complaints/{pk}/answer/", {"answer": "again"}, format="json").status_code == 409
    assert api_client.get(f"/api/v1/complaints/{pk}/contact/").json()["phone"] == "13600000000"
    api_client.force_authenticate(None)
    public = api_client.post("/api/v1/register/complaints/lookup/", lookup, format="json").json()
    assert public["public_answer"] == "已核查"


def test_open_on_counts_complaints_open_on_a_date(county_official, filed):
    today = timezone.localdate()
    assert Complaint.objects.open_on(today).count() == 1
    assert Complaint.objects.open_on(today - datetime.timedelta(days=1)).count() == 0
    services.complaint_answer(complaint=filed.complaint, actor=county_official, answer="已处理")
    assert Complaint.objects.open_on(today).count() == 0


# --- A targeted inspection after a complaint ---------------------------------------------------------

def test_county_opens_a_targeted_inspection_once(client, api_client, county_official, city_official, filed):
    from supervision.models import Inspection

    client.force_login(city_official)
    assert client.post(reverse("complaints:open_inspection", args=[filed.complaint.pk])).status_code == 403
    client.force_login(county_official)
    response = client.post(reverse("complaints:open_inspection", args=[filed.complaint.pk]),
                           {"reason": "核查楼梯护栏"})
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.kind, inspection.source, inspection.source_reference) == (
        "targeted", "complaint", filed.complaint.reference)
    assert Complaint.objects.get().inspection == inspection
    assert AuditEntry.objects.filter(action="complaint.inspection_open").exists()
    page = client.get(reverse("complaints:detail", args=[filed.complaint.pk])).content.decode()
    assert 'data-testid="inspection-link"' in page
    api_client.force_authenticate(county_official)
    again = api_client.post(f"/api/v1/complaints/{filed.complaint.pk}/inspection/", {}, format="json")
    assert again.status_code == 409 and Inspection.objects.count() == 1
