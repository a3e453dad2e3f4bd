"""Rectification orders: the institution's answer, the inspectors' decision, escalation when overdue."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require_visible
from audit.services import audit_record
from filings.models import Notification
from portal.dispatch import dispatch_on_commit

from ..models import (
    Inspection,
    RectificationOrder,
    RectificationResponse,
)
from .common import _ensure_inspector, _notify_institution, _state_error, _store_evidence


@transaction.atomic
def rectification_answer(*, order: RectificationOrder, text: str, actor, files=()) -> RectificationResponse:
    """The institution says what it put right, with evidence (photos or scans). Guarded: only an open
    order takes an answer; a second answer waits for the inspector's decision on the first."""
    require_visible(policies.is_staff_of(actor, order.inspection.institution_id),
                    _("Only the institution's own staff answer its rectification order."),
                    user=actor, obj=order)
    if not (text or "").strip():
        raise ValidationError({"text": _("Say what was put right.")})
    if not RectificationOrder.objects.filter(pk=order.pk, status=RectificationOrder.Status.OPEN).update(
            status=RectificationOrder.Status.ANSWERED, updated_at=timezone.now()):
        raise _state_error(_("This order is not waiting for an answer (answered already, or rectified)."))
    order.refresh_from_db()
    response = RectificationResponse.objects.create(order=order, text=text.strip(), submitted_by=actor,
                                                    submitted_on=timezone.localdate())
    for file in files:
        _store_evidence(inspection=order.inspection, response=response, file=file, actor=actor, photos_only=False)
    audit_record(actor=actor, action="rectification.answer", target=response,
                 after={"order": order.pk, "files": len(files)})
    return response


@transaction.atomic
def rectification_decide(*, order: RectificationOrder, accept: bool, actor, note: str = "") -> RectificationOrder:
    """The inspector accepts the answer (the order is rectified, the inspection closed) or reopens the
    order (the deadline stays: a reopened order past it is overdue). Guarded: a repeat is refused."""
    inspection = order.inspection
    _ensure_inspector(actor, inspection)
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"note": _("Say what is still to be put right.")})
    response = order.responses.filter(decision="").order_by("-submitted_at").first()
    new_status = RectificationOrder.Status.ACCEPTED if accept else RectificationOrder.Status.OPEN
    updates = {"status": new_status, "updated_at": timezone.now()}
    if accept:
        updates["rectified_on"] = response.submitted_on if response else timezone.localdate()
    if response is None or not RectificationOrder.objects.filter(
            pk=order.pk, status=RectificationOrder.Status.ANSWERED).update(**updates):
        raise _state_error(_("This order has no answer waiting for a decision."))
    RectificationResponse.objects.filter(pk=response.pk).update(
        decision=RectificationResponse.Decision.ACCEPTED if accept else RectificationResponse.Decision.REOPENED,
        decision_note=note, decided_by=actor, decided_at=timezone.now())
    if accept:
        Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.CLOSED, updated_at=timezone.now())
    order.refresh_from_db()
    audit_record(actor=actor, action="rectification.accept" if accept else "rectification.reopen", target=order,
                 after={"status": order.status, "note": note,
                        "rectified_on": str(order.rectified_on) if order.rectified_on else None})
    if not accept:
        _notify_institution(inspection, Notification.Event.RECTIFICATION, lambda: _(
            "The inspector reopened the rectification order: %(note)s The deadline stays %(date)s.") % {
            "note": note, "date": order.due_on})
    return order


def rectifications_escalate_overdue(on: datetime.date | None = None) -> int:
    """Daily (beat): marks every order past its deadline and not rectified as escalated, once, with an audit
    row each, and e-mails the county's officials through the outbox. Safe to repeat: an order is
    escalated once. Returns how many were escalated."""
    on = on or timezone.localdate()
    escalated = 0
    due = list(RectificationOrder.objects.overdue(on).filter(escalated_at__isnull=True)
               .values_list("pk", flat=True)[:1000])
    for pk in due:
        with transaction.atomic():
            if not RectificationOrder.objects.filter(pk=pk, escalated_at__isnull=True).update(
                    escalated_at=timezone.now()):
                continue
            order = RectificationOrder.objects.select_related("inspection__institution").get(pk=pk)
            audit_record(actor=None, action="rectification.escalate", target=order,
                         after={"due_on": str(order.due_on), "status": order.status})
            from ..tasks import send_escalation_notice

            dispatch_on_commit(send_escalation_notice, order_id=pk)
            _notify_institution(order.inspection, Notification.Event.ESCALATED, lambda order=order: _(
                "The rectification deadline %(date)s has passed; the county health commission was told.") % {
                "date": order.due_on})
            escalated += 1
    return escalated
