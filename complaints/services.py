"""Every write about complaints: filing one (anyone), answering it (the county), reading the contact.

Each function is one transaction with its audit row. The audit rows carry the county, never the
complaint's text or the complainant's contact, and no institution id (its staff read its history).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require, require_visible
from audit.services import audit_record
from filings.workdays import add_working_days
from institutions.models import Institution
from portal.exceptions import Conflict
from regions import codes

from .models import ComplainantContact, Complaint

# Unambiguous characters (no 0/O, 1/I/L): read over the phone, copied by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TOKEN_LENGTH = 10  # about 50 bits, behind a per-address lookup limit


def _random(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().upper().encode()).hexdigest()


def answer_due_on(received_on):
    return add_working_days(received_on, settings.COMPLAINT_ANSWER_WORKING_DAYS)


@dataclass(frozen=True)
class Filed:
    complaint: Complaint
    token: str  # shown once to the complainant, never stored


def complaint_submit(*, institution: Institution, category: str, description: str, name: str = "",
                     phone: str = "", email: str = "", actor=None) -> Filed:
    """Files a complaint about a listed institution and routes it to the institution's county, due in
    COMPLAINT_ANSWER_WORKING_DAYS working days. Anyone may (no account needed; pages and API throttle
    per address). Returns the complaint and its secret token, which is shown once.

    Not idempotent: each call is a new complaint with a new reference.
    """
    if not (description or "").strip():
        raise ValidationError({"description": _("Say what happened.")})
    if len(description) > 2000:
        raise ValidationError({"description": _("At most 2,000 characters.")})
    if not Institution.objects.publicly_listed().filter(pk=institution.pk).exists():
        raise ValidationError({"institution": _("Only an institution on the public register can be complained about.")})
    for attempt in range(5):
        try:
            return _submit(institution=institution, category=category, description=description, name=name,
                           phone=phone, email=email, actor=actor)
        except IntegrityError:
            if attempt == 4:  # five colliding references in a row: not chance
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _submit(*, institution, category, description, name, phone, email, actor) -> Filed:
    now = timezone.now()
    today = timezone.localdate(now)
    token = _random(TOKEN_LENGTH)
    complaint = Complaint(
        reference=f"TS{today:%Y%m%d}{_random(5)}", token_hash=token_hash(token), institution=institution,
        county_id=codes.county_of(institution.region_id), category=category, description=description.strip(),
        received_at=now, received_on=today, due_on=answer_due_on(today))
    complaint.full_clean(exclude=["county"])  # the county is derived, and exists with its institution
    complaint.save(force_insert=True)  # a reference taken meanwhile: IntegrityError, the caller draws again
    if name or phone or email:
        contact = ComplainantContact(complaint=complaint, name=name.strip(), phone=phone.strip(), email=email.strip())
        contact.full_clean(exclude=["complaint"])
        contact.save()
    audit_record(actor=actor, action="complaint.submit", target=complaint,
                 after={"reference": complaint.reference, "category": category, "due_on": str(complaint.due_on),
                        "with_contact": bool(name or phone or email)})
    return Filed(complaint=complaint, token=token)


def complaint_lookup(*, reference: str, token: str) -> Complaint | None:
    """The complaint with this reference if the token is its own, else None (the same answer for a wrong
    reference and a wrong token, so a caller learns nothing from it)."""
    complaint = (Complaint.objects.select_related("institution")
                 .filter(reference=reference.strip().upper()).first())
    given = token_hash(token or "")
    if complaint is None or not hmac.compare_digest(complaint.token_hash, given):
        return None
    return complaint


@transaction.atomic
def complaint_answer(*, complaint: Complaint, actor, answer: str) -> Complaint:
    """The county answers the complaint; the answer is shown to the complainant on the lookup page.

    Guarded: only a complaint still being handled is answered; a second answer is a Conflict.
    """
    require_visible(policies.handles_complaint(actor, complaint),
                    _("Only the county health commission handling the complaint answers it."),
                    user=actor, obj=complaint)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer the complainant will read.")})
    now = timezone.now()
    claimed = Complaint.objects.filter(pk=complaint.pk, status=Complaint.Status.RECEIVED).update(
        status=Complaint.Status.ANSWERED, public_answer=answer, answered_at=now,
        answered_on=timezone.localdate(now), answered_by=actor, updated_at=now)
    if not claimed:
        raise Conflict(_("This complaint has been answered already."))
    complaint.refresh_from_db()
    audit_record(actor=actor, action="complaint.answer", target=complaint,
                 after={"status": complaint.status, "answered_on": str(complaint.answered_on),
                        "on_time": complaint.answered_on <= complaint.due_on})
    return complaint


@transaction.atomic
def complaint_contact_read(*, complaint: Complaint, actor) -> ComplainantContact | None:
    """The complainant's contact, for the county handling the complaint only; every read is audited.
    Anyone else is answered "not found" (OutsideArea), whether or not they see the complaint."""
    require(policies.handles_complaint(actor, complaint), outside_area=True)
    contact = ComplainantContact.objects.visible_to(actor).filter(complaint=complaint).first()
    audit_record(actor=actor, action="complaint.contact_view", target=complaint,
                 after={"reference": complaint.reference, "with_contact": contact is not None})
    return contact


@transaction.atomic
def complaint_open_inspection(*, complaint: Complaint, actor, reason: str = ""):
    """The county handling the complaint opens a targeted inspection of the institution
    (supervision.services.inspection_open_targeted, with the complaint's reference), once per complaint.

    A second call is a Conflict; the inspection's own audit row is written by supervision, and this one
    links it to the complaint.
    """
    from supervision.services import inspection_open_targeted

    require_visible(policies.handles_complaint(actor, complaint),
                    _("Only the county health commission handling the complaint opens an inspection after it."),
                    user=actor, obj=complaint)
    complaint = Complaint.objects.select_for_update().select_related("institution").get(pk=complaint.pk)
    if complaint.inspection_id is not None:
        raise Conflict(_("An inspection has been opened after this complaint already."))
    inspection = inspection_open_targeted(
        institution=complaint.institution, actor=actor, source="complaint", source_reference=complaint.reference,
        reason=(reason or "").strip() or _("Complaint %(reference)s: %(category)s") % {
            "reference": complaint.reference, "category": complaint.get_category_display()})
    Complaint.objects.filter(pk=complaint.pk).update(inspection=inspection, updated_at=timezone.now())
    complaint.refresh_from_db()
    audit_record(actor=actor, action="complaint.inspection_open", target=complaint,
                 after={"reference": complaint.reference, "inspection": inspection.pk})
    return complaint
