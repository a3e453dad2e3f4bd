"""Pilot institutions, quality evaluation against a scorecard, and progress reports.

Scorecards are data (template → dimensions → items, with veto flags, and grade bands), so that the
national standard WS/T 821—2023 and a province's own edition can both be loaded. Progress reports
follow DHIS2: a template of configurable fields is assigned to regions from a date, and reporting
rates compare expected, actual and on-time reports per region and period.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policies
from audit.targets import InstitutionTarget, RegionTarget
from portal.fields import change_feed_index, updated_at_field
from portal.querysets import AreaQuerySet
from regions import codes

# --- Scorecards ----------------------------------------------------------------------------------

class ScorecardTemplateQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScorecardTemplateQuerySet:
        """National templates and those of the user's province are readable by every signed-in user."""
        if not user.is_authenticated:
            return self.none()
        if policies.is_admin(user):
            return self.all()
        home = user.region_id or (user.institution.region_id if user.institution_id else "")
        province = codes.province_of(home) or ""
        return self.filter(Q(region__isnull=True) | Q(region_id=province))


class ScorecardTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    standard = models.CharField(_("standard or edition"), max_length=100, blank=True,
                                help_text=_("E.g. WS/T 821—2023, or a province's own edition."))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="scorecard_templates", verbose_name=_("province"),
                               help_text=_("The province that loaded this edition; empty for a national standard."))
    total_points = models.DecimalField(_("total points"), max_digits=7, decimal_places=1)
    veto_grade = models.CharField(_("grade on a veto failure"), max_length=1, default="D")
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScorecardTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ScoreDimension(models.Model):
    template = models.ForeignKey(ScorecardTemplate, on_delete=models.CASCADE, related_name="dimensions",
                                 verbose_name=_("template"))
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    max_points = models.DecimalField(_("maximum points"), max_digits=7, decimal_places=1)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("score dimension")
        verbose_name_plural = _("score dimensions")
        ordering = ["template_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="dimension_order_unique",
                                    violation_error_message=_("Order: another dimension of this template already has "
                                                              "this position."),
                                    violation_error_code="dimension_order_taken"),
            models.UniqueConstraint(fields=["template", "code"], name="dimension_code_unique",
                                    violation_error_message=_("Code: another dimension of this template already has "
                                                              "this code."),
                                    violation_error_code="dimension_code_taken"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.max_points})"


class ScoreItem(models.Model):
    dimension = models.ForeignKey(ScoreDimension, on_delete=models.CASCADE, related_name="items",
                                  verbose_name=_("dimension"))
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("item"))
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=1)
    is_veto = models.BooleanField(_("veto item (一票否决)"), default=False,
                                  help_text=_("Failing this item fails the institution outright."))
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("score item")
        verbose_name_plural = _("score items")
        ordering = ["dimension_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "code"], name="score_item_code_unique",
                                    violation_error_message=_("Code: another item of this dimension already has this "
                                                              "code."),
                                    violation_error_code="score_item_code_taken"),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="score_item_points_nonnegative",
                                   violation_error_message=_("Maximum points: an item's maximum points are zero or "
                                                             "more."),
                                   violation_error_code="max_points_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"


class GradeBand(models.Model):
    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    template = models.ForeignKey(ScorecardTemplate, on_delete=models.CASCADE, related_name="grade_bands",
                                 verbose_name=_("template"))
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    min_points = models.DecimalField(_("from points"), max_digits=7, decimal_places=1)
    label = models.CharField(_("label"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["template_id", "-min_points"]
        constraints = [
            models.UniqueConstraint(fields=["template", "grade"], name="grade_band_unique",
                                    violation_error_message=_("Grade: this template already has a band for this "
                                                              "grade."),
                                    violation_error_code="grade_taken"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} ≥ {self.min_points}"


# --- Pilots and assessments ------------------------------------------------------------------------

class PilotQuerySet(AreaQuerySet):
    def visible_to(self, user) -> PilotQuerySet:
        if policies.is_linked_staff(user):
            return self.filter(institution_id=user.institution_id)
        return self.in_area_of(user, "institution__region__code")

    def completed_on_or_before(self, date: datetime.date) -> PilotQuerySet:
        return self.filter(completed_on__lte=date)


class Pilot(InstitutionTarget, models.Model):
    """A provincial pilot institution for a year; `completed_on` is its "quality improvement completed" date."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="pilots",
                                    verbose_name=_("institution"))
    year = models.PositiveSmallIntegerField(_("year"))
    designated_by = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="designated_pilots",
                                      verbose_name=_("designated by"),
                                      help_text=_("The province (or city) that designated the pilot."))
    designated_on = models.DateField(_("designated on"))
    completed_on = models.DateField(_("quality improvement completed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = updated_at_field()

    objects = PilotQuerySet.as_manager()

    class Meta:
        verbose_name = _("pilot institution")
        verbose_name_plural = _("pilot institutions")
        ordering = ["-year", "institution_id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="pilot_once_per_year",
                                    violation_error_message=_("Year: this institution is already a pilot institution "
                                                              "for this year."),
                                    violation_error_code="pilot_year_taken"),
            models.CheckConstraint(condition=Q(completed_on__isnull=True)
                                   | Q(completed_on__gte=models.F("designated_on")),
                                   name="pilot_completed_after_designation",
                                   violation_error_message=_("Quality improvement completed on: the completion date "
                                                             "is on or after the designation date."),
                                   violation_error_code="completed_before_designation"),
        ]
        indexes = [
            change_feed_index("pilot_updated_idx"),
            models.Index(fields=["year", "designated_on"], name="pilot_year_idx"),
            models.Index(fields=["completed_on"], name="pilot_completed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} ({self.year})"


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssessmentQuerySet:
        return self.filter(pilot__in=Pilot.objects.visible_to(user))


class Assessment(models.Model):
    pilot = models.ForeignKey(Pilot, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("pilot"))
    template = models.ForeignKey(ScorecardTemplate, on_delete=models.PROTECT, related_name="assessments",
                                 verbose_name=_("scorecard"))
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("assessor"))
    total = models.DecimalField(_("total points"), max_digits=7, decimal_places=1)
    grade = models.CharField(_("grade"), max_length=1, choices=GradeBand.Grade.choices)
    veto_failed = models.BooleanField(_("failed a veto item"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = updated_at_field()

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_on", "-pk"]
        indexes = [
            change_feed_index("assessment_updated_idx"),
            models.Index(fields=["pilot", "assessed_on"], name="assessment_pilot_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pilot} {self.assessed_on}: {self.total} {self.grade}"

    @property
    def audit_region_code(self) -> str:
        return self.pilot.institution.region_id


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("assessment"))
    item = models.ForeignKey(ScoreItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=1)
    veto_failed = models.BooleanField(_("veto item failed"), default=False)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["assessment_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="assessment_item_unique",
                                    violation_error_message=_("Item: this assessment already has a score for this "
                                                              "item."),
                                    violation_error_code="assessment_item_taken"),
            models.CheckConstraint(condition=Q(points__gte=0), name="assessment_points_nonnegative",
                                   violation_error_message=_("Points: a score is zero or more."),
                                   violation_error_code="points_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"


# --- Progress reports ------------------------------------------------------------------------------

class ProgressReportTemplateQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProgressReportTemplateQuerySet:
        if not user.is_authenticated:
            return self.none()
        if policies.is_admin(user):
            return self.all()
        if policies.is_official(user):
            return self.filter(region_id=codes.province_of(user.region_id))
        return self.none()


class ProgressReportTemplate(RegionTarget, models.Model):
    """What a province asks its cities and counties to report, and how often."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        # The province's report every six months (the half-year report of the annual assessment).
        HALF_YEARLY = "halfyear", _("Every six months")

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="report_templates",
                               verbose_name=_("province"))
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices,
                                 default=Frequency.DAILY)
    grace_days = models.PositiveSmallIntegerField(
        _("days allowed after the period"), default=1,
        help_text=_("A report submitted by the end of this many days after its period is on time."))
    is_active = models.BooleanField(_("in use"), default=True)

    objects = ProgressReportTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report template")
        verbose_name_plural = _("progress report templates")
        ordering = ["region_id", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="report_template_code_unique",
                                               violation_error_message=_("Code: another progress report template of "
                                                                         "this province already has this code."),
                                               violation_error_code="report_template_code_taken")]

    def __str__(self) -> str:
        return self.name


class ProgressReportField(models.Model):
    class Kind(models.TextChoices):
        INTEGER = "integer", _("Whole number")
        DECIMAL = "decimal", _("Number")
        TEXT = "text", _("Text")

    template = models.ForeignKey(ProgressReportTemplate, on_delete=models.CASCADE, related_name="fields",
                                 verbose_name=_("template"))
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.INTEGER)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("report field")
        verbose_name_plural = _("report fields")
        ordering = ["template_id", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="report_field_code_unique",
                                               violation_error_message=_("Code: another field of this template "
                                                                         "already has this code."),
                                               violation_error_code="report_field_code_taken")]

    def __str__(self) -> str:
        return self.label


class ReportingObligationQuerySet(AreaQuerySet):
    def visible_to(self, user) -> ReportingObligationQuerySet:
        return self.in_area_of(user)


class ReportingObligation(models.Model):
    """A region is expected to send a template's reports from `starts_on` (to `ends_on`, if set).

    Reporting-rate denominators count only periods inside these dates (DHIS2's data set assignment),
    so a county assigned in June is not marked late for May.
    """

    template = models.ForeignKey(ProgressReportTemplate, on_delete=models.CASCADE, related_name="obligations",
                                 verbose_name=_("template"))
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="reporting_obligations",
                               verbose_name=_("region"))
    starts_on = models.DateField(_("expected from"))
    ends_on = models.DateField(_("expected until"), null=True, blank=True)

    objects = ReportingObligationQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting obligation")
        verbose_name_plural = _("reporting obligations")
        ordering = ["template_id", "region_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["template", "region", "starts_on"], name="obligation_unique",
                                    violation_error_message=_("Expected from: this region already has an obligation "
                                                              "for this template from this date."),
                                    violation_error_code="obligation_taken"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="obligation_dates_order",
                                   violation_error_message=_("Expected until: the end date is on or after the start "
                                                             "date."),
                                   violation_error_code="obligation_ends_before_start"),
        ]
        indexes = [models.Index(fields=["template", "region"], name="obligation_region_idx")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.template_id} from {self.starts_on}"


class ProgressReportQuerySet(AreaQuerySet):
    def visible_to(self, user) -> ProgressReportQuerySet:
        return self.in_area_of(user)


class ProgressReport(RegionTarget, models.Model):
    """One region's report for one period (`date` is the period's first day; for daily reports the day)."""

    template = models.ForeignKey(ProgressReportTemplate, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("template"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="progress_reports",
                               verbose_name=_("region"))
    date = models.DateField(_("reporting period"))
    values = models.JSONField(_("values"), default=dict)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("submitted by"))
    on_time = models.BooleanField(_("on time"), default=True)
    updated_at = updated_at_field()

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-date", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "region", "date"], name="progress_report_once_per_period",
                                    violation_error_message=_("Reporting period: this region has already sent this "
                                                              "report for this period."),
                                    violation_error_code="progress_report_taken"),
        ]
        indexes = [
            change_feed_index("progress_updated_idx"),
            models.Index(fields=["template", "date"], name="progress_report_date_idx"),
            models.Index(fields=["region", "date"], name="progress_report_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.date}"
