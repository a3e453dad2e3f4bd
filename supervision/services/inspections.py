"""Inspections: opening (post-filing verification, targeted), assigning inspectors, recording items and
evidence, signing off (with its rectification order or non-compliance notice)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require_in_area
from audit.services import audit_record
from filings.models import Notification
from filings.workdays import add_working_days
from institutions.models import Institution, MentoringPair

from ..models import (
    RISK_ORDER,
    Checklist,
    ChecklistItem,
    Evidence,
    Inspection,
    Inspector,
    ItemRecord,
    NonComplianceNotice,
    RectificationOrder,
    Risk,
)
from .checklists import checklist_latest, checklists_ensure_shipped
from .common import _ensure_inspector, _notify_institution, _state_error, _store_evidence


def _default_checklist() -> Checklist:
    code = settings.SUPERVISION_VERIFICATION_CHECKLIST
    checklist = checklist_latest(code)
    if checklist is None:
        checklists_ensure_shipped()
        checklist = checklist_latest(code) or Checklist.objects.order_by("code", "-version").first()
    return checklist


@transaction.atomic
def verification_open(*, filing, decided_on: datetime.date) -> Inspection | None:
    """Opens the county's post-filing verification of an approved filing, due 15 working days after the
    decision (登记和备案办法: non-compliance is notified within 15 working days). Called in the approval's
    transaction by the `filing_approved` receiver; the actor is the system. A repeat for the same filing
    opens nothing (one verification per filing)."""
    if Inspection.objects.filter(filing_id=filing.pk, kind=Inspection.Kind.VERIFICATION).exists():
        return None
    due_on = add_working_days(decided_on, settings.SUPERVISION_VERIFICATION_WORKING_DAYS)
    inspection = Inspection.objects.create(institution_id=filing.institution_id, kind=Inspection.Kind.VERIFICATION,
                                           filing_id=filing.pk, checklist=_default_checklist(), due_on=due_on,
                                           mode=Inspection.Mode.DESK)
    audit_record(actor=None, action="inspection.verification_open", target=inspection,
                 after={"filing": filing.pk, "due_on": str(due_on)})
    return inspection


@transaction.atomic
def inspection_open_targeted(*, institution: Institution, actor, source: str, reason: str,
                             checklist: Checklist | None = None, inspectors=(), source_reference: str = "",
                             due_on: datetime.date | None = None) -> Inspection:
    """A targeted inspection (after a complaint or an incident), besides the random ones. Due in
    SUPERVISION_TARGETED_WORKING_DAYS working days unless a date is given. Not idempotent."""
    require_in_area(policies.supervises(actor, institution),
                    _("Only the county or city commission of the institution's area opens a targeted inspection."),
                    user=actor, region=institution.region_id)
    if source not in Inspection.Source.values:
        raise ValidationError({"source": _("Choose complaint, incident or other.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what led to the inspection.")})
    if institution.status not in (Institution.Status.FILED, Institution.Status.SUSPENDED):
        raise _state_error(_("Only a filed institution is inspected."))
    today = timezone.localdate()
    due_on = due_on or add_working_days(today, settings.SUPERVISION_TARGETED_WORKING_DAYS)
    inspection = Inspection(institution=institution, kind=Inspection.Kind.TARGETED, source=source,
                            source_reference=source_reference, reason=reason.strip(),
                            checklist=checklist or _default_checklist(), due_on=due_on)
    inspection.full_clean()
    inspection.save()
    users = _pool_users(inspection, list(inspectors)) if inspectors else []
    inspection.inspectors.set(users)
    audit_record(actor=actor, action="inspection.targeted_open", target=inspection,
                 after={"source": source, "reference": source_reference, "due_on": str(due_on),
                        "inspectors": [u.pk for u in users]})
    return inspection


def _pool_users(inspection: Inspection, users: list) -> list:
    """The users, if each is an active inspector without a conflict with the institution."""
    pool = {i.user_id: i for i in Inspector.objects.active().filter(user__in=users)}
    conflicts = _conflicted_affiliations(inspection.institution_id)
    for user in users:
        inspector = pool.get(user.pk)
        if inspector is None:
            raise ValidationError({"inspectors": _("%(name)s is not in an inspector pool.") % {"name": user}})
        if inspector.affiliation_id in conflicts:
            raise ValidationError({"inspectors": _(
                "%(name)s is affiliated with this institution or its mentoring partner.") % {"name": user}})
    return users


def _conflicted_affiliations(institution_id: int) -> set[int]:
    pairs = MentoringPair.objects.filter(ended_on__isnull=True).filter(
        Q(mentor_id=institution_id) | Q(mentee_id=institution_id)).values_list("mentor_id", "mentee_id")
    return {institution_id} | {pk for pair in pairs for pk in pair}


@transaction.atomic
def inspection_assign(*, inspection: Inspection, inspectors: list, actor, mode: str | None = None) -> Inspection:
    """Sets who inspects an open verification or targeted inspection, and how (desk or on site).
    Random inspections keep their drawn inspectors. Repeating it with the same people changes nothing."""
    require_in_area(policies.supervises(actor, inspection.institution),
                    _("Only the county or city commission of the institution's area assigns inspectors."),
                    user=actor, region=inspection.institution.region_id)
    if inspection.kind == Inspection.Kind.RANDOM:
        raise _state_error(_("A random inspection keeps the inspectors drawn for it."))
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != Inspection.Status.ASSIGNED:
        raise _state_error(_("This inspection is signed off: its inspectors no longer change."))
    if not inspectors:
        raise ValidationError({"inspectors": _("Choose at least one inspector.")})
    users = _pool_users(inspection, list(inspectors))
    before = sorted(inspection.inspectors.values_list("pk", flat=True))
    inspection.inspectors.set(users)
    if mode:
        if mode not in Inspection.Mode.values:
            raise ValidationError({"mode": _("Choose on site or desk check.")})
        inspection.mode = mode
        inspection.save(update_fields=["mode", "updated_at"])
    audit_record(actor=actor, action="inspection.assign", target=inspection, before={"inspectors": before},
                 after={"inspectors": sorted(u.pk for u in users), "mode": inspection.mode})
    return inspection


# --- Recording an inspection ----------------------------------------------------------------------

def _open_inspection(inspection: Inspection) -> Inspection:
    locked = Inspection.objects.select_for_update().select_related("institution").get(pk=inspection.pk)
    if locked.status != Inspection.Status.ASSIGNED:
        raise _state_error(_("This inspection is signed off: its records no longer change."))
    return locked


@transaction.atomic
def item_record(*, inspection: Inspection, item: ChecklistItem, outcome: str, actor, note: str = "") -> ItemRecord:
    """Records (or corrects, until sign-off) the outcome of one item. A finding needs a note. Repeating it
    with the same values changes nothing but the time."""
    _ensure_inspector(actor, inspection)
    inspection = _open_inspection(inspection)
    if item.checklist_id != inspection.checklist_id:
        raise ValidationError({"item": _("This item is not on the inspection's checklist.")})
    if outcome not in ItemRecord.Outcome.values:
        raise ValidationError({"outcome": _("Choose meets the requirement, finding or not applicable.")})
    note = (note or "").strip()
    if outcome == ItemRecord.Outcome.FINDING and not note:
        raise ValidationError({"note": _("Describe the finding: the institution must know what to put right.")})
    record = ItemRecord.objects.filter(inspection=inspection, item=item).first()
    before = {"outcome": record.outcome, "note": record.note} if record else None
    if record is None:
        record = ItemRecord(inspection=inspection, item=item)
    record.outcome, record.note, record.recorded_by = outcome, note, actor
    record.full_clean(exclude=["inspection", "item"])
    record.save()
    audit_record(actor=actor, action="inspection.record_item", target=record, before=before,
                 after={"item": item.code, "outcome": outcome, "note": note})
    return record


@transaction.atomic
def evidence_add(*, record: ItemRecord, file, actor) -> Evidence:
    """A photo of what the inspector saw, on one item record. Not idempotent: each call adds a photo."""
    inspection = record.inspection
    _ensure_inspector(actor, inspection)
    inspection = _open_inspection(inspection)
    return _store_evidence(inspection=inspection, record=record, file=file, actor=actor, photos_only=True)


def evidence_record_view(*, evidence: Evidence, actor) -> None:
    """Audit-logs that a user opened an evidence file (photos of premises may show people)."""
    audit_record(actor=actor, action="evidence.view", target=evidence)


def _rectification_days(findings: dict[str, int]) -> int:
    days = settings.SUPERVISION_RECTIFICATION_WORKING_DAYS
    for risk in RISK_ORDER:
        if findings[risk]:
            return days[risk]
    return days[Risk.LOW]


@transaction.atomic
def inspection_sign_off(*, inspection: Inspection, actor, summary: str = "", mode: str | None = None) -> Inspection:
    """Signs the inspection off once every item is recorded. Findings → a rectification order due in working
    days by the highest risk found (SUPERVISION_RECTIFICATION_WORKING_DAYS), and for a verification the
    non-compliance notice (不符合要求告知) with the items, published on the register. No findings → closed.
    Guarded: a repeat is refused and changes nothing."""
    _ensure_inspector(actor, inspection)
    inspection = _open_inspection(inspection)
    records = list(inspection.records.select_related("item"))
    missing = inspection.checklist.items.exclude(pk__in=[r.item_id for r in records]).count()
    if missing:
        raise ValidationError({"records": _("%(n)d items are not recorded yet.") % {"n": missing}})
    if mode:
        if mode not in Inspection.Mode.values:
            raise ValidationError({"mode": _("Choose on site or desk check.")})
        inspection.mode = mode
    findings = dict.fromkeys(RISK_ORDER, 0)
    for r in records:
        if r.outcome == ItemRecord.Outcome.FINDING:
            findings[r.item.risk] += 1
    now = timezone.now()
    today = timezone.localdate(now)
    has_findings = any(findings.values())
    inspection.status = Inspection.Status.SIGNED_OFF if has_findings else Inspection.Status.CLOSED
    inspection.result = Inspection.Result.FINDINGS if has_findings else Inspection.Result.COMPLIANT
    inspection.inspected_on, inspection.signed_off_at, inspection.signed_off_by = today, now, actor
    inspection.summary = (summary or "").strip()
    inspection.findings_high, inspection.findings_medium, inspection.findings_low = (
        findings[Risk.HIGH], findings[Risk.MEDIUM], findings[Risk.LOW])
    inspection.save()
    order = None
    if has_findings:
        order = RectificationOrder.objects.create(
            inspection=inspection, issued_on=today, due_on=add_working_days(today, _rectification_days(findings)))
        if inspection.kind == Inspection.Kind.VERIFICATION:
            items = [{"code": r.item.code, "area": r.item.area, "text": r.item.text, "risk": r.item.risk}
                     for r in records if r.outcome == ItemRecord.Outcome.FINDING]
            notice = NonComplianceNotice.objects.create(inspection=inspection, issued_on=today, items=items)
            audit_record(actor=actor, action="notice.noncompliance_issue", target=notice,
                         after={"items": [i["code"] for i in items]})
    audit_record(actor=actor, action="inspection.sign_off", target=inspection,
                 after={"result": inspection.result, "findings": findings, "mode": inspection.mode,
                        "rectification_due_on": str(order.due_on) if order else None})
    _notify_institution(inspection, Notification.Event.INSPECTION, lambda: _(
        "%(kind)s of %(date)s: %(result)s (findings: %(high)d high, %(medium)d medium, %(low)d low risk).") % {
        "kind": inspection.get_kind_display(), "date": inspection.inspected_on,
        "result": inspection.get_result_display(),
        "high": findings[Risk.HIGH], "medium": findings[Risk.MEDIUM], "low": findings[Risk.LOW]})
    if order:
        _notify_institution(inspection, Notification.Event.RECTIFICATION, lambda: _(
            "Put the findings right and answer with evidence by %(date)s.") % {"date": order.due_on})
    return inspection
