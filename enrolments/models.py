"""Enrolment records: children, their guardians, enrolments in classes, imports and periodic reports.

Children's personal data is for the staff of the institution that holds the record; officials only
ever see counts. Each institution keeps its own record of a child (it collected the data); the same
child in two institutions is recognised through the keyed identity hash, never by showing one
institution's record to another.

An enrolment covers [start_date, end_date): enrolled on date D means start_date <= D and
(end_date is null or end_date > D). Nothing is deleted: leaving sets end_date and a reason, and a
class move ends one enrolment and starts the next on the same day.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts import policies
from audit.targets import InstitutionTarget
from institutions.models import Institution
from portal.fields import change_feed_index, updated_at_field
from portal.models import SweptJob

from . import identity


def age_in_months(date_of_birth: datetime.date, on: datetime.date) -> int:
    """Completed months of age on a date (a child born 15 March is 6 months old on 15 September)."""
    months = (on.year - date_of_birth.year) * 12 + on.month - date_of_birth.month
    if on.day < date_of_birth.day:
        months -= 1
    return months


def add_months(date: datetime.date, months: int) -> datetime.date:
    """The date `months` later; a day that does not exist (31 → April) becomes the 1st of the next month,
    consistent with age_in_months (the child completes the month on that day)."""
    total = date.year * 12 + date.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    try:
        return datetime.date(year, month, date.day)
    except ValueError:
        year2, month2 = divmod(year * 12 + month, 12)
        return datetime.date(year2, month2 + 1, 1)


class Sex(models.TextChoices):
    MALE = "male", _("Boy")
    FEMALE = "female", _("Girl")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written (signed form)")
    ELECTRONIC = "electronic", _("Electronic (signed online)")


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user) -> ChildQuerySet:
        """Only the staff of the institution that holds the child's record or where the child is or was
        enrolled (and system administrators). Officials get none: they see counts and rates only."""
        if not user.is_authenticated:
            return self.none()
        if policies.is_admin(user):
            return self.all()
        if policies.is_linked_staff(user):
            enrolled_here = Enrolment.objects.filter(child=OuterRef("pk"), institution_id=user.institution_id)
            return self.filter(Q(institution_id=user.institution_id) | Exists(enrolled_here))
        return self.none()


class Child(InstitutionTarget, models.Model):
    class DocumentType(models.TextChoices):
        RESIDENT_ID = identity.RESIDENT_ID, _("Resident identity number")
        PASSPORT = "passport", _("Passport")
        OTHER = "other", _("Other identity document")

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="child_records", verbose_name=_("institution"),
        help_text=_("The institution that collected and holds this record."))
    name = models.CharField(_("full name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    document_type = models.CharField(_("document type"), max_length=12, choices=DocumentType.choices,
                                     default=DocumentType.RESIDENT_ID)
    # Never the clear number: a keyed hash to find duplicates, an encrypted copy, and a mask to show.
    document_hash = models.CharField(_("identity hash"), max_length=64, db_index=True, editable=False)
    document_encrypted = models.TextField(_("encrypted identity number"), editable=False)
    document_masked = models.CharField(_("identity number"), max_length=32, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    # A guardian's consent to keeping a child's data (PIPL Art. 31: the data of a child under 14 is kept
    # with a guardian's consent). Empty only on records kept before consent was recorded: shown as such.
    consent_method = models.CharField(_("consent given"), max_length=10, choices=ConsentMethod.choices, blank=True,
                                      help_text=_("How the guardian consented; empty: consent not recorded."))
    consent_given_on = models.DateField(_("consent date"), null=True, blank=True)
    consent_guardian_name = models.CharField(_("consenting guardian"), max_length=100, blank=True)
    consent_guardian_relation = models.CharField(_("consenting guardian's relation"), max_length=12, blank=True)
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                            blank=True, related_name="+", verbose_name=_("consent recorded by"))
    consent_recorded_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)
    # Retention: a set time after the child left, the personal fields are blanked (enrolments.retention).
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = updated_at_field()

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "document_hash"], name="child_unique_per_institution",
                                    violation_error_message=_("Identity number: a child with this identity number is "
                                                              "already registered at this institution."),
                                    violation_error_code="child_taken"),
            models.CheckConstraint(
                condition=(Q(consent_method="", consent_given_on__isnull=True)
                           | (~Q(consent_method="") & Q(consent_given_on__isnull=False)
                              & (~Q(consent_guardian_name="") | Q(erased_at__isnull=False)))),
                name="child_consent_complete",
                violation_error_message=_("Consent: recorded consent states how, when and by which guardian."),
                violation_error_code="consent_incomplete"),
        ]
        indexes = [change_feed_index("child_updated_idx")]

    def __str__(self) -> str:
        return self.name

    def set_document(self, document_type: str, number: str) -> None:
        self.document_type = document_type
        self.document_hash = identity.identity_hash(document_type, number)
        self.document_encrypted = identity.encrypt(number)
        self.document_masked = identity.mask(number)

    def document_number(self) -> str:
        """The clear number, for the one record a member of staff opens (the view is audited)."""
        return identity.decrypt(self.document_encrypted) if self.document_encrypted else ""

    @property
    def consent_recorded(self) -> bool:
        return bool(self.consent_method)

    def age_in_months(self, on: datetime.date) -> int:
        return age_in_months(self.date_of_birth, on)


class Guardian(models.Model):
    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GRANDPARENT = "grandparent", _("Grandparent")
        OTHER = "other", _("Other guardian")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("child"))
    name = models.CharField(_("full name"), max_length=100)
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["child_id", "pk"]

    def __str__(self) -> str:
        return self.name


class CareForm(models.TextChoices):
    FULL_DAY = "full_day", _("Full-day care")
    HALF_DAY = "half_day", _("Half-day care")
    HOURLY = "hourly", _("Hourly care")
    TEMPORARY = "temporary", _("Temporary care")


class LeavingReason(models.TextChoices):
    CLASS_CHANGE = "class_change", _("Moved to another class")
    AGED_OUT = "aged_out", _("Aged out (to kindergarten)")
    MOVED_AWAY = "moved_away", _("Family moved away")
    FAMILY_CHOICE = "family_choice", _("Family's choice")
    HEALTH = "health", _("Health reasons")
    INSTITUTION_CLOSED = "institution_closed", _("Institution closed")
    OTHER = "other", _("Other")


class NamesAChildQuerySet(models.QuerySet):
    """Rows that name a child, held by an institution (`institution` field)."""

    def visible_to(self, user):
        """Staff of the institution (and administrators) only."""
        if not user.is_authenticated:
            return self.none()
        if policies.is_admin(user):
            return self.all()
        if policies.is_linked_staff(user):
            return self.filter(institution_id=user.institution_id)
        return self.none()


class EnrolmentQuerySet(NamesAChildQuerySet):
    def active_on(self, date: datetime.date) -> EnrolmentQuerySet:
        return self.filter(start_date__lte=date).filter(Q(end_date__isnull=True) | Q(end_date__gt=date))

    def overlapping(self, start: datetime.date, end: datetime.date | None) -> EnrolmentQuerySet:
        """Enrolments sharing at least one day with [start, end)."""
        qs = self.filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
        return qs.filter(start_date__lt=end) if end else qs


class Enrolment(InstitutionTarget, models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("child"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="enrolments",
                                    verbose_name=_("institution"))
    klass = models.ForeignKey("institutions.InstitutionClass", on_delete=models.PROTECT, related_name="enrolments",
                              verbose_name=_("class"))
    care_form = models.CharField(_("care form"), max_length=10, choices=CareForm.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True,
                                help_text=_("The first day the child no longer attends; empty while enrolled."))
    leaving_reason = models.CharField(_("reason for leaving"), max_length=20, choices=LeavingReason.choices,
                                      blank=True)
    leaving_note = models.CharField(_("note"), max_length=200, blank=True)
    previous = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="next",
                                    verbose_name=_("previous enrolment"),
                                    help_text=_("Set when the child moved here from another class."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = updated_at_field()

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")),
                                   name="enrolment_ends_after_start",
                                   violation_error_message=_("End date: an enrolment ends after its start date."),
                                   violation_error_code="enrolment_ends_before_start"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | ~Q(leaving_reason=""),
                                   name="enrolment_end_has_reason",
                                   violation_error_message=_("Reason for leaving: an ended enrolment states the "
                                                             "reason for leaving."),
                                   violation_error_code="end_without_reason"),
            models.UniqueConstraint(fields=["child", "institution", "start_date"],
                                    name="enrolment_unique_child_institution_start",
                                    violation_error_message=_("Start date: this child already has an enrolment at "
                                                              "this institution starting on this date."),
                                    violation_error_code="enrolment_taken"),
        ]
        indexes = [
            change_feed_index("enrolment_updated_idx"),
            models.Index(fields=["institution", "end_date", "start_date"], name="enrolment_institution_idx"),
            models.Index(fields=["klass", "start_date", "end_date"], name="enrolment_class_dates_idx"),
            models.Index(fields=["care_form", "start_date", "end_date"], name="enrolment_care_form_idx"),
            # The metrics recompute counts enrolments open on a date from these two (metrics.compute.
            # enrolments_open_sql): the open ones, and the closed ones by their end, so the years of closed
            # enrolments are never scanned for today's figures.
            models.Index(fields=["institution", "start_date"], condition=Q(end_date__isnull=True),
                         name="enrolment_open_idx"),
            models.Index(fields=["end_date", "institution", "start_date"], condition=Q(end_date__isnull=False),
                         name="enrolment_ended_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} @ {self.klass_id} from {self.start_date}"

    def is_active_on(self, date: datetime.date) -> bool:
        return self.start_date <= date and (self.end_date is None or self.end_date > date)


class DueNotice(models.Model):
    """A child who must move class (or leave: 3 years old) within 30 days; refreshed by a daily task.

    Derived data, rebuilt each run, so rows are replaced rather than kept.
    """

    class Kind(models.TextChoices):
        MOVE = "move", _("Move to an older class")
        LEAVE = "leave", _("Leave (turns 3)")

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="due_notice")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="due_notices")
    kind = models.CharField(_("due to"), max_length=6, choices=Kind.choices)
    due_on = models.DateField(_("due on"))
    computed_on = models.DateField(_("computed on"))

    class Meta:
        verbose_name = _("due notice")
        verbose_name_plural = _("due notices")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["institution", "due_on"], name="duenotice_institution_idx")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.kind} {self.due_on}"


class ImportJob(InstitutionTarget, SweptJob):
    """One upload of a class list or an institution's whole list; the import runs in a Celery task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        VALIDATING = "validating", _("Checking rows")
        WRITING = "writing", _("Saving")
        FAILED = "failed", _("Not imported: errors found")
        DONE = "done", _("Imported")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="import_jobs")
    klass = models.ForeignKey("institutions.InstitutionClass", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("class"),
                              help_text=_("For a class list: the class of rows that name none."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    filename = models.CharField(_("file"), max_length=200)
    # The upload itself, until the import has run (then cleared: it holds identity numbers).
    data = models.BinaryField(default=b"", editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    children_created = models.PositiveIntegerField(default=0)
    enrolments_created = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


# --- Periodic enrolment report (管理规范 Art. 12) -----------------------------------------------------

class ReportingPeriodSetting(models.Model):
    """How often a province's institutions report their enrolled children (default 90 days)."""

    province = models.OneToOneField("regions.Region", on_delete=models.CASCADE, related_name="reporting_setting",
                                    verbose_name=_("province"), limit_choices_to={"level": "province"})
    period_days = models.PositiveSmallIntegerField(_("period (days)"), default=90)
    first_period_starts = models.DateField(_("first period starts"), default=datetime.date(2022, 1, 1))
    grace_days = models.PositiveSmallIntegerField(
        _("days to report after the period ends"), default=15,
        help_text=_("A report submitted later than this counts as late (working definition)."))

    class Meta:
        verbose_name = _("reporting period setting")
        verbose_name_plural = _("reporting period settings")
        constraints = [models.CheckConstraint(condition=Q(period_days__gte=7), name="reporting_period_min_week",
                                              violation_error_message=_("Period (days): a reporting period is at "
                                                                        "least 7 days."),
                                              violation_error_code="period_under_week")]

    def __str__(self) -> str:
        return f"{self.province_id}: {self.period_days}"


class EnrolmentReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> EnrolmentReportQuerySet:
        """Reports hold counts only: staff see their institution's, officials those of their area."""
        return self.filter(institution__in=Institution.objects.visible_to(user))


class EnrolmentReport(InstitutionTarget, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Prepared")
        CONFIRMED = "confirmed", _("Confirmed")
        SUBMITTED = "submitted", _("Submitted")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="enrolment_reports",
                                    verbose_name=_("institution"))
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("The last day of the period."))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    figures = models.JSONField(_("figures"), default=dict,
                               help_text=_("Enrolled children by class type and care form on the period's last day."))
    enrolled = models.PositiveIntegerField(_("enrolled children"), default=0)
    places = models.PositiveIntegerField(_("places"), default=0)
    staff = models.PositiveIntegerField(_("staff"), default=0)
    prepared_at = models.DateTimeField(_("prepared"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    updated_at = updated_at_field()

    objects = EnrolmentReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment report")
        verbose_name_plural = _("enrolment reports")
        ordering = ["-period_start", "institution_id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "period_start"], name="report_one_per_period",
                                    violation_error_message=_("Period start: this institution already has a report "
                                                              "for this period."),
                                    violation_error_code="report_taken"),
            models.CheckConstraint(condition=~Q(status="submitted") | Q(submitted_on__isnull=False),
                                   name="report_submitted_has_date",
                                   violation_error_message=_("Submitted on: a submitted report has its submission "
                                                             "date."),
                                   violation_error_code="submitted_without_date"),
        ]
        indexes = [
            change_feed_index("report_updated_idx"),
            models.Index(fields=["period_start", "status", "institution"], name="report_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.period_start}–{self.period_end}"

    @property
    def on_time(self) -> bool:
        return self.submitted_on is not None and self.submitted_on <= self.due_on


# --- Downloads of personal data (docs/privacy.md, "Exports") ----------------------------------------

class ExportApprovalQuerySet(NamesAChildQuerySet):
    """Bulk-export requests are seen by the institution's staff and administrators, as the data they export."""

    def pending(self) -> ExportApprovalQuerySet:
        return self.filter(status=ExportApproval.Status.PENDING)


class ExportApproval(InstitutionTarget, models.Model):
    """A bulk export of children's data (more rows than CHILD_EXPORT_APPROVAL_ROWS) waits for a second
    person of the institution (or an administrator) to approve it; the requester then downloads it once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved: download once")
        REFUSED = "refused", _("Refused")
        DOWNLOADED = "downloaded", _("Downloaded")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="export_approvals",
                                    verbose_name=_("institution"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    format = models.CharField(_("format"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    rows = models.PositiveIntegerField(_("rows"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)
    updated_at = updated_at_field()

    objects = ExportApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("export approval")
        verbose_name_plural = _("export approvals")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                                   name="export_approval_second_person",
                                   violation_error_message=_("Approval: a bulk export is approved by a second "
                                                             "person, not by who asked for it."),
                                   violation_error_code="approval_by_requester"),
        ]
        indexes = [models.Index(fields=["institution", "status", "requested_at"], name="export_approval_idx"),
                   change_feed_index("export_approval_changes_idx")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.rows} rows ({self.status})"


class ExportLog(models.Model):
    """One download of personal data: who, when, what, how many rows, and why (asked before the download)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("downloaded by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("institution"))
    kind = models.CharField(_("data"), max_length=20, default="enrolments")
    format = models.CharField(_("format"), max_length=4)
    purpose = models.CharField(_("purpose"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"))
    approval = models.OneToOneField(ExportApproval, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="download", verbose_name=_("approval"))

    class Meta:
        verbose_name = _("personal data download")
        verbose_name_plural = _("personal data downloads")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"], name="export_log_user_idx"),
                   models.Index(fields=["institution", "at"], name="export_log_institution_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.rows} rows"


# --- Guardians' requests (PIPL Arts. 44–47) -------------------------------------------------------------

class GuardianRequestQuerySet(NamesAChildQuerySet):
    def overdue(self, today: datetime.date) -> GuardianRequestQuerySet:
        return self.filter(status=GuardianRequest.Status.OPEN, due_on__lt=today)


class GuardianRequest(InstitutionTarget, models.Model):
    """A guardian asks to see, correct or delete a child's data; the institution answers within 15 working
    days (working definition after the 15-working-day answer period of the government-information rules)."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("See the data")
        CORRECTION = "correction", _("Correct the data")
        DELETION = "deletion", _("Delete the data")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="guardian_requests",
                                    verbose_name=_("institution"))
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="guardian_requests",
                              verbose_name=_("child"))
    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    requested_on = models.DateField(_("received on"))
    requester_name = models.CharField(_("guardian's name"), max_length=100)
    requester_relation = models.CharField(_("relation"), max_length=12, choices=Guardian.Relation.choices)
    details = models.TextField(_("what is asked"), blank=True)
    due_on = models.DateField(_("answer due"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("answered by"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = updated_at_field()

    objects = GuardianRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("guardian's request")
        verbose_name_plural = _("guardians' requests")
        ordering = ["status", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="answered") | Q(answered_at__isnull=False),
                                   name="guardian_request_answered_has_time",
                                   violation_error_message=_("Answer: an answered request has the time it was "
                                                             "answered."),
                                   violation_error_code="answered_without_time"),
        ]
        indexes = [models.Index(fields=["institution", "status", "due_on"], name="guardian_request_queue_idx"),
                   change_feed_index("guardian_request_changes_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.child_id} ({self.status})"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == self.Status.OPEN and today > self.due_on
