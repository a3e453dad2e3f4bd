"""Every write to the institution registry.

Each function is one transaction with its audit row. Once an institution is filed, its registered
particulars change only through an approved change filing (`institution_apply_changes`, called by
the filings app); while it is a draft, its staff edit it directly.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record
from portal.constraints import explains_constraints

from .models import (
    GuidanceCentre,
    Institution,
    InstitutionClass,
    MentoringPair,
    StaffCertificate,
    StaffMember,
    Suspension,
)
from .signals import figures_changed

# Particulars a change filing may change (docs/domain.md, "Change filing and cancellation": name,
# address, legal representative, service forms, places), plus the contact and pricing details that go with them.
CHANGEABLE_FIELDS = [
    "name", "address", "legal_representative", "legal_representative_phone", "person_in_charge",
    "person_in_charge_phone", "full_day", "half_day", "hourly", "temporary", "meals_served",
    "medical_integration", "is_inclusive", "inclusive_price", "setting_type", "legal_form",
]
DRAFT_FIELDS = [*CHANGEABLE_FIELDS, "credit_code", "region"]


def _snapshot(obj, fields) -> dict:
    data = model_to_dict(obj, fields=fields)
    return {k: (str(v) if v is not None and not isinstance(v, bool | int | str) else v) for k, v in data.items()}


def _set_and_save(obj, values: dict, allowed, refusal: str | None = None) -> None:
    """Sets `values` on `obj` (each key one of `allowed`, else a ValidationError naming it), validates and saves."""
    for key, value in values.items():
        if key not in allowed:
            raise ValidationError({key: refusal or _("This field cannot be changed here.")})
        setattr(obj, key, value)
    obj.full_clean()
    obj.save()


def _ensure_staff_of(actor, institution: Institution) -> None:
    require(policies.keeps_records_of(actor, institution), _("Only the institution's own staff may change it."))


def _ensure_reviewer(actor, institution: Institution) -> None:
    """The registry records a filing decision only from the county official who took it."""
    require(policies.reviews(actor, institution),
            _("Only officials of the institution's county health commission decide filings."))


def _ensure_may_change_classes(actor, institution: Institution) -> None:
    """Its staff (and administrators) keep its classes; the county official approving a change filing
    applies the filing's class changes."""
    require(policies.keeps_records_of(actor, institution) or policies.reviews(actor, institution),
            _("Only the institution's own staff may change its classes."))


@transaction.atomic
def institution_create(*, actor, **fields) -> Institution:
    """Registers a new institution as a draft and links the acting staff member to it.

    Side effects: the actor's account is linked to the institution; one audit row.
    Not idempotent: a second call with the same credit code fails on the unique code.
    """
    require(policies.registers_institutions(actor), _("Only institution staff register an institution."))
    if policies.is_linked_staff(actor):
        raise ValidationError(_("Your account already belongs to an institution."))
    institution = Institution(**{k: v for k, v in fields.items() if k in DRAFT_FIELDS or k == "region_id"})
    institution.status = Institution.Status.DRAFT
    institution.full_clean()
    institution.save()
    if policies.is_institution_staff(actor):
        actor.institution = institution
        actor.save(update_fields=["institution"])
    audit_record(actor=actor, action="institution.create", target=institution,
                 after=_snapshot(institution, DRAFT_FIELDS))
    return institution


@transaction.atomic
def institution_update(*, institution: Institution, actor, **fields) -> Institution:
    """Edits a draft institution. A filed institution changes only through a change filing."""
    _ensure_staff_of(actor, institution)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.status != Institution.Status.DRAFT:
        raise ValidationError(_("This institution is filed: submit a change filing to change its particulars."))
    before = _snapshot(institution, DRAFT_FIELDS)
    _set_and_save(institution, fields, [*DRAFT_FIELDS, "region_id"])
    audit_record(actor=actor, action="institution.update", target=institution, before=before,
                 after=_snapshot(institution, DRAFT_FIELDS))
    return institution


@transaction.atomic
def institution_apply_changes(*, institution: Institution, changes: dict, actor) -> Institution:
    """Applies the particulars of an approved change filing (called by the filings app).

    `changes` maps CHANGEABLE_FIELDS to new values. Repeating it with the same changes changes nothing.
    """
    _ensure_reviewer(actor, institution)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    before = _snapshot(institution, CHANGEABLE_FIELDS)
    _set_and_save(institution, changes, CHANGEABLE_FIELDS, _("This field cannot be changed by a change filing."))
    audit_record(actor=actor, action="institution.change_applied", target=institution, before=before,
                 after=_snapshot(institution, CHANGEABLE_FIELDS))
    return institution


@transaction.atomic
def institution_mark_filed(*, institution: Institution, filed_on: datetime.date, filing_number: str,
                           actor) -> Institution:
    """Records that the county filed the institution (called when an initial filing is approved).

    Guarded: only a draft (or a suspended one being re-filed) becomes filed; a repeat changes nothing.
    """
    _ensure_reviewer(actor, institution)
    claimed = Institution.objects.filter(
        pk=institution.pk, status__in=[Institution.Status.DRAFT, Institution.Status.SUSPENDED],
    ).update(status=Institution.Status.FILED, filed_on=filed_on, filing_number=filing_number,
             updated_at=timezone.now())
    institution.refresh_from_db()
    if claimed:
        audit_record(actor=actor, action="institution.filed", target=institution,
                     after={"filed_on": str(filed_on), "filing_number": filing_number})
    return institution


@transaction.atomic
def institution_cancel(*, institution: Institution, cancelled_on: datetime.date, actor) -> Institution:
    """Cancels (注销) a filed institution and closes its classes. A repeat changes nothing.

    Active enrolments must have been ended first; the filings app checks that before calling.
    """
    _ensure_reviewer(actor, institution)
    claimed = Institution.objects.filter(
        pk=institution.pk, status__in=[Institution.Status.FILED, Institution.Status.SUSPENDED],
    ).update(status=Institution.Status.CANCELLED, cancelled_on=cancelled_on, updated_at=timezone.now())
    institution.refresh_from_db()
    if claimed:
        institution.classes.filter(closed_on__isnull=True).update(closed_on=cancelled_on)
        audit_record(actor=actor, action="institution.cancel", target=institution,
                     after={"cancelled_on": str(cancelled_on)})
    return institution


@transaction.atomic
def institution_suspend(*, institution: Institution, suspended_on: datetime.date, actor) -> Institution:
    """Suspends a filed institution: a decision of the county health commission it filed with (or an
    administrator). It stays on the public register, marked suspended, and from `suspended_on` its places
    and children no longer count in the figures (a Suspension period row; the figures recompute on
    commit). A repeat changes nothing."""
    require(policies.suspends(actor, institution),
            _("Only the county health commission the institution filed with may suspend it."))
    if suspended_on > timezone.localdate():
        raise ValidationError({"suspended_on": _("The date is in the future.")})
    claimed = Institution.objects.filter(pk=institution.pk, status=Institution.Status.FILED).update(
        status=Institution.Status.SUSPENDED, suspended_on=suspended_on, updated_at=timezone.now())
    institution.refresh_from_db()
    if claimed:
        Suspension.objects.create(institution=institution, suspended_on=suspended_on)
        figures_changed.send(sender=Institution, region_code=institution.region_id)
        audit_record(actor=actor, action="institution.suspend", target=institution,
                     after={"suspended_on": str(suspended_on)})
    return institution


@transaction.atomic
def institution_lift_suspension(*, institution: Institution, actor) -> Institution:
    """Lifts a suspension: the institution is filed again (its filing date and number unchanged), by the
    county health commission it filed with (or an administrator), and counts in the figures again from
    today. A repeat changes nothing."""
    require(policies.suspends(actor, institution),
            _("Only the county health commission the institution filed with may lift its suspension."))
    before = Institution.objects.filter(pk=institution.pk).values_list("suspended_on", flat=True).first()
    claimed = Institution.objects.filter(pk=institution.pk, status=Institution.Status.SUSPENDED).update(
        status=Institution.Status.FILED, suspended_on=None, updated_at=timezone.now())
    institution.refresh_from_db()
    if claimed:
        today = timezone.localdate()
        # Lifted the day it began: the period is empty, and the figures of that day count it.
        Suspension.objects.filter(institution=institution, lifted_on__isnull=True).update(lifted_on=today)
        figures_changed.send(sender=Institution, region_code=institution.region_id)
        audit_record(actor=actor, action="institution.suspension_lift", target=institution,
                     before={"suspended_on": str(before)}, after={"lifted_on": str(timezone.localdate())})
    return institution


# --- Classes -------------------------------------------------------------------------------------

CLASS_FIELDS = ["name", "class_type", "places", "caregivers"]


@explains_constraints
@transaction.atomic
def class_add(*, institution: Institution, actor, name: str, class_type: str, places: int, caregivers: int,
              opened_on: datetime.date | None = None) -> InstitutionClass:
    """Adds a class; caps and ratios are checked with an error naming the class and the rule.

    For a filed institution, places change through a change filing: the filings app calls this
    with the approving official as actor.
    """
    _ensure_may_change_classes(actor, institution)
    if institution.status == Institution.Status.CANCELLED:
        raise ValidationError(_("A cancelled institution cannot open classes."))
    # Lock the institution so two concurrent additions cannot both pass the family-point total.
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    klass = InstitutionClass(institution=institution, name=name, class_type=class_type, places=places,
                             caregivers=caregivers, opened_on=opened_on or timezone.localdate())
    klass.full_clean()
    klass.save()
    _places_changed(institution.pk)
    audit_record(actor=actor, action="class.add", target=klass, after=_snapshot(klass, CLASS_FIELDS))
    return klass


def _places_changed(institution_id: int) -> None:
    """An institution's places are its classes': a consumer following the institutions' change feed
    (`updated_after`) must see the institution change when a class does."""
    Institution.objects.filter(pk=institution_id).update(updated_at=timezone.now())


@explains_constraints
@transaction.atomic
def class_update(*, klass: InstitutionClass, actor, **fields) -> InstitutionClass:
    """Changes a class's name, type, places or caregivers; the same rules apply."""
    _ensure_may_change_classes(actor, klass.institution)
    Institution.objects.select_for_update().filter(pk=klass.institution_id).first()
    klass = InstitutionClass.objects.select_related("institution").get(pk=klass.pk)
    if klass.closed_on:
        raise ValidationError(_("This class is closed."))
    before = _snapshot(klass, CLASS_FIELDS)
    _set_and_save(klass, fields, CLASS_FIELDS)
    _places_changed(klass.institution_id)
    audit_record(actor=actor, action="class.update", target=klass, before=before,
                 after=_snapshot(klass, CLASS_FIELDS))
    return klass


@transaction.atomic
def class_close(*, klass: InstitutionClass, actor, closed_on: datetime.date | None = None) -> InstitutionClass:
    """Closes a class (its places stop counting). Kept, never deleted. A repeat changes nothing."""
    _ensure_may_change_classes(actor, klass.institution)
    closed_on = closed_on or timezone.localdate()
    if InstitutionClass.objects.filter(pk=klass.pk, closed_on__isnull=True).update(closed_on=closed_on):
        klass.refresh_from_db()
        _places_changed(klass.institution_id)
        audit_record(actor=actor, action="class.close", target=klass, after={"closed_on": str(closed_on)})
    return klass


# --- Staff ---------------------------------------------------------------------------------------

STAFF_FIELDS = ["name", "role", "phone", "qualification", "qualification_expires_on",
                "health_certificate_expires_on", "started_on", "left_on"]


@transaction.atomic
def staff_member_add(*, institution: Institution, actor, **fields) -> StaffMember:
    """Adds a staff member with their certificates and, if given, their resident identity number (kept as a
    keyed hash and a mask, to find the same person at another institution). One audit row (names and
    numbers stay out of the log)."""
    _ensure_staff_of(actor, institution)
    identity_number = fields.pop("identity_number", None)
    member = StaffMember(institution=institution, **fields)
    if identity_number:
        _set_identity(member, identity_number)
    member.full_clean()
    member.save()
    audit_record(actor=actor, action="staff.add", target=member,
                 after={"role": member.role, "identity_recorded": bool(member.identity_hash)})
    return member


def _set_identity(member: StaffMember, number: str) -> None:
    from portal.validators import validate_resident_id

    try:
        validate_resident_id(number.strip().upper())
    except ValidationError as exc:
        raise ValidationError({"identity_number": exc.messages}) from None
    member.set_identity_number(number)


@transaction.atomic
def staff_member_update(*, member: StaffMember, actor, **fields) -> StaffMember:
    _ensure_staff_of(actor, member.institution)
    before = {**_snapshot(member, STAFF_FIELDS), "identity": member.identity_hash}
    identity_number = fields.pop("identity_number", None)
    if identity_number:  # left empty on a form: the recorded number stays
        _set_identity(member, identity_number)
    _set_and_save(member, fields, STAFF_FIELDS)
    after = {**_snapshot(member, STAFF_FIELDS), "identity": member.identity_hash}
    changed = sorted(k for k, v in after.items() if before.get(k) != v)
    audit_record(actor=actor, action="staff.update", target=member, after={"changed": changed})
    return member


@transaction.atomic
def staff_certificate_record(*, member: StaffMember, kind: str, number: str, issued_on: datetime.date,
                             actor, expires_on: datetime.date | None = None) -> StaffCertificate:
    """Records one certificate of a staff member, with its number and dates; earlier ones stay as its history.
    The newest certificate of a kind (by issue date) sets the member's expiry date of that kind, which the
    certificates-due flags read. One audit row, without the number. Not idempotent: the same number twice is
    refused (the database holds it unique per member and kind)."""
    _ensure_staff_of(actor, member.institution)
    if kind not in StaffCertificate.KEPT_BY_INSTITUTION:
        raise ValidationError({"kind": _("Training certificates are issued by the guidance centre that ran the "
                                         "course.")})
    certificate = StaffCertificate(staff_member=member, kind=kind, number=(number or "").strip(),
                                   issued_on=issued_on, expires_on=expires_on, recorded_by=actor)
    certificate.full_clean()
    certificate.save()
    newest = StaffCertificate.objects.filter(staff_member=member, kind=kind).order_by("-issued_on", "-pk").first()
    if newest.pk == certificate.pk:
        field = ("health_certificate_expires_on" if kind == StaffCertificate.Kind.HEALTH
                 else "qualification_expires_on")
        StaffMember.objects.filter(pk=member.pk).update(**{field: expires_on, "updated_at": timezone.now()})
        member.refresh_from_db()
    audit_record(actor=actor, action="staff.certificate_record", target=certificate,
                 region_code=member.institution.region_id, institution_id=member.institution_id,
                 after={"member": member.pk, "kind": kind, "issued_on": str(issued_on),
                        "expires_on": str(expires_on) if expires_on else None, "current": newest.pk == certificate.pk})
    return certificate


# --- Mentoring and guidance ----------------------------------------------------------------------

@explains_constraints
@transaction.atomic
def mentoring_pair_create(*, mentor: Institution, mentee: Institution, actor,
                          started_on: datetime.date | None = None, notes: str = "") -> MentoringPair:
    """Pairs an experienced institution with a weaker one (帮扶结对): set up by the officials of a city (or
    of a province, or an administrator) whose area holds both institutions."""
    require(policies.pairs(actor, mentor, mentee),
            _("Only the officials of a city or province holding both institutions pair them."))
    pair = MentoringPair(mentor=mentor, mentee=mentee, started_on=started_on or timezone.localdate(), notes=notes)
    pair.full_clean()
    pair.save()
    audit_record(actor=actor, action="mentoring.create", target=pair, region_code=mentee.region_id,
                 after={"mentor": mentor.pk, "mentee": mentee.pk})
    return pair


@transaction.atomic
def guidance_centre_create(*, actor, **fields) -> GuidanceCentre:
    """A city's childcare guidance centre, recorded by that city's officials, the province's, or an
    administrator."""
    centre = GuidanceCentre(**fields)
    require(policies.records_centre(actor, centre.city_id),
            _("Only the officials of the city or its province record its guidance centre."))
    centre.full_clean()
    centre.save()
    audit_record(actor=actor, action="guidance_centre.create", target=centre, region_code=centre.city_id,
                 after={"name": centre.name})
    return centre
