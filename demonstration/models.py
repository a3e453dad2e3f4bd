"""Demonstration-city creation (全国婴幼儿照护服务示范城市创建): a city assembles evidence against each criterion
of a creation standard, the province scores each criterion, and the results are ranked by year.

The standard is data (standard → groups → criteria with maximum points and the evidence each asks for), and
versioned like supervision's checklists: a new version is a new CreationStandard row, and every creation points
at the version it was made against, so editing the standard never changes a creation already under way or
scored. Statuses move only through the guarded service functions in `demonstration/services.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.targets import PartTarget
from portal.fields import change_feed_index, updated_at_field
from portal.querysets import AreaQuerySet
from portal.uploads import CONTENT_TYPES, private_storage_name

# --- The creation standard ------------------------------------------------------------------------


class CreationStandardQuerySet(models.QuerySet):
    def visible_to(self, user) -> CreationStandardQuerySet:
        """The standard cities are held to: every signed-in user reads it."""
        return self.all() if user.is_authenticated else self.none()

    def latest_versions(self) -> CreationStandardQuerySet:
        """The newest version of each standard code."""
        newer = CreationStandard.objects.filter(code=models.OuterRef("code"), version__gt=models.OuterRef("version"))
        return self.exclude(models.Exists(newer))


class CreationStandard(models.Model):
    code = models.SlugField(_("code"), max_length=50)
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    edition = models.CharField(_("edition"), max_length=100, blank=True,
                               help_text=_("The published standard this version follows, e.g. the 2022 edition."))
    notes = models.TextField(_("notes"), blank=True)
    is_working_definition = models.BooleanField(
        _("working definition"), default=False,
        help_text=_("The portal's own reading of the published outline: criteria, points and evidence are "
                    "the portal's choice until the province loads its own."))
    met_percent = models.PositiveSmallIntegerField(
        _("criterion met from (per cent of its points)"), default=80,
        help_text=_("A criterion counts as met when its score reaches this share of its maximum points."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CreationStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("creation standard")
        verbose_name_plural = _("creation standards")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="creation_standard_version_unique",
                                    violation_error_message=_("Version: this standard already has this version."),
                                    violation_error_code="creation_standard_version_taken"),
            models.CheckConstraint(condition=Q(met_percent__gte=1, met_percent__lte=100),
                                   name="creation_standard_met_percent_range",
                                   violation_error_message=_("Criterion met from: between 1 and 100 per cent."),
                                   violation_error_code="met_percent_out_of_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class CriterionGroup(models.Model):
    standard = models.ForeignKey(CreationStandard, on_delete=models.PROTECT, related_name="groups",
                                 verbose_name=_("standard"))
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("criterion group")
        verbose_name_plural = _("criterion groups")
        ordering = ["standard_id", "order"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="criterion_group_code_unique",
                                               violation_error_message=_("Code: another group of this standard "
                                                                         "already has this code."),
                                               violation_error_code="criterion_group_code_taken")]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    standard = models.ForeignKey(CreationStandard, on_delete=models.PROTECT, related_name="criteria",
                                 verbose_name=_("standard"))
    group = models.ForeignKey(CriterionGroup, on_delete=models.PROTECT, related_name="criteria",
                              verbose_name=_("group"))
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("criterion"), max_length=300)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1)
    evidence_required = models.CharField(_("evidence asked for"), max_length=300,
                                         help_text=_("What the city uploads to show the criterion is met."))
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["standard_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="criterion_code_unique",
                                    violation_error_message=_("Code: another criterion of this standard already has "
                                                              "this code."),
                                    violation_error_code="criterion_code_taken"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_points_positive",
                                   violation_error_message=_("Maximum points: a criterion is worth more than zero "
                                                             "points."),
                                   violation_error_code="criterion_points_not_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"


# --- A city's creation for a year -----------------------------------------------------------------


class CreationQuerySet(AreaQuerySet):
    def visible_to(self, user) -> CreationQuerySet:
        """A city's creation: its own officials, the province's, and administrators (a county does not take part)."""
        return self.in_area_of(user, "city__code")


class Creation(models.Model):
    """One city's creation drive for one year, against the standard version it was opened with."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Assembling evidence")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned for more evidence")
        SCORED = "scored", _("Scored")

    EDITABLE = (Status.IN_PROGRESS, Status.RETURNED)

    city = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    year = models.PositiveSmallIntegerField(_("year"))
    standard = models.ForeignKey(CreationStandard, on_delete=models.PROTECT, related_name="creations",
                                 verbose_name=_("standard version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    note = models.TextField(_("city's note"), blank=True)
    return_comment = models.TextField(_("province's comment on return"), blank=True)
    total_points = models.DecimalField(_("score"), max_digits=6, decimal_places=1, null=True, blank=True,
                                       help_text=_("Set when the province finishes scoring."))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    scored_at = models.DateTimeField(_("scored"), null=True, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("scored by"))
    updated_at = updated_at_field()

    objects = CreationQuerySet.as_manager()

    class Meta:
        verbose_name = _("city creation")
        verbose_name_plural = _("city creations")
        ordering = ["-year", "city_id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "year"], name="creation_once_per_city_year",
                                    violation_error_message=_("Year: this city already has a creation for this "
                                                              "year."),
                                    violation_error_code="creation_year_taken"),
            models.CheckConstraint(condition=Q(status="scored", total_points__isnull=False, scored_at__isnull=False)
                                   | (~Q(status="scored") & Q(total_points__isnull=True)),
                                   name="creation_score_when_scored",
                                   violation_error_message=_("Score: a creation has a score once, and only once, "
                                                             "it is scored."),
                                   violation_error_code="creation_score_state"),
        ]
        indexes = [
            change_feed_index("creation_updated_idx"),
            models.Index(fields=["year", "status"], name="creation_year_status_idx"),
            models.Index(fields=["city"], name="creation_city_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.city_id} {self.year}"

    @property
    def audit_region_code(self) -> str:
        return self.city_id

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class OfCreation(PartTarget, models.Model):
    audit_parent = "creation"

    class Meta:
        abstract = True


class OfCreationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who may see the creation may see its parts: one rule (Creation.objects.visible_to)."""
        return self.filter(creation__in=Creation.objects.visible_to(user))


class CriterionEntry(OfCreation):
    """What the city says and the province decides about one criterion of one creation."""

    creation = models.ForeignKey(Creation, on_delete=models.PROTECT, related_name="entries",
                                 verbose_name=_("creation"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("criterion"))
    note = models.TextField(_("city's note"), blank=True)
    points = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    comment = models.TextField(_("province's comment"), blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("scored by"))
    scored_at = models.DateTimeField(_("scored"), null=True, blank=True)
    updated_at = updated_at_field()

    objects = OfCreationQuerySet.as_manager()

    class Meta:
        verbose_name = _("criterion entry")
        verbose_name_plural = _("criterion entries")
        ordering = ["creation_id", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["creation", "criterion"], name="criterion_entry_unique",
                                    violation_error_message=_("Criterion: this creation already has an entry for "
                                                              "this criterion."),
                                    violation_error_code="criterion_entry_taken"),
            models.CheckConstraint(condition=Q(points__isnull=True) | Q(points__gte=0),
                                   name="criterion_entry_points_nonnegative",
                                   violation_error_message=_("Score: a score is zero or more."),
                                   violation_error_code="points_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.creation} {self.criterion_id}"


def evidence_storage_name(instance, filename: str) -> str:
    return private_storage_name("demonstration", filename)


class CreationEvidence(OfCreation):
    """A document the city uploads against one criterion (a policy paper, a plan, a report). Private: served only
    to who may see the creation."""

    creation = models.ForeignKey(Creation, on_delete=models.PROTECT, related_name="evidence",
                                 verbose_name=_("creation"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("criterion"))
    file = models.FileField(_("file"), upload_to=evidence_storage_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = OfCreationQuerySet.as_manager()

    class Meta:
        verbose_name = _("creation evidence")
        verbose_name_plural = _("creation evidence")
        ordering = ["creation_id", "criterion_id", "uploaded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="creation_evidence_not_empty",
                                   violation_error_message=_("File: the uploaded file is empty."),
                                   violation_error_code="creation_evidence_empty"),
            models.CheckConstraint(condition=Q(content_type__in=CONTENT_TYPES),
                                   name="creation_evidence_allowed_type",
                                   violation_error_message=_("File: only PDF, JPEG and PNG files are accepted."),
                                   violation_error_code="creation_evidence_type_not_allowed"),
        ]
        indexes = [models.Index(fields=["creation", "criterion"], name="creation_evidence_idx")]

    def __str__(self) -> str:
        return self.original_name
