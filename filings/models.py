"""Filing (备案) with the county health commission: filings, their documents, deadlines and receipts,
notifications to the institution, and appointments at a city's guidance centre.

Statuses move only through the guarded service functions in `filings/services/`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import policies
from audit.targets import InstitutionTarget, PartTarget
from portal.fields import change_feed_index, updated_at_field
from portal.querysets import AreaQuerySet
from portal.uploads import CONTENT_TYPES, private_storage_name


class FilingQuerySet(AreaQuerySet):
    def visible_to(self, user) -> FilingQuerySet:
        """The one place where filing access is decided.

        Staff: their own institution's filings, drafts included. Officials: filings of institutions
        in their area once submitted at least once (a draft is the institution's own business).
        Administrators: all submitted ones too. Anyone else: none.
        """
        if policies.is_linked_staff(user):
            return self.filter(institution_id=user.institution_id)
        return self.in_area_of(user, "institution__region__code").filter(submitted_at__isnull=False)

    def reviewable_by(self, user) -> FilingQuerySet:
        """Filings this user may decide: county officials, for institutions of their own county."""
        if not policies.is_reviewer(user):
            return self.none()
        return self.visible_to(user).filter(institution__region__code__startswith=user.region_id)

    def pending(self) -> FilingQuerySet:
        """Waiting for the county's decision (submitted or resubmitted)."""
        return self.filter(status__in=Filing.PENDING)

    def overdue(self, on: datetime.date | None = None) -> FilingQuerySet:
        """Pending past their decision deadline (5 working days after the last complete submission)."""
        on = on or timezone.localdate()
        return self.pending().filter(due_on__lt=on)

    def publicly_rejected(self) -> FilingQuerySet:
        """Rejections are made public (登记和备案办法): institution, county, date and reason only."""
        return self.filter(status=Filing.Status.REJECTED)


class Filing(InstitutionTarget, models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial filing")
        CHANGE = "change", _("Change filing")
        CANCELLATION = "cancellation", _("Cancellation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        FILED = "filed", _("Filed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    PENDING = (Status.SUBMITTED, Status.RESUBMITTED)
    DECIDED = (Status.FILED, Status.REJECTED)
    OPEN = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.RESUBMITTED)
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="filings",
                                    verbose_name=_("institution"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    changes = models.JSONField(
        _("requested changes"), default=dict, blank=True,
        help_text=_("Change filings: {'particulars': {field: new value}, 'classes': [class changes]}."),
    )
    resettlement_confirmed = models.BooleanField(
        _("children and staff resettled"), default=False,
        help_text=_("Cancellation: the institution confirms that enrolled children and staff have been resettled."),
    )
    note = models.TextField(_("note to the reviewer"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True,
                                        help_text=_("The last complete submission; the deadline runs from it."))
    due_on = models.DateField(_("decision due"), null=True, blank=True)
    resubmission_count = models.PositiveSmallIntegerField(_("resubmissions"), default=0)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    rejection_reason = models.TextField(_("reason for rejection"), blank=True,
                                        help_text=_("Made public on the register."))
    receipt_number = models.CharField(_("receipt number"), max_length=20, blank=True, default="")
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    imported = models.BooleanField(
        _("imported"), default=False,
        help_text=_("Filed in the national filing system before this portal; imported with its date and receipt."))

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="filing_status_due_idx"),
            change_feed_index("filing_updated_idx"),
            models.Index(fields=["institution", "status"], name="filing_institution_status_idx"),
            models.Index(fields=["submitted_at"], name="filing_submitted_idx"),
            models.Index(fields=["decided_at"], name="filing_decided_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["receipt_number"], condition=~Q(receipt_number=""),
                                    name="filing_receipt_number_unique",
                                    violation_error_message=_("Receipt number: another filing already has this "
                                                              "receipt number."),
                                    violation_error_code="receipt_number_taken"),
            # One filing in progress per institution: two drafts racing each other make no sense.
            models.UniqueConstraint(fields=["institution"],
                                    condition=Q(status__in=["draft", "submitted", "returned", "resubmitted"]),
                                    name="filing_one_open_per_institution",
                                    violation_error_message=_("Institution: this institution already has a filing in "
                                                              "progress."),
                                    violation_error_code="filing_already_open"),
            models.CheckConstraint(condition=~Q(status="filed") | (~Q(receipt_number="") & Q(decided_at__isnull=False)),
                                   name="filing_filed_has_receipt",
                                   violation_error_message=_("Receipt number: a filed filing has a receipt number and "
                                                             "a decision time."),
                                   violation_error_code="filed_without_receipt"),
            models.CheckConstraint(condition=Q(status="filed") | Q(receipt_number=""),
                                   name="filing_receipt_only_when_filed",
                                   violation_error_message=_("Receipt number: only a filed filing has a receipt "
                                                             "number."),
                                   violation_error_code="receipt_without_filed"),
            models.CheckConstraint(condition=~Q(status__in=["submitted", "resubmitted"])
                                   | (Q(submitted_at__isnull=False) & Q(due_on__isnull=False)),
                                   name="filing_pending_has_deadline",
                                   violation_error_message=_("Decision due: a submitted filing has a submission time "
                                                             "and a decision deadline."),
                                   violation_error_code="pending_without_deadline"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                                   name="filing_rejected_has_reason",
                                   violation_error_message=_("Reason for rejection: a rejected filing states its "
                                                             "reason."),
                                   violation_error_code="rejected_without_reason"),
            models.CheckConstraint(condition=~Q(kind="cancellation") | ~Q(status__in=["submitted", "resubmitted",
                                                                                     "filed"])
                                   | Q(resettlement_confirmed=True),
                                   name="filing_cancellation_confirms_resettlement",
                                   violation_error_message=_("Children and staff resettled: a cancellation filing "
                                                             "confirms that children and staff are resettled before "
                                                             "it is submitted."),
                                   violation_error_code="resettlement_not_confirmed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.institution}"

    @property
    def county_code(self) -> str:
        return self.institution.county_code

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return self.is_pending and self.due_on is not None and self.due_on < (on or timezone.localdate())

    @property
    def particulars(self) -> dict:
        return (self.changes or {}).get("particulars", {})

    @property
    def class_changes(self) -> list:
        return (self.changes or {}).get("classes", [])


class FilingReturnComment(models.Model):
    """A reviewer's comment on one section of a returned filing (退回补正)."""

    class Section(models.TextChoices):
        BASIC = "basic", _("Basic data")
        PREMISES = "premises", _("Premises")
        STAFF = "staff", _("Staff")
        HEALTH = "health", _("Health")
        FIRE = "fire", _("Fire safety")
        FOOD = "food", _("Food")
        COMMITMENT = "commitment", _("Commitment")

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="return_comments",
                               verbose_name=_("filing"))
    round = models.PositiveSmallIntegerField(_("return round"), default=1)
    section = models.CharField(_("section"), max_length=12, choices=Section.choices)
    comment = models.TextField(_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("return comment")
        verbose_name_plural = _("return comments")
        ordering = ["filing_id", "-round", "section"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "round", "section"], name="return_comment_one_per_section",
                                    violation_error_message=_("Section: this section already has a comment in this "
                                                              "return round."),
                                    violation_error_code="return_comment_taken"),
            models.CheckConstraint(condition=~Q(comment=""), name="return_comment_not_empty",
                                   violation_error_message=_("Comment: a return comment is not empty."),
                                   violation_error_code="return_comment_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.comment[:40]}"


def document_storage_name(instance, filename: str) -> str:
    return private_storage_name("filings", filename)


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> DocumentQuerySet:
        return self.filter(filing__in=Filing.objects.visible_to(user))


class Document(PartTarget, models.Model):
    class Kind(models.TextChoices):
        BUSINESS_LICENCE = "business_licence", _("Business licence or legal-person certificate")
        PREMISES = "premises", _("Proof of premises (ownership or lease)")
        STAFF_CERTIFICATES = "staff_certificates", _("Staff qualification and health certificates")
        HEALTH_EVALUATION = "health_evaluation", _("Health evaluation report")
        FIRE_SAFETY = "fire_safety", _("Fire-safety pass")
        FOOD_LICENCE = "food_licence", _("Food business licence")
        COMMITMENT = "commitment", _("Signed commitment letter (备案承诺书)")
        OTHER = "other", _("Other document")

    audit_parent = "filing"
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="documents", verbose_name=_("filing"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=document_storage_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    premises_owned = models.BooleanField(_("premises owned"), default=False)
    lease_ends_on = models.DateField(_("lease ends on"), null=True, blank=True,
                                     help_text=_("A lease must run at least 3 more years, unless the premises "
                                                 "are owned."))
    rated_pass = models.BooleanField(_("rated 合格 (pass)"), null=True, blank=True,
                                     help_text=_("Health evaluation report: the rating on the report."))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["filing_id", "kind", "uploaded_at"]
        indexes = [models.Index(fields=["filing", "kind"], name="document_filing_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty",
                                   violation_error_message=_("File: the uploaded file is empty."),
                                   violation_error_code="document_empty"),
            models.CheckConstraint(condition=Q(content_type__in=CONTENT_TYPES),
                                   name="document_allowed_type",
                                   violation_error_message=_("File: only PDF, JPEG and PNG files are accepted."),
                                   violation_error_code="document_type_not_allowed"),
            models.CheckConstraint(condition=~Q(kind="premises") | Q(premises_owned=True)
                                   | Q(lease_ends_on__isnull=False), name="document_premises_owned_or_lease",
                                   violation_error_message=_("Lease ends on: premises that are not owned have a lease "
                                                             "end date."),
                                   violation_error_code="premises_without_lease"),
            models.CheckConstraint(condition=~Q(kind="health_evaluation") | Q(rated_pass__isnull=False),
                                   name="document_health_report_rated",
                                   violation_error_message=_("Rated 合格 (pass): a health evaluation report says "
                                                             "whether it was rated pass."),
                                   violation_error_code="health_report_not_rated"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Holiday(models.Model):
    """A day the State Council's holiday notice changes: a weekday off (放假), or a weekend day worked
    instead (调休上班). Other weekends are non-working, other weekdays working."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off (放假)")
        WORKING_WEEKEND = "working_weekend", _("Weekend worked (调休上班)")

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DAY_OFF)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ReceiptCounter(models.Model):
    """The last receipt number a county issued in a year: numbers like 130102-2026-0001."""

    county = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="receipt_counter_unique",
                                               violation_error_message=_("Year: this county already has a receipt "
                                                                         "counter for this year."),
                                               violation_error_code="receipt_counter_taken")]

    def __str__(self) -> str:
        return f"{self.county_id}-{self.year}: {self.last_number}"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        return self.filter(user=user) if user.is_authenticated else self.none()

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one staff account of an institution: about one of its filings, or about supervision
    after filing (an inspection, its rectification order, a suspension notice), where `link` is the page."""

    class Event(models.TextChoices):
        RETURNED = "returned", _("Your filing was returned for correction")
        FILED = "filed", _("Your filing was approved and a receipt issued")
        REJECTED = "rejected", _("Your filing was rejected")
        INSPECTION = "inspection", _("An inspection of your institution was signed off")
        RECTIFICATION = "rectification", _("Rectification is demanded by a deadline")
        ESCALATED = "escalated", _("Your rectification order is overdue and was escalated")
        SUSPENSION_NOTICE = "suspension_notice", _("Notice of intended suspension")
        SUSPENSION_DECIDED = "suspension_decided", _("The suspension notice was decided")
        YEAREND_RETURNED = "yearend_returned", _("Your year-end report was returned for correction")
        TRAINING = "training_certificate", _("A staff member received a training certificate")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("user"))
    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="+", verbose_name=_("institution"))
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="notifications", null=True,
                               blank=True, verbose_name=_("filing"))
    link = models.CharField(_("link"), max_length=200, blank=True,
                            help_text=_("The page the notification is about, when it is not a filing."))
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    updated_at = updated_at_field()

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            change_feed_index("notification_updated_idx"),
            models.Index(fields=["user", "read_at"], name="notification_user_read_idx"),
        ]

    def __str__(self) -> str:
        return str(self.get_event_display())

    @property
    def target_url(self) -> str:
        from django.urls import reverse

        return reverse("filings:detail", args=[self.filing_id]) if self.filing_id else self.link


class AppointmentSlotQuerySet(models.QuerySet):
    def visible_to(self, user) -> AppointmentSlotQuerySet:
        """Slots are public information for everyone signed in (like the guidance centres)."""
        return self.all() if user.is_authenticated else self.none()

    def upcoming(self, now: datetime.datetime | None = None) -> AppointmentSlotQuerySet:
        """Slots that have not started yet: later days, and today's from the next minute on."""
        now = timezone.localtime(now)
        return self.filter(Q(date__gt=now.date()) | Q(date=now.date(), start_time__gt=now.time()))

    def bookable(self, now: datetime.datetime | None = None) -> AppointmentSlotQuerySet:
        return self.upcoming(now).filter(booked_count__lt=F("capacity"))


class AppointmentSlot(models.Model):
    class Purpose(models.TextChoices):
        VERIFICATION = "verification", _("Document verification")
        CONSULTATION = "consultation", _("Consultation")
        TRAINING = "training", _("Training")

    centre = models.ForeignKey("institutions.GuidanceCentre", on_delete=models.PROTECT, related_name="slots",
                               verbose_name=_("guidance centre"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    booked_count = models.PositiveSmallIntegerField(_("booked"), default=0)
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = updated_at_field()

    objects = AppointmentSlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        ordering = ["date", "start_time", "pk"]
        indexes = [change_feed_index("slot_updated_idx"),
                   models.Index(fields=["centre", "date"], name="slot_centre_date_idx"),
                   models.Index(fields=["date"], name="slot_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="slot_capacity_positive",
                                   violation_error_message=_("Places: an appointment slot has at least one place."),
                                   violation_error_code="slot_capacity_not_positive"),
            models.CheckConstraint(condition=Q(booked_count__lte=F("capacity")), name="slot_not_overbooked",
                                   violation_error_message=_("Booked: this appointment slot is full."),
                                   violation_error_code="slot_full"),
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="slot_ends_after_start",
                                   violation_error_message=_("Ends: an appointment slot ends after it starts."),
                                   violation_error_code="slot_ends_before_start"),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.date} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def places_left(self) -> int:
        return self.capacity - self.booked_count


class BookingQuerySet(models.QuerySet):
    def visible_to(self, user) -> BookingQuerySet:
        """Staff: their institution's bookings. Officials: bookings of institutions in their area and
        bookings at guidance centres in their area (a city official sees the centre's whole day)."""
        if not user.is_authenticated:
            return self.none()
        if policies.is_admin(user):
            return self.all()
        if policies.is_official(user):
            return self.filter(Q(institution__region__code__startswith=user.region_id)
                               | Q(slot__centre__city__code__startswith=user.region_id))
        if policies.is_linked_staff(user):
            return self.filter(institution_id=user.institution_id)
        return self.none()


class Booking(InstitutionTarget, models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        # "Cancelled" alone is an institution's deregistration (已注销) elsewhere in the portal.
        CANCELLED = "cancelled", pgettext_lazy("booking", "Cancelled")

    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="bookings",
                             verbose_name=_("slot"))
    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="bookings",
                                    verbose_name=_("institution"))
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings",
                               verbose_name=_("filing"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("booked by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = updated_at_field()

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["slot__date", "slot__start_time", "pk"]
        indexes = [
            change_feed_index("booking_updated_idx"),
            models.Index(fields=["institution", "status"], name="booking_institution_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slot", "institution"], condition=Q(status="booked"),
                                    name="booking_once_per_slot",
                                    violation_error_message=_("Slot: this institution has already booked this slot."),
                                    violation_error_code="booking_taken"),
            models.CheckConstraint(condition=Q(status="booked") | Q(cancelled_at__isnull=False),
                                   name="booking_cancelled_has_date",
                                   violation_error_message=_("Cancelled: a cancelled booking has a cancellation time."),
                                   violation_error_code="cancelled_without_date"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} @ {self.slot_id} ({self.status})"
