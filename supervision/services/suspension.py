"""Suspension after an immediate risk: the notice, the institution's objection, the county's decision."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require_in_area, require_visible
from audit.services import audit_record
from filings.models import Notification
from institutions import services as institution_services
from institutions.models import Institution

from ..models import (
    Inspection,
    ItemRecord,
    SuspensionNotice,
)
from .common import _notify_institution, _state_error


def _ensure_suspender(actor, institution: Institution) -> None:
    require_in_area(policies.suspends(actor, institution),
                    _("Only the county health commission the institution filed with may suspend it."),
                    user=actor, region=institution.region_id)


@transaction.atomic
def suspension_notice_issue(*, inspection: Inspection, reason: str, actor) -> SuspensionNotice:
    """Notice of intended suspension after an immediate-risk finding: the institution may object until
    SUPERVISION_OBJECTION_DAYS calendar days from today (14, as Ofsted gives). Refused without an
    immediate-risk finding, and while another notice of the inspection is pending."""
    _ensure_suspender(actor, inspection.institution)
    if not inspection.records.filter(outcome=ItemRecord.Outcome.FINDING, item__immediate_risk=True).exists():
        raise _state_error(_("Suspension follows only an immediate-risk finding of this inspection."))
    if inspection.suspension_notices.filter(status__in=SuspensionNotice.PENDING).exists():
        raise _state_error(_("A suspension notice of this inspection is already pending."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason: the institution answers it.")})
    today = timezone.localdate()
    notice = SuspensionNotice.objects.create(
        inspection=inspection, reason=reason.strip(), issued_on=today, issued_by=actor,
        object_by=today + datetime.timedelta(days=settings.SUPERVISION_OBJECTION_DAYS))
    audit_record(actor=actor, action="suspension_notice.issue", target=notice,
                 after={"object_by": str(notice.object_by), "reason": notice.reason})
    _notify_institution(inspection, Notification.Event.SUSPENSION_NOTICE, lambda: _(
        "Reason: %(reason)s You may object until %(date)s.") % {"reason": notice.reason, "date": notice.object_by})
    return notice


@transaction.atomic
def suspension_notice_object(*, notice: SuspensionNotice, objection: str, actor) -> SuspensionNotice:
    """The institution objects within the period. Guarded: once, and only in time."""
    require_visible(policies.is_staff_of(actor, notice.inspection.institution_id),
                    _("Only the institution's own staff object to its suspension notice."),
                    user=actor, obj=notice)
    if not (objection or "").strip():
        raise ValidationError({"objection": _("Write the objection.")})
    if timezone.localdate() > notice.object_by:
        raise _state_error(_("The period to object ended on %(date)s.") % {"date": notice.object_by})
    if not SuspensionNotice.objects.filter(pk=notice.pk, status=SuspensionNotice.Status.NOTIFIED).update(
            status=SuspensionNotice.Status.OBJECTED, objection=objection.strip(), objected_at=timezone.now()):
        raise _state_error(_("This notice no longer takes an objection."))
    notice.refresh_from_db()
    audit_record(actor=actor, action="suspension_notice.object", target=notice, after={"status": notice.status})
    return notice


@transaction.atomic
def suspension_notice_decide(*, notice: SuspensionNotice, suspend: bool, actor, note: str = "") -> SuspensionNotice:
    """The county decides: suspend (through institutions' suspension service, from today) or withdraw the
    notice. Suspension waits for the end of the period unless the institution has objected (and was
    heard). Guarded: decided once."""
    institution = notice.inspection.institution
    _ensure_suspender(actor, institution)
    today = timezone.localdate()
    if suspend and notice.status == SuspensionNotice.Status.NOTIFIED and today <= notice.object_by:
        raise _state_error(_("The institution may object until %(date)s: decide after that, or after its "
                             "objection.") % {"date": notice.object_by})
    status = SuspensionNotice.Status.SUSPENDED if suspend else SuspensionNotice.Status.WITHDRAWN
    if not SuspensionNotice.objects.filter(pk=notice.pk, status__in=SuspensionNotice.PENDING).update(
            status=status, decided_by=actor, decided_at=timezone.now(), decision_note=(note or "").strip()):
        raise _state_error(_("This notice is decided already."))
    notice.refresh_from_db()
    if suspend:
        institution_services.institution_suspend(institution=institution, suspended_on=today, actor=actor)
    audit_record(actor=actor, action="suspension_notice.decide", target=notice, after={"status": status})
    _notify_institution(notice.inspection, Notification.Event.SUSPENSION_DECIDED, lambda: (
        _("The institution is suspended from %(date)s.") % {"date": today} if suspend
        else _("The suspension notice was withdrawn.")))
    return notice
