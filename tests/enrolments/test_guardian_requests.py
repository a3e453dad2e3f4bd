"""A guardian's request to see, correct or delete a child's data: recorded, answered within 15 working
days (overdue after), the correction applied through the service, every step in the log."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from enrolments import requests, services
from enrolments.models import Child, GuardianRequest
from filings.workdays import add_working_days


def _record(child, actor, kind="correction", on=None):
    return requests.guardian_request_record(child=child, kind=kind, requested_on=on or datetime.date.today(),
                                            requester_name="王芳", requester_relation="mother",
                                            details="名字写错了", actor=actor)


def test_a_request_is_due_in_15_working_days_and_overdue_after(staff, register, today):
    child = register("李小明")
    monday = today - datetime.timedelta(days=today.weekday() + 28)
    item = _record(child, staff, on=monday)
    assert item.due_on == add_working_days(monday, 15) >= monday + datetime.timedelta(days=21)
    assert item.is_overdue(today) and GuardianRequest.objects.overdue(today).get() == item
    fresh = _record(child, staff)
    assert not fresh.is_overdue(today)
    assert AuditEntry.objects.filter(action="guardian_request.record").count() == 2


def test_a_correction_is_applied_through_the_service_and_logged_without_values(staff, register):
    child = register("李小鸣")
    item = _record(child, staff)
    requests.guardian_request_answer(request=item, answer="已更正姓名", corrections={"name": "李小明"}, actor=staff)
    child.refresh_from_db()
    item.refresh_from_db()
    assert child.name == "李小明" and item.status == "answered" and item.answered_by == staff
    correct = AuditEntry.objects.get(action="child.correct")
    assert correct.after == {"fields": ["name"]} and "李小明" not in str(correct.after)
    answer = AuditEntry.objects.get(action="guardian_request.answer")
    assert answer.after["corrected"] == ["name"] and answer.after["on_time"] is True
    with pytest.raises(ValidationError):  # answered already
        requests.guardian_request_answer(request=item, answer="再次", actor=staff)


def test_a_deletion_erases_the_record_once_the_child_has_left(staff, enrolled, today):
    item = _record(enrolled, staff, kind="deletion")
    with pytest.raises(ValidationError, match="still attends"):
        requests.guardian_request_answer(request=item, answer="已删除", actor=staff)
    assert GuardianRequest.objects.get(pk=item.pk).status == "open"  # nothing half-done
    services.enrolment_end(enrolment=enrolled.enrolments.get(), end_date=today + datetime.timedelta(days=1),
                           reason="family_choice", actor=staff)
    requests.guardian_request_answer(request=item, answer="已删除", actor=staff)
    child = Child.objects.get(pk=enrolled.pk)
    assert child.erased_at is not None and child.name == ""
    assert AuditEntry.objects.get(action="child.erase").after["reason"] == "guardian_request"
    assert GuardianRequest.objects.get(pk=item.pk).requester_name == ""


def test_other_institutions_and_officials_cannot_record_or_answer(staff, other_staff, county_official, register):
    child = register("李小明")
    for who in (other_staff, county_official):
        with pytest.raises(PermissionDenied):
            _record(child, who)
    item = _record(child, staff)
    with pytest.raises(PermissionDenied):
        requests.guardian_request_answer(request=item, answer="x", actor=other_staff)


def test_the_pages_record_list_and_answer_a_request(client, staff, other_staff, register, today):
    child = register("李小鸣")
    client.force_login(staff)
    response = client.post(reverse("enrolments:guardian_requests"), {
        "child": child.pk, "kind": "correction", "requested_on": today.isoformat(), "requester_name": "王芳",
        "requester_relation": "mother", "details": "名字写错了"})
    assert response.status_code == 302
    item = GuardianRequest.objects.get()
    listing = client.get(reverse("enrolments:guardian_requests")).content.decode()
    assert f'data-testid="request-{item.pk}"' in listing and 'data-testid="overdue"' not in listing
    response = client.post(reverse("enrolments:guardian_request", args=[item.pk]),
                           {"answer": "已更正", "name": "李小明"})
    assert response.status_code == 302
    assert Child.objects.get(pk=child.pk).name == "李小明"
    client.force_login(other_staff)
    assert client.get(reverse("enrolments:guardian_request", args=[item.pk])).status_code == 404


def test_the_list_flags_overdue_requests(client, staff, register, today):
    child = register("李小明")
    _record(child, staff, on=today - datetime.timedelta(days=40))
    client.force_login(staff)
    assert 'data-testid="overdue"' in client.get(reverse("enrolments:guardian_requests")).content.decode()
