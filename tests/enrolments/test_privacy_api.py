"""The API of guardians' requests and bulk-export approvals: the pages' services, the pages' rules.

Actors: the institution's staff and a colleague, another institution's staff, officials of the area, an
administrator. A foreign object is a 404; officials see no request, no approval and no child's name.
"""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from enrolments import exporting, requests
from enrolments.models import Child, ExportApproval, ExportLog, GuardianRequest
from tests.factories import UserFactory, api_token

REQUESTS = "/api/v1/guardian-requests/"
APPROVALS = "/api/v1/export-approvals/"


@pytest.fixture
def colleague(institution):
    return UserFactory(username="staff_a2", institution=institution)


def _body(child, **extra):
    return {"child": child.pk, "kind": "correction", "requested_on": datetime.date.today().isoformat(),
            "requester_name": "王芳", "requester_relation": "mother", "details": "名字写错了", **extra}


def _record(child, actor, kind="correction"):
    return requests.guardian_request_record(child=child, kind=kind, requested_on=datetime.date.today(),
                                            requester_name="王芳", requester_relation="mother", actor=actor)


def _bulk_request(staff, settings):
    settings.CHILD_EXPORT_APPROVAL_ROWS = 0
    return exporting.export_approval_request(institution=staff.institution, fmt="csv", purpose="转园材料",
                                             actor=staff)


# --- Guardians' requests ------------------------------------------------------------------------------

def test_staff_record_a_request_and_read_it_back(api_client, staff, enrolled):
    api_client.force_authenticate(staff)
    response = api_client.post(REQUESTS, _body(enrolled), format="json")
    assert response.status_code == 201, response.content
    item = GuardianRequest.objects.get()
    assert response.json()["due_on"] == item.due_on.isoformat() and response.json()["overdue"] is False
    assert (item.child, item.kind, item.recorded_by) == (enrolled, "correction", staff)
    entry = AuditEntry.objects.get(action="guardian_request.record")
    assert entry.actor == staff and entry.after["child"] == enrolled.pk
    assert [r["id"] for r in api_client.get(REQUESTS).json()["results"]] == [item.pk]
    assert api_client.get(f"{REQUESTS}{item.pk}/").json()["requester_name"] == "王芳"


def test_staff_answer_a_correction_through_the_service_and_a_repeat_is_409(api_client, staff, register):
    child = register("李小鸣")
    item = _record(child, staff)
    api_client.force_authenticate(staff)
    response = api_client.post(f"{REQUESTS}{item.pk}/answer/", {"answer": "已更正姓名", "name": "李小明"},
                               format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "answered"
    assert Child.objects.get(pk=child.pk).name == "李小明"
    assert AuditEntry.objects.get(action="child.correct").after == {"fields": ["name"]}
    assert AuditEntry.objects.get(action="guardian_request.answer").after["corrected"] == ["name"]
    again = api_client.post(f"{REQUESTS}{item.pk}/answer/", {"answer": "再次"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_a_deletion_of_a_child_who_attends_is_refused_and_nothing_changes(api_client, staff, enrolled):
    item = _record(enrolled, staff, kind="deletion")
    api_client.force_authenticate(staff)
    response = api_client.post(f"{REQUESTS}{item.pk}/answer/", {"answer": "已删除"}, format="json")
    assert response.status_code == 400 and "answer" in response.json()["error"]["fields"]
    assert GuardianRequest.objects.get(pk=item.pk).status == "open"
    assert Child.objects.get(pk=enrolled.pk).name == "李小明"


def test_an_answer_without_text_is_400_naming_the_field(api_client, staff, enrolled):
    item = _record(enrolled, staff)
    api_client.force_authenticate(staff)
    response = api_client.post(f"{REQUESTS}{item.pk}/answer/", {}, format="json")
    assert response.status_code == 400 and "answer" in response.json()["error"]["fields"]


@pytest.mark.parametrize("who", ["other_staff", "county_official", "city_official", "province_official"])
def test_requests_are_invisible_to_everyone_else(api_client, staff, enrolled, who, request):
    item = _record(enrolled, staff)
    api_client.force_authenticate(request.getfixturevalue(who))
    listing = api_client.get(REQUESTS)
    assert listing.status_code == 200 and listing.json()["results"] == []
    assert "李小明" not in listing.content.decode() and "王芳" not in listing.content.decode()
    assert api_client.get(f"{REQUESTS}{item.pk}/").status_code == 404
    assert api_client.post(f"{REQUESTS}{item.pk}/answer/", {"answer": "x"}, format="json").status_code == 404
    assert GuardianRequest.objects.get(pk=item.pk).status == "open"


def test_officials_may_not_record_a_request(api_client, county_official, enrolled):
    api_client.force_authenticate(county_official)
    assert api_client.post(REQUESTS, _body(enrolled), format="json").status_code == 403
    assert not GuardianRequest.objects.exists()


def test_a_request_about_another_institutions_child_is_404(api_client, other_staff, enrolled):
    api_client.force_authenticate(other_staff)
    assert api_client.post(REQUESTS, _body(enrolled), format="json").status_code == 404
    assert not GuardianRequest.objects.exists()


def test_a_request_received_in_the_future_is_400(api_client, staff, enrolled):
    api_client.force_authenticate(staff)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = api_client.post(REQUESTS, _body(enrolled, requested_on=tomorrow), format="json")
    assert response.status_code == 400 and "requested_on" in response.json()["error"]["fields"]


def test_numbers_where_text_or_ids_belong_are_400_not_stored_as_text(api_client, staff, enrolled):
    api_client.force_authenticate(staff)
    for wrong in ({"details": 0}, {"requester_name": 12}, {"child": str(enrolled.pk)}, {"child": True}):
        response = api_client.post(REQUESTS, {**_body(enrolled), **wrong}, format="json")
        assert response.status_code == 400 and set(wrong) <= set(response.json()["error"]["fields"]), wrong
    assert not GuardianRequest.objects.exists()


def test_an_administrator_answers_on_the_institutions_behalf(api_client, staff, admin_user, enrolled):
    item = _record(enrolled, staff, kind="access")
    api_client.force_authenticate(admin_user)
    assert [r["id"] for r in api_client.get(REQUESTS).json()["results"]] == [item.pk]
    response = api_client.post(f"{REQUESTS}{item.pk}/answer/", {"answer": "已提供副本"}, format="json")
    assert response.status_code == 200
    assert AuditEntry.objects.get(action="guardian_request.answer").actor == admin_user


def test_a_read_only_token_cannot_record_a_request(api_client, staff, enrolled):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(staff, scopes=['enrolments:read'])}")
    assert api_client.get(REQUESTS).status_code == 200
    assert api_client.post(REQUESTS, _body(enrolled), format="json").status_code == 403
    assert not GuardianRequest.objects.exists()


def test_the_request_list_takes_a_fixed_number_of_queries(api_client, staff, enrolled, django_assert_max_num_queries):
    api_client.force_authenticate(staff)
    _record(enrolled, staff)
    with django_assert_max_num_queries(12) as one:
        api_client.get(REQUESTS)
    for _ in range(5):
        _record(enrolled, staff)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api_client.get(REQUESTS).json()["results"]) == 6


# --- Bulk-export approvals ----------------------------------------------------------------------------

def test_a_colleague_lists_pending_and_approves_then_the_requester_downloads_once(api_client, client, staff,
                                                                                  colleague, enrolled, settings):
    approval = _bulk_request(staff, settings)
    api_client.force_authenticate(colleague)
    pending = api_client.get(APPROVALS, {"status": "pending"}).json()["results"]
    assert [(a["id"], a["requested_by"], a["rows"], a["decided_by"]) for a in pending] == [
        (approval.pk, "staff_a", 1, None)]
    response = api_client.post(f"{APPROVALS}{approval.pk}/approve/")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["decided_by"]) == ("approved", "staff_a2")
    assert api_client.get(APPROVALS, {"status": "pending"}).json()["results"] == []
    assert AuditEntry.objects.get(action="child_export.approve").actor == colleague
    assert api_client.post(f"{APPROVALS}{approval.pk}/refuse/").status_code == 409
    # The page's download follows the API's approval, once.
    client.force_login(staff)
    assert client.post(reverse("enrolments:export_fetch", args=[approval.pk])).status_code == 200
    assert ExportLog.objects.get().approval == approval


def test_the_requester_cannot_approve_their_own_export(api_client, staff, enrolled, settings):
    approval = _bulk_request(staff, settings)
    api_client.force_authenticate(staff)
    assert api_client.post(f"{APPROVALS}{approval.pk}/approve/").status_code == 403
    assert ExportApproval.objects.get(pk=approval.pk).status == "pending"
    assert not AuditEntry.objects.filter(action__in=["child_export.approve", "child_export.refuse"]).exists()


def test_a_colleague_refuses_and_the_export_cannot_be_downloaded(api_client, staff, colleague, enrolled, settings):
    approval = _bulk_request(staff, settings)
    api_client.force_authenticate(colleague)
    assert api_client.post(f"{APPROVALS}{approval.pk}/refuse/").json()["status"] == "refused"
    assert AuditEntry.objects.get(action="child_export.refuse").actor == colleague
    assert api_client.post(f"{APPROVALS}{approval.pk}/approve/").status_code == 409


def test_an_administrator_may_approve(api_client, staff, admin_user, enrolled, settings):
    approval = _bulk_request(staff, settings)
    api_client.force_authenticate(admin_user)
    assert api_client.post(f"{APPROVALS}{approval.pk}/approve/").status_code == 200


@pytest.mark.parametrize("who", ["other_staff", "county_official", "province_official"])
def test_approvals_are_invisible_to_everyone_else(api_client, staff, enrolled, settings, who, request):
    approval = _bulk_request(staff, settings)
    api_client.force_authenticate(request.getfixturevalue(who))
    listing = api_client.get(APPROVALS)
    assert listing.status_code == 200 and listing.json()["results"] == []
    for verb in ("approve", "refuse"):
        assert api_client.post(f"{APPROVALS}{approval.pk}/{verb}/").status_code == 404
    assert ExportApproval.objects.get(pk=approval.pk).status == "pending"


def test_the_approval_list_takes_a_fixed_number_of_queries(api_client, staff, colleague, enrolled, settings,
                                                           django_assert_max_num_queries):
    _bulk_request(staff, settings)
    api_client.force_authenticate(colleague)
    with django_assert_max_num_queries(12) as one:
        api_client.get(APPROVALS)
    for _ in range(4):
        approval = _bulk_request(staff, settings)
    exporting.export_approval_decide(approval=approval, approve=True, actor=colleague)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api_client.get(APPROVALS).json()["results"]) == 5
