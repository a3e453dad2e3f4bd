"""The filing lifecycle: open, edit, submit, return, approve (with its receipt number), reject, withdraw.

Status changes are guarded conditional UPDATEs: zero rows means someone else got there first, and
the caller gets a clear `FilingStateError` (the API answers 409) while nothing is written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from institutions import services as institution_services
from institutions.models import Institution, InstitutionClass
from institutions.signals import figures_changed
from portal.constraints import explains_constraints

from ..models import Filing, FilingReturnComment, Notification, ReceiptCounter
from ..signals import filing_approved
from ..workdays import decision_due_on
from .common import FilingStateError, ensure_reviewer, ensure_staff, snapshot, state_error
from .notifications import notify_staff
from .rules import completeness_problems, ensure_no_active_enrolments, validate_class_changes, validate_particulars

# --- Filing lifecycle -----------------------------------------------------------------------------

@explains_constraints
@transaction.atomic
def filing_create(*, institution: Institution, kind: str, actor, particulars: dict | None = None,
                  class_changes: list | None = None, resettlement_confirmed: bool = False,
                  note: str = "") -> Filing:
    """Opens a draft filing for the actor's institution. One audit row.

    Not idempotent: a second call while a filing is in progress is refused (one open filing per
    institution, also held by a database constraint).
    """
    ensure_staff(actor, institution.pk)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if kind not in Filing.Kind.values:
        raise ValidationError({"kind": _("Choose initial, change or cancellation.")})
    if Filing.objects.filter(institution=institution, status__in=Filing.OPEN).exists():
        raise FilingStateError(_("This institution already has a filing in progress: finish or withdraw it first."),
                               code="state")
    Status = Institution.Status
    if kind == Filing.Kind.INITIAL and institution.status != Status.DRAFT:
        raise FilingStateError(_("This institution is already filed: submit a change filing instead."), code="state")
    if kind in (Filing.Kind.CHANGE, Filing.Kind.CANCELLATION) and institution.status not in (Status.FILED,
                                                                                            Status.SUSPENDED):
        raise FilingStateError(_("Only a filed institution can submit a change or cancellation filing."),
                               code="state")
    changes = {}
    if kind == Filing.Kind.CHANGE:
        changes = {"particulars": validate_particulars(institution, particulars or {}),
                   "classes": validate_class_changes(institution, class_changes or [])}
    filing = Filing(institution=institution, kind=kind, changes=changes, created_by=actor, note=note,
                    resettlement_confirmed=bool(resettlement_confirmed) and kind == Filing.Kind.CANCELLATION)
    filing.full_clean()
    filing.save()
    audit_record(actor=actor, action="filing.create", target=filing, after=snapshot(filing))
    return filing


@transaction.atomic
def filing_update_draft(*, filing: Filing, actor, particulars: dict | None = None, class_changes: list | None = None,
                        resettlement_confirmed: bool | None = None, note: str | None = None) -> Filing:
    """Edits a draft or returned filing. Repeating it with the same values changes nothing."""
    ensure_staff(actor, filing.institution_id)
    filing = Filing.objects.select_for_update().select_related("institution").get(pk=filing.pk)
    if not filing.is_editable:
        raise state_error(filing.pk, _("edited"))
    before = {"changes": filing.changes, "resettlement_confirmed": filing.resettlement_confirmed, "note": filing.note}
    if filing.kind == Filing.Kind.CHANGE:
        changes = dict(filing.changes or {})
        if particulars is not None:
            changes["particulars"] = validate_particulars(filing.institution, particulars)
        if class_changes is not None:
            changes["classes"] = validate_class_changes(filing.institution, class_changes)
        filing.changes = changes
    elif particulars or class_changes:
        raise ValidationError({"particulars": _("Only a change filing carries changed particulars or classes.")})
    if resettlement_confirmed is not None:
        if filing.kind != Filing.Kind.CANCELLATION and resettlement_confirmed:
            raise ValidationError({"resettlement_confirmed": _("Only a cancellation confirms resettlement.")})
        filing.resettlement_confirmed = bool(resettlement_confirmed)
    if note is not None:
        filing.note = note
    filing.full_clean()
    filing.save()
    audit_record(actor=actor, action="filing.update", target=filing, before=before,
                 after={"changes": filing.changes, "resettlement_confirmed": filing.resettlement_confirmed,
                        "note": filing.note})
    return filing


def _submit(filing: Filing, actor, *, from_status: str, to_status: str, action: str) -> Filing:
    ensure_staff(actor, filing.institution_id)
    filing = Filing.objects.select_for_update().select_related("institution").get(pk=filing.pk)
    if filing.status != from_status:
        raise state_error(filing.pk, _("submitted"))
    problems = completeness_problems(filing)
    if filing.kind == Filing.Kind.CANCELLATION:
        ensure_no_active_enrolments(filing.institution)
    if problems:
        raise ValidationError({"documents": problems})
    now = timezone.now()
    due_on = decision_due_on(timezone.localdate(now))
    updates = {"status": to_status, "submitted_at": now, "due_on": due_on, "updated_at": now}
    if from_status == Filing.Status.DRAFT:
        updates["first_submitted_at"] = now
    else:
        updates["resubmission_count"] = F("resubmission_count") + 1
    if not Filing.objects.filter(pk=filing.pk, status=from_status).update(**updates):
        raise state_error(filing.pk, _("submitted"))
    filing.refresh_from_db()
    audit_record(actor=actor, action=action, target=filing, before={"status": from_status}, after=snapshot(filing))
    return filing


@transaction.atomic
def filing_submit(*, filing: Filing, actor) -> Filing:
    """Submits a complete draft: the 5-working-day deadline starts. Repeating it is refused, nothing changes.

    Refused with every missing item listed when documents, classes or the commitment letter are missing.
    """
    return _submit(filing, actor, from_status=Filing.Status.DRAFT, to_status=Filing.Status.SUBMITTED,
                   action="filing.submit")


@transaction.atomic
def filing_resubmit(*, filing: Filing, actor) -> Filing:
    """Resubmits a corrected, returned filing; the deadline starts again from now (complete materials)."""
    return _submit(filing, actor, from_status=Filing.Status.RETURNED, to_status=Filing.Status.RESUBMITTED,
                   action="filing.resubmit")


@explains_constraints
@transaction.atomic
def filing_return(*, filing: Filing, actor, comments: dict[str, str]) -> Filing:
    """Returns a pending filing for correction with comments per section (退回补正).

    Side effects: a notification to the institution's staff and an e-mail on commit. A repeat (or a
    second reviewer a moment later) is refused and changes nothing.
    """
    ensure_reviewer(actor, filing)
    comments = {str(k): v.strip() for k, v in (comments or {}).items() if isinstance(v, str) and v.strip()}
    unknown = set(comments) - set(FilingReturnComment.Section.values)
    if unknown:
        raise ValidationError({"comments": _("Unknown sections: %(s)s") % {"s": ", ".join(sorted(unknown))}})
    if not comments:
        raise ValidationError({"comments": _("Write a comment for at least one section.")})
    now = timezone.now()
    locked = Filing.objects.select_for_update().filter(pk=filing.pk).first()
    if locked is None or not Filing.objects.filter(pk=filing.pk, status__in=Filing.PENDING).update(
            status=Filing.Status.RETURNED, updated_at=now):
        raise state_error(filing.pk, _("returned"))
    filing = Filing.objects.select_related("institution").get(pk=filing.pk)
    round_ = FilingReturnComment.objects.filter(filing=filing).values_list("round", flat=True).order_by("-round")
    next_round = (round_.first() or 0) + 1
    FilingReturnComment.objects.bulk_create([
        FilingReturnComment(filing=filing, round=next_round, section=section, comment=text, author=actor)
        for section, text in comments.items()])
    audit_record(actor=actor, action="filing.return", target=filing, before={"status": locked.status},
                 after={"status": filing.status, "sections": sorted(comments)})
    notify_staff(filing, Notification.Event.RETURNED,
                  "\n".join(f"{FilingReturnComment.Section(s).label}: {t}" for s, t in comments.items()))
    return filing


def _next_receipt_number(county_code: str, year: int) -> str:
    """Locks the county's counter row for the year and takes the next number (no gaps, no repeats)."""
    ReceiptCounter.objects.bulk_create([ReceiptCounter(county_id=county_code, year=year)], ignore_conflicts=True)
    counter = ReceiptCounter.objects.select_for_update().get(county_id=county_code, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{county_code}-{year}-{counter.last_number:04d}"


@explains_constraints
@transaction.atomic
def filing_approve(*, filing: Filing, actor) -> Filing:
    """Files the filing and issues its receipt number, exactly once.

    The filing row is locked first, so of two reviewers approving at the same moment one wins and
    the other gets a FilingStateError; the county's receipt counter is taken only by the winner, so
    numbers stay unique and consecutive. Effects on the registry: initial → institution filed with
    the receipt number; change → particulars and classes applied; cancellation → institution
    cancelled (refused while children are enrolled). Side effects on commit: notification e-mail and
    a metrics recompute; in the transaction, `filing_approved` (supervision opens its verification).
    """
    ensure_reviewer(actor, filing)
    locked = Filing.objects.select_for_update().filter(pk=filing.pk).first()
    if locked is None or locked.status not in Filing.PENDING:
        raise state_error(filing.pk, _("approved"))
    filing = Filing.objects.select_related("institution").get(pk=filing.pk)
    institution = filing.institution
    if filing.kind == Filing.Kind.CANCELLATION:
        ensure_no_active_enrolments(institution)
    now = timezone.now()
    today = timezone.localdate(now)
    number = _next_receipt_number(institution.county_code, today.year)
    if not Filing.objects.filter(pk=filing.pk, status__in=Filing.PENDING).update(
            status=Filing.Status.FILED, decided_at=now, decided_by=actor, receipt_number=number, updated_at=now):
        raise state_error(filing.pk, _("approved"))
    filing.refresh_from_db()
    if filing.kind == Filing.Kind.INITIAL:
        institution_services.institution_mark_filed(institution=institution, filed_on=today, filing_number=number,
                                                    actor=actor)
    elif filing.kind == Filing.Kind.CHANGE:
        if filing.particulars:
            institution_services.institution_apply_changes(institution=institution, changes=filing.particulars,
                                                           actor=actor)
        _apply_class_changes(institution, filing.class_changes, actor)
    else:
        institution_services.institution_cancel(institution=institution, cancelled_on=today, actor=actor)
    audit_record(actor=actor, action="filing.approve", target=filing, before={"status": locked.status},
                 after=snapshot(filing))
    notify_staff(filing, Notification.Event.FILED, number)
    figures_changed.send(sender=Filing, region_code=institution.region_id)
    filing_approved.send(sender=Filing, filing=filing, decided_on=today)
    return filing


def _apply_class_changes(institution: Institution, changes: list, actor) -> None:
    for change in changes:
        fields = {k: change[k] for k in ("name", "class_type", "places", "caregivers") if k in change}
        if change["action"] == "add":
            institution_services.class_add(institution=institution, actor=actor, **fields)
            continue
        klass = InstitutionClass.objects.filter(pk=change.get("class_id"), institution=institution).first()
        if klass is None:
            raise ValidationError({"classes": _("A class named in this change filing no longer exists.")})
        if change["action"] == "update":
            institution_services.class_update(klass=klass, actor=actor, **fields)
        else:
            institution_services.class_close(klass=klass, actor=actor)


@transaction.atomic
def filing_reject(*, filing: Filing, actor, reason: str) -> Filing:
    """Rejects a pending filing as non-compliant; the reason is made public. Notifies the staff on commit.

    A repeat is refused and changes nothing.
    """
    ensure_reviewer(actor, filing)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: it is made public.")})
    now = timezone.now()
    locked = Filing.objects.select_for_update().filter(pk=filing.pk).first()
    if locked is None or not Filing.objects.filter(pk=filing.pk, status__in=Filing.PENDING).update(
            status=Filing.Status.REJECTED, decided_at=now, decided_by=actor, rejection_reason=reason,
            updated_at=now):
        raise state_error(filing.pk, _("rejected"))
    filing = Filing.objects.select_related("institution").get(pk=filing.pk)
    audit_record(actor=actor, action="filing.reject", target=filing, before={"status": locked.status},
                 after={"status": filing.status, "reason": reason})
    notify_staff(filing, Notification.Event.REJECTED, reason)
    return filing


@transaction.atomic
def filing_withdraw(*, filing: Filing, actor) -> Filing:
    """The institution withdraws a filing that is not yet decided. A repeat is refused, nothing changes."""
    ensure_staff(actor, filing.institution_id)
    now = timezone.now()
    locked = Filing.objects.select_for_update().filter(pk=filing.pk).first()
    if locked is None or not Filing.objects.filter(pk=filing.pk, status__in=Filing.OPEN).update(
            status=Filing.Status.WITHDRAWN, withdrawn_at=now, updated_at=now):
        raise state_error(filing.pk, _("withdrawn"))
    filing = Filing.objects.select_related("institution").get(pk=filing.pk)
    audit_record(actor=actor, action="filing.withdraw", target=filing, before={"status": locked.status},
                 after={"status": filing.status})
    return filing
