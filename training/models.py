"""Caregiver training at a city's guidance centre: courses, the staff registered for them, attendance.

A completed course ends in a training certificate, kept where every certificate of a staff member is kept
(`institutions.StaffCertificate`, kind `training`): the registration points to it. The figures ("trained
caregivers / caregivers") read those certificates, so a certificate recorded another way would count too.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import policies
from audit.targets import InstitutionTarget
from institutions.models import GuidanceCentre, StaffMember
from portal.fields import change_feed_index, updated_at_field
from regions import codes

# The staff roles that care for children in the classes: they are the "caregivers" of the training figures
# (working definition: 保育人员 and early-years teachers; health workers, directors, cooks are not counted).
CAREGIVER_ROLES = (StaffMember.Role.CAREGIVER, StaffMember.Role.TEACHER)


class CourseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CourseQuerySet:
        """Courses are public information, like the centres that run them: everyone signed in sees them."""
        return self.all() if user.is_authenticated else self.none()

    def open_to(self, user) -> CourseQuerySet:
        """The courses the user's institution may register staff for (`policies.registers_for_training`):
        those of centres in its province that have not started."""
        if not policies.is_linked_staff(user):
            return self.none()
        province = codes.province_of(user.institution.region_id) or "-"
        return self.filter(centre__city__code__startswith=province, status=Course.Status.PUBLISHED,
                           starts_on__gt=timezone.localdate())

    def run_by(self, user) -> CourseQuerySet:
        """The courses whose registrations, attendance and certificates the user keeps (`policies.runs_training_at`):
        an administrator's all, a city official's at the city's centres."""
        if policies.is_admin(user):
            return self.all()
        return self.filter(centre__city_id=user.region_id) if policies.runs_training(user) else self.none()

    def in_area(self, region_code: str) -> CourseQuerySet:
        return self.filter(centre__city__code__startswith=region_code) if region_code else self.all()


class Course(models.Model):
    """A course a guidance centre runs for caregivers, with its hours and places."""

    class Kind(models.TextChoices):
        BASIC = "basic", _("Caregiver basic training")
        HEALTH = "health", _("Health care")
        SAFETY = "safety", _("Safety and first aid")
        DEVELOPMENT = "development", _("Early development")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", pgettext_lazy("training", "Cancelled")

    centre = models.ForeignKey(GuidanceCentre, on_delete=models.PROTECT, related_name="courses",
                               verbose_name=_("guidance centre"))
    kind = models.CharField(_("kind of training"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    hours = models.PositiveSmallIntegerField(_("hours"), help_text=_("Teaching hours of the whole course."))
    capacity = models.PositiveSmallIntegerField(pgettext_lazy("training", "places"),
                                                help_text=_("How many staff members may register."))
    registered_count = models.PositiveSmallIntegerField(pgettext_lazy("training", "registered"), default=0,
                                                        editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("published by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = updated_at_field()

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="course_ends_after_start",
                                   violation_error_message=_("Ends on: a course cannot end before it starts."),
                                   violation_error_code="course_date_order"),
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=500), name="course_capacity_range",
                                   violation_error_message=_("Places: a course has between 1 and 500 places."),
                                   violation_error_code="course_capacity"),
            models.CheckConstraint(condition=Q(hours__gte=1, hours__lte=500), name="course_hours_range",
                                   violation_error_message=_("Hours: a course has between 1 and 500 hours."),
                                   violation_error_code="course_hours"),
            models.CheckConstraint(condition=Q(registered_count__lte=F("capacity")), name="course_not_overbooked",
                                   violation_error_message=_("Places: the course is full."),
                                   violation_error_code="course_full"),
        ]
        indexes = [
            change_feed_index("course_updated_idx"),
            models.Index(fields=["centre", "starts_on"], name="course_centre_start_idx"),
            models.Index(fields=["starts_on"], name="course_start_idx"),
            models.Index(fields=["kind", "starts_on"], name="course_kind_start_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:course", args=[self.pk])

    @property
    def audit_region_code(self) -> str:
        return self.centre.city_id

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.registered_count, 0)

    def has_started(self, on: datetime.date | None = None) -> bool:
        return self.starts_on <= (on or timezone.localdate())


class RegistrationQuerySet(models.QuerySet):
    def visible_to(self, user) -> RegistrationQuerySet:
        """Staff names are personal data: the registering institution's own staff, the officials running the
        course's centre (`Course.objects.run_by`), and administrators. Nobody else, not even the county."""
        if policies.is_admin(user):
            return self.all()
        if policies.is_linked_staff(user):
            return self.filter(institution_id=user.institution_id)
        if policies.runs_training(user):
            return self.filter(course__centre__city_id=user.region_id)
        return self.none()

    def taking_places(self) -> RegistrationQuerySet:
        return self.exclude(status=Registration.Status.CANCELLED)


class Registration(InstitutionTarget, models.Model):
    """One staff member registered for one course by their institution; the centre then records whether they
    attended, for how many hours, and issues the certificate."""

    class Status(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("training", "Registered")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Absent")
        CANCELLED = "cancelled", pgettext_lazy("training", "Withdrawn")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="registrations",
                               verbose_name=_("training course"))
    staff_member = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="training_registrations",
                                     verbose_name=_("staff member"))
    # The staff member's institution, kept on the row: scoping and the institution's list read it directly.
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="training_registrations", verbose_name=_("institution"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED)
    hours_attended = models.PositiveSmallIntegerField(_("hours attended"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("registered by"))
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    attendance_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                               blank=True, related_name="+", verbose_name=_("attendance recorded by"))
    attendance_recorded_at = models.DateTimeField(_("attendance recorded"), null=True, blank=True)
    certificate = models.OneToOneField("institutions.StaffCertificate", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="training_registration",
                                       verbose_name=_("training certificate"))
    updated_at = updated_at_field()

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("training registration")
        verbose_name_plural = _("training registrations")
        ordering = ["course_id", "staff_member__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "staff_member"], condition=~Q(status="cancelled"),
                                    name="registration_once_per_course",
                                    violation_error_message=_("Staff member: already registered for this course."),
                                    violation_error_code="registration_taken"),
            models.CheckConstraint(condition=Q(hours_attended__isnull=True) | Q(status="attended"),
                                   name="registration_hours_only_attended",
                                   violation_error_message=_("Hours attended: only for a staff member who "
                                                             "attended."),
                                   violation_error_code="registration_hours_status"),
            models.CheckConstraint(condition=Q(certificate__isnull=True) | Q(status="attended"),
                                   name="registration_certificate_only_attended",
                                   violation_error_message=_("Certificate: only for a staff member who attended."),
                                   violation_error_code="registration_certificate_status"),
        ]
        indexes = [
            change_feed_index("registration_updated_idx"),
            models.Index(fields=["institution", "status"], name="registration_institution_idx"),
            models.Index(fields=["course", "status"], name="registration_course_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_member} · {self.course}"

    @property
    def completed(self) -> bool:
        """Attended every hour of the course (working definition of "completed": the certificate's condition)."""
        return (self.status == self.Status.ATTENDED and self.hours_attended is not None
                and self.hours_attended >= self.course.hours)
