"""Supervision tells the inspected institution's staff, through the notifications they already read for their
filings: an inspection's result, a rectification demand and its deadline, an escalation, a suspension
notice and its decision. Each notification and its e-mail (an outbox row) are written in the service's
transaction: a rollback leaves neither."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from filings.models import Notification
from filings.tasks import send_filing_notifications
from portal.models import TaskOutbox
from supervision import services
from tests.conftest import require_service
from tests.factories import UserFactory

from .conftest import record_all

EMAIL_TASK = send_filing_notifications.name


@pytest.fixture
def second_staff(institution):
    return UserFactory(username="staff_a2", institution=institution, email="a2@example.org")


def _outbox_ids() -> set[int]:
    """The notification ids the outbox holds e-mails for."""
    return {i for row in TaskOutbox.objects.filter(task_name=EMAIL_TASK) for i in row.kwargs["notification_ids"]}


def _eager() -> bool:
    from portal.celery import app

    return bool(app.conf.task_always_eager)


def _signed_off(inspection, inspector, findings):
    record_all(inspection, inspector, findings)
    return services.inspection_sign_off(inspection=inspection, actor=inspector)


def test_a_sign_off_with_findings_tells_every_staff_member_the_result_and_the_deadline(
        inspection, inspectors, staff, second_staff, other_staff):
    require_service(not _eager(), "a Celery broker (the outbox is used only with one)")
    _signed_off(inspection, inspectors[0].user, {"HS-13": "消毒剂放在婴幼儿可触及处"})
    order = inspection.rectification
    rows = Notification.objects.filter(institution=inspection.institution)
    assert {(n.user_id, n.event) for n in rows} == {
        (u.pk, e) for u in (staff, second_staff) for e in (Notification.Event.INSPECTION,
                                                         Notification.Event.RECTIFICATION)}
    assert not Notification.objects.filter(user=other_staff).exists()
    demand = rows.get(user=staff, event=Notification.Event.RECTIFICATION)
    assert str(order.due_on) in demand.message
    assert demand.link == reverse("supervision:inspection", args=[inspection.pk]) and demand.filing_id is None
    assert "高风险1项" in rows.get(user=staff, event=Notification.Event.INSPECTION).message  # the portal's language
    assert set(rows.values_list("pk", flat=True)) <= _outbox_ids()


def test_a_compliant_inspection_tells_the_result_and_demands_nothing(inspection, inspectors, staff):
    _signed_off(inspection, inspectors[0].user, {})
    assert list(Notification.objects.filter(user=staff).values_list("event", flat=True)) == [
        Notification.Event.INSPECTION]


def test_a_rolled_back_sign_off_leaves_no_notification_and_no_e_mail(inspection, inspectors, staff):
    require_service(not _eager(), "a Celery broker (the outbox is used only with one)")
    record_all(inspection, inspectors[0].user, {"HS-13": "x"})
    with pytest.raises(RuntimeError), transaction.atomic():
        services.inspection_sign_off(inspection=inspection, actor=inspectors[0].user)
        made = set(Notification.objects.filter(user=staff).values_list("pk", flat=True))
        assert len(made) == 2 and made <= _outbox_ids()  # written in the sign-off's transaction
        raise RuntimeError("the request failed after the sign-off")
    assert not Notification.objects.exists()
    assert not TaskOutbox.objects.filter(task_name=EMAIL_TASK).exists()
    inspection.refresh_from_db()
    assert inspection.signed_off_at is None


def test_a_reopened_order_demands_again_with_the_deadline(inspection, inspectors, staff):
    _signed_off(inspection, inspectors[0].user, {"HS-11": "户外活动不足"})
    order = inspection.rectification
    services.rectification_answer(order=order, text="已调整作息", actor=staff)
    services.rectification_decide(order=order, accept=False, actor=inspectors[0].user, note="缺少户外活动记录。")
    reopened = Notification.objects.filter(user=staff, event=Notification.Event.RECTIFICATION).first()
    assert "缺少户外活动记录" in reopened.message and str(order.due_on) in reopened.message


def test_an_escalation_tells_the_institution_once_and_a_rollback_takes_it_back(inspection, inspectors, staff):
    _signed_off(inspection, inspectors[0].user, {"HS-13": "x"})
    late = inspection.rectification.due_on + datetime.timedelta(days=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.rectifications_escalate_overdue(on=late)
        assert Notification.objects.filter(user=staff, event=Notification.Event.ESCALATED).count() == 1
        raise RuntimeError
    assert not Notification.objects.filter(event=Notification.Event.ESCALATED).exists()
    services.rectifications_escalate_overdue(on=late)
    services.rectifications_escalate_overdue(on=late)
    escalated = Notification.objects.filter(user=staff, event=Notification.Event.ESCALATED)
    assert escalated.count() == 1 and str(inspection.rectification.due_on) in escalated.get().message
    if not _eager():
        assert escalated.get().pk in _outbox_ids()


def test_a_suspension_notice_and_its_decision_reach_the_staff(inspection, inspectors, staff, county_official):
    _signed_off(inspection, inspectors[0].user, {"HS-15": "午睡室无人看护"})
    notice = services.suspension_notice_issue(inspection=inspection, reason="婴幼儿无人看护。", actor=county_official)
    told = Notification.objects.get(user=staff, event=Notification.Event.SUSPENSION_NOTICE)
    assert "婴幼儿无人看护" in told.message and str(notice.object_by) in told.message
    services.suspension_notice_decide(notice=notice, suspend=False, actor=county_official, note="已整改")
    decided = Notification.objects.get(user=staff, event=Notification.Event.SUSPENSION_DECIDED)
    assert decided.message == "暂停收托告知已撤回。"


def test_staff_read_them_on_their_notifications_page_and_by_e_mail(client, inspection, inspectors, staff,
                                                                   other_staff, mailoutbox):
    staff.email = "staff@example.org"
    staff.save(update_fields=["email"])
    _signed_off(inspection, inspectors[0].user, {"HS-13": "x"})
    client.force_login(staff)
    page = client.get(reverse("filings:notifications")).content.decode()
    link = reverse("supervision:inspection", args=[inspection.pk])
    assert page.count(f'href="{link}"') == 2 and "责令限期整改" in page
    assert client.get(link).status_code == 200  # the link opens for the staff it was sent to
    client.force_login(other_staff)
    assert link not in client.get(reverse("filings:notifications")).content.decode()
    mailoutbox.clear()
    ids = list(Notification.objects.filter(user=staff).values_list("pk", flat=True))
    assert send_filing_notifications.apply(kwargs={"notification_ids": ids}).get() == 2
    assert all(inspection.institution.name in m.subject and link in m.body for m in mailoutbox)
    assert settings.LANGUAGE_CODE == "zh-hans"


def test_the_api_lists_them_with_their_link(api_client, inspection, inspectors, staff):
    _signed_off(inspection, inspectors[0].user, {})
    api_client.force_authenticate(staff)
    [item] = api_client.get("/api/v1/notifications/").json()["results"]
    assert item["event"] == "inspection" and item["filing"] is None
    assert item["link"] == reverse("supervision:inspection", args=[inspection.pk])
    assert item["institution"] == inspection.institution_id
