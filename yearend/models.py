"""The institutions' year-end report to the health department (托育机构管理规范 Art. 38).

The form is data: a province's template (versioned: a new version never changes a report filed on an older
one) and its fields. The province opens a year's reporting (`YearEndObligation`: the template version and
the deadline); every institution filed and not cancelled on 31 December of the year then owes one report to
its county, which accepts it or returns it with a comment.

Progress reports (pilots) are a region's report per period with no review; a year-end report is an
institution's, drafted, submitted and decided — hence its own models rather than a frequency of those.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import policies
from audit.targets import InstitutionTarget, RegionTarget
from portal.fields import change_feed_index, updated_at_field
from portal.querysets import AreaQuerySet
from regions import codes


class ProvinceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A province's templates and obligations: every signed-in user of the province (staff read the form
        they fill in), administrators all."""
        if not user.is_authenticated:
            return self.none()
        if policies.is_admin(user):
            return self.all()
        home = user.region_id or (user.institution.region_id if user.institution_id else "")
        province = codes.province_of(home) if home else None
        return self.filter(region_id=province) if province else self.none()


class YearEndTemplate(RegionTarget, models.Model):
    """One version of a province's year-end report form."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="yearend_templates",
                               verbose_name=_("province"))
    code = models.SlugField(_("code"), max_length=50)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    is_working_definition = models.BooleanField(
        _("working definition"), default=False,
        help_text=_("The fields are the portal's choice where no published form was found."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        verbose_name = _("year-end report template")
        verbose_name_plural = _("year-end report templates")
        ordering = ["region_id", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code", "version"], name="yearend_template_version_unique",
                                    violation_error_message=_("Version: this template already has this version."),
                                    violation_error_code="yearend_template_version_taken"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class YearEndField(models.Model):
    class Kind(models.TextChoices):
        INTEGER = "integer", _("Whole number")
        DECIMAL = "decimal", _("Number")
        TEXT = "text", _("Text")

    template = models.ForeignKey(YearEndTemplate, on_delete=models.CASCADE, related_name="fields",
                                 verbose_name=_("template"))
    code = models.SlugField(_("code"), max_length=50)
    section = models.CharField(_("section"), max_length=100, blank=True)
    label = models.CharField(_("label"), max_length=200)
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.INTEGER)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("year-end report field")
        verbose_name_plural = _("year-end report fields")
        ordering = ["template_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="yearend_field_code_unique",
                                    violation_error_message=_("Code: another field of this template already has "
                                                              "this code."),
                                    violation_error_code="yearend_field_code_taken"),
        ]

    def __str__(self) -> str:
        return self.label


class YearEndObligation(RegionTarget, models.Model):
    """A province's year-end reporting for one year: the form version asked for and the deadline."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="yearend_obligations",
                               verbose_name=_("province"))
    year = models.PositiveSmallIntegerField(_("year reported on"))
    template = models.ForeignKey(YearEndTemplate, on_delete=models.PROTECT, related_name="obligations",
                                 verbose_name=_("template"))
    due_on = models.DateField(_("due on"))
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        verbose_name = _("year-end reporting")
        verbose_name_plural = _("year-end reporting")
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="yearend_obligation_once_per_year",
                                    violation_error_message=_("Year: this province has already opened its year-end "
                                                              "reporting for this year."),
                                    violation_error_code="yearend_obligation_taken"),
            models.CheckConstraint(condition=Q(due_on__year__gt=models.F("year")), name="yearend_due_after_year",
                                   violation_error_message=_("Due on: a year-end report is due after the year "
                                                             "it reports on."),
                                   violation_error_code="yearend_due_in_year"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"

    @property
    def year_end(self) -> datetime.date:
        """The day that decides who owes a report: institutions filed and not cancelled on it."""
        return datetime.date(self.year, 12, 31)


class YearEndReportQuerySet(AreaQuerySet):
    def visible_to(self, user) -> YearEndReportQuerySet:
        """Staff: their institution's reports. Officials: the reports of their area (a township's too: it
        reads; only the county decides). Administrators: all."""
        if policies.is_linked_staff(user):
            return self.filter(institution_id=user.institution_id)
        return self.in_area_of(user, "institution__region__code")


class YearEndReport(InstitutionTarget, models.Model):
    class Status(models.TextChoices):
        # A context of their own: "Accepted" and "Returned" are other words in filings and supervision.
        DRAFT = "draft", pgettext_lazy("year-end report", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("year-end report", "Submitted, under review")
        ACCEPTED = "accepted", pgettext_lazy("year-end report", "Accepted")
        RETURNED = "returned", pgettext_lazy("year-end report", "Returned for correction")

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT,
                                    related_name="yearend_reports", verbose_name=_("institution"))
    obligation = models.ForeignKey(YearEndObligation, on_delete=models.PROTECT, related_name="reports",
                                   verbose_name=_("year-end reporting"))
    year = models.PositiveSmallIntegerField(_("year reported on"))
    template = models.ForeignKey(YearEndTemplate, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("template"))
    values = models.JSONField(_("values"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("started by"))
    first_submitted_at = models.DateTimeField(
        _("first submitted"), null=True, blank=True,
        help_text=_("Timeliness is judged on the first submission; a corrected report keeps it."))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True, verbose_name=_("submitted by"))
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True, verbose_name=_("decided by"))
    return_comment = models.TextField(_("comment on return"), blank=True)
    updated_at = updated_at_field()

    objects = YearEndReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("year-end report")
        verbose_name_plural = _("year-end reports")
        ordering = ["-year", "institution_id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="yearend_report_once_per_year",
                                    violation_error_message=_("Year: this institution already has a year-end "
                                                              "report for this year."),
                                    violation_error_code="yearend_report_taken"),
            models.CheckConstraint(condition=Q(status="draft") | Q(first_submitted_at__isnull=False,
                                                                    on_time__isnull=False),
                                   name="yearend_submitted_has_time",
                                   violation_error_message=_("Submitted: a submitted report has its submission "
                                                             "time and timeliness."),
                                   violation_error_code="yearend_submitted_without_time"),
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(return_comment=""),
                                   name="yearend_returned_has_comment",
                                   violation_error_message=_("Comment on return: a returned report says what to "
                                                             "correct."),
                                   violation_error_code="yearend_returned_without_comment"),
        ]
        indexes = [
            change_feed_index("yearend_report_updated_idx"),
            models.Index(fields=["year", "status"], name="yearend_report_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.year}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)
