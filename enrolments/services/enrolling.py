"""Enrolments: into a class (its occupancy checked under a row lock), moving class, leaving."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from institutions.models import Institution, InstitutionClass
from institutions.signals import figures_changed
from portal.constraints import explains_constraints

from .. import rules
from ..models import (
    CareForm,
    Child,
    Enrolment,
    LeavingReason,
)
from .common import _enrolment_snapshot, ensure_record_keeper, lock_identities


def _check_new_enrolment(*, child: Child, institution: Institution, klass: InstitutionClass, care_form: str,
                         start_date: datetime.date, end_date: datetime.date | None,
                         exclude_pk: int | None = None, check_dates: bool = True) -> None:
    """Every rule for one enrolment. The caller holds the lock on the class row."""
    name = child.name
    today = timezone.localdate()
    checks = [
        ("start_date", rules.dates_error(name, start_date, end_date, today) if check_dates else None),
        ("institution", rules.institution_open_error(name, institution, start_date)),
        ("klass", rules.class_open_error(name, klass, institution, start_date)),
        ("care_form", rules.care_form_error(name, institution, care_form)),
        ("klass", rules.class_fit_error(name, child.date_of_birth, klass, start_date)),
    ]
    errors = {}
    for field, message in checks:
        if message:
            errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)
    if child.institution_id != institution.pk:
        raise ValidationError({"child": _("%(child)s is not registered at this institution.") % {"child": name}})

    occupying = (Enrolment.objects.filter(klass=klass).overlapping(start_date, end_date)
                 .exclude(pk=exclude_pk).values_list("start_date", "end_date"))
    peak, day = rules.peak_occupancy(list(occupying), start_date, end_date)
    if peak + 1 > klass.places:
        raise ValidationError({"klass": rules.capacity_message(name, klass, day or start_date)})
    if care_form == CareForm.FULL_DAY:
        lock_identities([child.document_hash])
        clash = (Enrolment.objects.filter(child__document_hash=child.document_hash, care_form=CareForm.FULL_DAY)
                 .overlapping(start_date, end_date).exclude(pk=exclude_pk))
        if clash.exists():
            raise ValidationError({"care_form": rules.full_day_conflict_message(name)})
    if Enrolment.objects.filter(child=child).overlapping(start_date, end_date).exclude(pk=exclude_pk).exists():
        raise ValidationError({"start_date": _("%(child)s is already enrolled here for some of these dates.")
                               % {"child": name}})


@explains_constraints
@transaction.atomic
def enrolment_create(*, child: Child, klass: InstitutionClass, care_form: str, start_date: datetime.date,
                     end_date: datetime.date | None = None, actor) -> Enrolment:
    """Enrols a registered child in a class of its institution after checking every rule.

    Side effects: locks the class row; one audit row. Not repeatable: the same child, institution and
    start date twice is refused.
    """
    klass = InstitutionClass.objects.select_for_update().select_related("institution").get(pk=klass.pk)
    institution = klass.institution
    ensure_record_keeper(actor, institution.pk)
    _check_new_enrolment(child=child, institution=institution, klass=klass, care_form=care_form,
                         start_date=start_date, end_date=end_date)
    enrolment = Enrolment(child=child, institution=institution, klass=klass, care_form=care_form,
                          start_date=start_date, end_date=end_date,
                          leaving_reason=LeavingReason.OTHER if end_date else "")
    enrolment.full_clean(validate_constraints=False)
    enrolment.save()
    audit_record(actor=actor, action="enrolment.create", target=enrolment, after=_enrolment_snapshot(enrolment))
    figures_changed.send(sender=Enrolment, region_code=institution.region_id)
    return enrolment


@explains_constraints
@transaction.atomic
def enrolment_move_class(*, enrolment: Enrolment, klass: InstitutionClass, on: datetime.date, actor) -> Enrolment:
    """Moves a child to another class from a date: the old enrolment ends that day, a new one starts.

    History is kept (the new row points to the old). Side effects: locks the target class; one audit
    row. A repeat finds the old enrolment already ended and is refused with a clear message.
    """
    klass = InstitutionClass.objects.select_for_update().select_related("institution").get(pk=klass.pk)
    current = Enrolment.objects.select_related("child", "institution").get(pk=enrolment.pk)
    ensure_record_keeper(actor, current.institution_id)
    name = current.child.name
    if klass.pk == current.klass_id:
        raise ValidationError({"klass": _("%(child)s is already in class %(class)s.")
                               % {"child": name, "class": klass.name}})
    if current.end_date is not None:
        raise ValidationError({"klass": _("%(child)s has left or moved already; only a current enrolment "
                                          "can move.") % {"child": name}})
    if on <= current.start_date:
        raise ValidationError({"on": _("%(child)s: the move date must be after the start date %(date)s.")
                               % {"child": name, "date": current.start_date.isoformat()}})
    if on > timezone.localdate() + datetime.timedelta(days=rules.MAX_DAYS_AHEAD):
        raise ValidationError({"on": _("%(child)s: the move date is more than %(days)d days ahead.")
                               % {"child": name, "days": rules.MAX_DAYS_AHEAD}})
    claimed = Enrolment.objects.filter(pk=current.pk, end_date__isnull=True).update(
        end_date=on, leaving_reason=LeavingReason.CLASS_CHANGE)
    if not claimed:
        raise ValidationError({"klass": _("%(child)s has just been moved or withdrawn by someone else.")
                               % {"child": name}})
    _check_new_enrolment(child=current.child, institution=current.institution, klass=klass,
                         care_form=current.care_form, start_date=on, end_date=None, check_dates=False)
    moved = Enrolment.objects.create(child=current.child, institution=current.institution, klass=klass,
                                     care_form=current.care_form, start_date=on, previous=current)
    audit_record(actor=actor, action="enrolment.move_class", target=moved,
                 before=_enrolment_snapshot(current), after=_enrolment_snapshot(moved))
    return moved


@transaction.atomic
def enrolment_end(*, enrolment: Enrolment, end_date: datetime.date, reason: str, note: str = "",
                  actor) -> Enrolment:
    """Withdraws a child: sets the leaving date and reason. Nothing is deleted.

    Side effects: one audit row. A repeat is refused (the enrolment has already ended).
    """
    current = Enrolment.objects.select_related("child", "institution").get(pk=enrolment.pk)
    ensure_record_keeper(actor, current.institution_id)
    name = current.child.name
    if reason not in LeavingReason.values or reason == LeavingReason.CLASS_CHANGE:
        raise ValidationError({"reason": _("%(child)s: choose a reason for leaving.") % {"child": name}})
    if end_date <= current.start_date:
        raise ValidationError({"end_date": _("%(child)s: the leaving date must be after the start date "
                                             "(%(date)s).") % {"child": name, "date": current.start_date.isoformat()}})
    claimed = Enrolment.objects.filter(pk=current.pk, end_date__isnull=True).update(
        end_date=end_date, leaving_reason=reason, leaving_note=note[:200])
    if not claimed:
        raise ValidationError({"end_date": _("%(child)s has already left or moved.") % {"child": name}})
    current.refresh_from_db()
    audit_record(actor=actor, action="enrolment.end", target=current, after=_enrolment_snapshot(current))
    figures_changed.send(sender=Enrolment, region_code=current.institution.region_id)
    return current
