"""Every write of caregiver training: a centre's city publishes a course, institutions register their staff,
the city records attendance and issues the certificates.

A place is taken with a guarded increment (of two registrations racing for the last place exactly one wins);
attendance and certificates are guarded by the registration's state, so a double click changes nothing twice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require, require_visible
from audit.services import audit_record
from institutions.models import GuidanceCentre, StaffCertificate, StaffMember
from portal.constraints import explains_constraints
from portal.exceptions import Conflict

from .models import Course, Registration


def certificate_expiry(issued_on: datetime.date) -> datetime.date:
    """A training certificate is valid for `TRAINING_CERTIFICATE_VALID_YEARS` years from its issue (working
    definition, 3 by default: no national rule fixes how long a caregiver's training stays current)."""
    years = settings.TRAINING_CERTIFICATE_VALID_YEARS
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February
        return issued_on.replace(year=issued_on.year + years, day=28)


def certificate_number(registration: Registration, issued_on: datetime.date) -> str:
    return f"PX{registration.course.centre.city_id}-{issued_on.year}-{registration.pk:06d}"


# --- Courses ---------------------------------------------------------------------------------------

@transaction.atomic
def course_publish(*, centre: GuidanceCentre, kind: str, title: str, starts_on: datetime.date,
                   ends_on: datetime.date, hours: int, capacity: int, actor) -> Course:
    """The officials of the centre's city publish a course at it; institutions of the province may then register
    their staff until the day before it starts. Not idempotent (two calls publish two courses)."""
    require(policies.runs_training_at(actor, centre), _("Only officials of the centre's city publish its courses."))
    if starts_on is not None and starts_on <= timezone.localdate():
        raise ValidationError({"starts_on": _("A course is published before it starts: choose a later date.")})
    course = Course(centre=centre, kind=kind, title=(title or "").strip(), starts_on=starts_on, ends_on=ends_on,
                    hours=hours, capacity=capacity, published_by=actor)
    course.full_clean()
    course.save()
    audit_record(actor=actor, action="training.course_publish", target=course,
                 after={"kind": kind, "starts_on": str(starts_on), "hours": hours, "capacity": capacity})
    return course


# --- Registrations -----------------------------------------------------------------------------------

@explains_constraints
@transaction.atomic
def registration_create(*, course: Course, staff_member: StaffMember, actor) -> Registration:
    """Registers one of the actor's institution's staff members for a course, taking one of its places.

    Refused for a course that is full, cancelled or has started, for a member who has left, and for a member
    registered already. Not idempotent: the repeat is refused with a Conflict.
    """
    require_visible(policies.registers_for_training(actor, staff_member, course),
                    _("Only your institution's staff register its staff members, for a course of your province."),
                    user=actor, obj=staff_member)
    today = timezone.localdate()
    if staff_member.left_on is not None and staff_member.left_on <= today:
        raise ValidationError({"staff_member": _("This staff member has left the institution.")})
    if Registration.objects.taking_places().filter(course=course, staff_member=staff_member).exists():
        raise Conflict(_("This staff member is already registered for this course."), code="state")
    # Guarded increment: of two registrations racing for the last place, exactly one updates the row.
    if not Course.objects.filter(pk=course.pk, status=Course.Status.PUBLISHED, starts_on__gt=today,
                                 registered_count__lt=F("capacity")).update(
            registered_count=F("registered_count") + 1, updated_at=timezone.now()):
        course.refresh_from_db()
        if course.status != Course.Status.PUBLISHED:
            raise Conflict(_("This course is cancelled."), code="state")
        if course.starts_on <= today:
            raise Conflict(_("Registration for this course has closed: it has started."), code="state")
        raise Conflict(_("This course is full: choose another one."), code="state")
    registration = Registration(course=course, staff_member=staff_member, institution_id=staff_member.institution_id,
                                registered_by=actor)
    registration.full_clean(validate_constraints=False)  # the unique one is the database's, for the race
    registration.save()
    course.refresh_from_db(fields=["registered_count"])
    audit_record(actor=actor, action="training.register", target=registration,
                 after={"course": course.pk, "member": staff_member.pk})
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, actor) -> Registration:
    """The institution withdraws a registration before the course starts and frees its place. A repeat changes
    nothing."""
    require_visible(policies.is_staff_of(actor, registration.institution_id),
                    _("Only the institution's staff withdraw its registrations."), user=actor, obj=registration)
    if registration.course.has_started():
        raise Conflict(_("The course has started: its attendance is recorded by the guidance centre."), code="state")
    if Registration.objects.filter(pk=registration.pk, status=Registration.Status.REGISTERED).update(
            status=Registration.Status.CANCELLED, updated_at=timezone.now()):
        Course.objects.filter(pk=registration.course_id, registered_count__gt=0).update(
            registered_count=F("registered_count") - 1, updated_at=timezone.now())
        audit_record(actor=actor, action="training.registration_cancel", target=registration,
                     after={"course": registration.course_id})
    registration.refresh_from_db()
    return registration


# --- Attendance and certificates ----------------------------------------------------------------------

@transaction.atomic
def attendance_record(*, registration: Registration, attended: bool, actor,
                      hours: int | None = None) -> Registration:
    """The centre's city records whether a registered staff member attended, and for how many hours (absent:
    none). It may be corrected until the certificate is issued; a repeat with the same values changes nothing
    but the audit row."""
    course = registration.course
    require_visible(policies.runs_training_at(actor, course.centre),
                    _("Only officials of the centre's city record attendance at its courses."),
                    user=actor, obj=registration)
    if not course.has_started():
        raise Conflict(_("The course has not started yet: attendance is recorded from its first day."), code="state")
    if attended:
        if hours is None or not 1 <= hours <= course.hours:
            raise ValidationError({"hours": _("Hours attended: between 1 and the course's %(hours)s hours.")
                                   % {"hours": course.hours}})
    else:
        hours = None
    status = Registration.Status.ATTENDED if attended else Registration.Status.ABSENT
    claimed = (Registration.objects.filter(pk=registration.pk, certificate__isnull=True)
               .exclude(status=Registration.Status.CANCELLED)
               .update(status=status, hours_attended=hours, attendance_recorded_by=actor,
                       attendance_recorded_at=timezone.now(), updated_at=timezone.now()))
    if not claimed:
        registration.refresh_from_db()
        if registration.status == Registration.Status.CANCELLED:
            raise Conflict(_("This registration was withdrawn by the institution."), code="state")
        raise Conflict(_("The certificate is issued: the attendance can no longer change."), code="state")
    before = {"status": registration.status, "hours": registration.hours_attended}
    registration.refresh_from_db()
    audit_record(actor=actor, action="training.attendance_record", target=registration, before=before,
                 after={"status": status, "hours": hours})
    return registration


@explains_constraints
@transaction.atomic
def certificate_issue(*, registration: Registration, actor) -> StaffCertificate:
    """Issues the training certificate of a staff member who completed the course (attended all its hours),
    dated today and valid `TRAINING_CERTIFICATE_VALID_YEARS` years; it joins the member's certificates. The
    institution's staff are notified (through the outbox, on commit). Once per registration: a repeat is a
    Conflict."""
    course = registration.course
    require_visible(policies.runs_training_at(actor, course.centre),
                    _("Only officials of the centre's city issue its certificates."), user=actor, obj=registration)
    # The guarded claim: a second issuer waits for the first and then finds the certificate there.
    claimed = (Registration.objects.select_for_update()
               .filter(pk=registration.pk, status=Registration.Status.ATTENDED, certificate__isnull=True).first())
    if claimed is None:
        registration.refresh_from_db()
        if registration.certificate_id:
            raise Conflict(_("The certificate of this registration is issued already."), code="state")
        raise Conflict(_("Only a staff member who attended the course receives its certificate."), code="state")
    if (claimed.hours_attended or 0) < course.hours:
        raise Conflict(_("A certificate is issued for the whole course: %(done)s of %(hours)s hours were attended.")
                       % {"done": claimed.hours_attended or 0, "hours": course.hours}, code="state")
    today = timezone.localdate()
    if course.ends_on > today:
        raise Conflict(_("The course has not ended yet: issue the certificate on or after its last day."),
                       code="state")
    certificate = StaffCertificate(staff_member_id=claimed.staff_member_id, kind=StaffCertificate.Kind.TRAINING,
                                   number=certificate_number(claimed, today), issued_on=today,
                                   expires_on=certificate_expiry(today), recorded_by=actor)
    certificate.full_clean()
    certificate.save()
    Registration.objects.filter(pk=claimed.pk).update(certificate=certificate, updated_at=timezone.now())
    registration.refresh_from_db()
    audit_record(actor=actor, action="training.certificate_issue", target=registration,
                 after={"certificate": certificate.pk, "expires_on": str(certificate.expires_on)})
    _notify_certificate(registration, certificate)
    return certificate


def _notify_certificate(registration: Registration, certificate: StaffCertificate) -> None:
    from filings.models import Notification
    from filings.services.notifications import notify_institution_staff

    with translation.override(settings.LANGUAGE_CODE):  # the e-mail's language, whoever issued it
        text = _("%(name)s completed “%(course)s” and holds a training certificate until %(date)s.") % {
            "name": registration.staff_member.name, "course": registration.course.title,
            "date": certificate.expires_on.isoformat()}
    notify_institution_staff(institution_id=registration.institution_id, event=Notification.Event.TRAINING,
                             message=text, link=reverse("institutions:mine"))
