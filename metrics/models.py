"""Capacity metrics snapshots and rankings.

A `Snapshot` is one computation of every region's figures for one date. Its rows are written while
it is `computing`, then it is flipped to `ready` and the previous version of the same date retired in
one transaction, so readers (dashboards, API) — which only ever read `ready` snapshots — never see a
half-written one. Snapshots of past dates are kept for history and trends: every date of the recent
days, month-ends for ever (metrics.retention says what is kept and why).

Rankings are computed from snapshots and other records into a `RankingRun`; once published a run is
frozen, and recomputing the period makes a new version.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policies
from audit.targets import RegionTarget
from portal.fields import change_feed_index, updated_at_field
from portal.querysets import AreaQuerySet
from regions import codes


class SnapshotQuerySet(models.QuerySet):
    def ready(self) -> SnapshotQuerySet:
        return self.filter(status=Snapshot.Status.READY)

    def current(self, date: datetime.date | None = None) -> Snapshot | None:
        """The latest ready snapshot on or before the date (today when None); None if there is none."""
        return self.latest_ready(date).first()

    def latest_ready(self, date: datetime.date | None = None) -> SnapshotQuerySet:
        """`current(date)` as a query of at most one row: a subquery lets a read find its rows in one
        statement (`snapshot_id = (SELECT …)`, no row when there is no ready snapshot)."""
        date = date or timezone.localdate()
        return self.ready().filter(date__lte=date).order_by("-date", "-version")[:1]

    def visible_to(self, user) -> SnapshotQuerySet:
        """Snapshots themselves hold no area data: every signed-in user may list them."""
        return self.all() if user.is_authenticated else self.none()


class Snapshot(models.Model):
    class Status(models.TextChoices):
        COMPUTING = "computing", _("Computing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        SUPERSEDED = "superseded", _("Superseded by a newer version")
        # Past the daily window and not a month-end: its rows are removed (metrics.retention).
        RETIRED = "retired", _("Retired (only month-end figures are kept)")

    date = models.DateField(_("snapshot date"), help_text=_("Figures as they stood at the end of this day."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.COMPUTING)
    version = models.PositiveIntegerField(_("version"), default=1,
                                          help_text=_("Recomputing a date makes a new version."))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    task_id = models.CharField(_("task id"), max_length=64, blank=True, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("last sign of life"), default=timezone.now,
                                        help_text=_("A computing snapshot silent for long is taken over."))
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    # A superseded (or retired) version keeps its rows for SNAPSHOT_GRACE_SECONDS: a reader that pinned it
    # just before the swap still reads every row of it (never a count without its rows).
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    rows_removed_at = models.DateTimeField(_("rows removed"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    target_per_1000 = models.DecimalField(_("target places per 1,000"), max_digits=6, decimal_places=2,
                                          default=4.5)
    updated_at = updated_at_field()

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("metrics snapshot")
        verbose_name_plural = _("metrics snapshots")
        ordering = ["-date", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["date", "version"], name="snapshot_date_version_unique",
                                    violation_error_message=_("Version: this snapshot date already has this version."),
                                    violation_error_code="snapshot_version_taken"),
            # The atomic swap's invariant: at most one ready snapshot per date...
            models.UniqueConstraint(fields=["date"], condition=Q(status="ready"), name="snapshot_one_ready_per_date",
                                    violation_error_message=_("Snapshot date: this date already has ready figures."),
                                    violation_error_code="snapshot_ready_taken"),
            # ...and the recompute lock: at most one computation of a date at a time.
            models.UniqueConstraint(fields=["date"], condition=Q(status="computing"),
                                    name="snapshot_one_computing_per_date",
                                    violation_error_message=_("Snapshot date: the figures of this date are already "
                                                              "being computed."),
                                    violation_error_code="snapshot_computing"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="snapshot_progress_percent",
                                   violation_error_message=_("Progress: progress is at most 100."),
                                   violation_error_code="progress_over_100"),
        ]
        indexes = [
            change_feed_index("snapshot_updated_idx"),
            models.Index(fields=["status", "date"], name="snapshot_status_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} v{self.version} ({self.status})"


class RegionSnapshotQuerySet(AreaQuerySet):
    def visible_to(self, user) -> RegionSnapshotQuerySet:
        """Officials see their own region and everything under it; administrators all; others nothing."""
        return self.in_area_of(user)

    def ready(self) -> RegionSnapshotQuerySet:
        return self.filter(snapshot__status=Snapshot.Status.READY)

    def children_of(self, code: str) -> RegionSnapshotQuerySet:
        return self.filter(parent_code=code)


class RegionSnapshot(models.Model):
    """One region's figures in one snapshot. Rates are null when the region has no population figure."""

    # No database foreign-key constraints and no single-column indexes on these two: a snapshot writes
    # ~45,000 rows at once and the per-row referential-integrity triggers took most of the recompute time.
    # The rows come from one INSERT … SELECT joining the region table to the snapshot just created, so they
    # cannot dangle; the composite indexes below serve every lookup (their leading columns). A region's
    # series (trend pages, series API) is read snapshot by snapshot through the unique (snapshot, region)
    # index: retention keeps the ready versions to a few hundred. No (region, snapshot) index: each new
    # version put 45,000 entries into as many different pages of it, years of snapshots deep, and that
    # cost today's recompute more as the history grew.
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="rows", verbose_name=_("snapshot"),
                                 db_constraint=False, db_index=False)
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="snapshot_rows",
                               verbose_name=_("region"), db_constraint=False, db_index=False)
    level = models.CharField(_("level"), max_length=10)
    parent_code = models.CharField(_("parent code"), max_length=9, blank=True)
    institutions = models.PositiveIntegerField(_("filed active institutions"), default=0)
    institutions_by_setting = models.JSONField(_("institutions by setting type"), default=dict)
    places = models.PositiveIntegerField(_("places"), default=0)
    places_inclusive = models.PositiveIntegerField(_("inclusive places"), default=0)
    places_infant = models.PositiveIntegerField(_("infant-class places"), default=0)
    places_younger = models.PositiveIntegerField(_("younger-toddler places"), default=0)
    places_older = models.PositiveIntegerField(_("older-toddler places"), default=0)
    places_mixed = models.PositiveIntegerField(_("mixed-class places"), default=0)
    enrolled = models.PositiveIntegerField(_("enrolled children"), default=0)
    resident_population = models.PositiveBigIntegerField(_("resident population"), null=True, blank=True,
                                                         help_text=_("Null: population not provided."))
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_is_synthetic = models.BooleanField(_("synthetic population"), default=False)
    places_per_1000 = models.DecimalField(_("places per 1,000 residents"), max_digits=12, decimal_places=4,
                                          null=True, blank=True)
    utilisation = models.DecimalField(_("utilisation"), max_digits=12, decimal_places=4, null=True, blank=True,
                                      help_text=_("Enrolled children ÷ places, a ratio (0.5 = half full)."))
    inclusive_share = models.DecimalField(_("inclusive share"), max_digits=8, decimal_places=4, null=True,
                                          blank=True, help_text=_("Inclusive places ÷ places, a ratio."))
    target_per_1000 = models.DecimalField(_("target places per 1,000"), max_digits=6, decimal_places=2)
    target_gap = models.IntegerField(_("places still needed"), null=True, blank=True,
                                     help_text=_("Places needed to reach the target at this population; "
                                                 "0 when reached, null without population."))
    places_change = models.IntegerField(_("change in places"), null=True, blank=True,
                                        help_text=_("Against the previous ready snapshot (earlier date)."))
    pilots_designated = models.PositiveIntegerField(_("pilots designated"), default=0)
    pilots_completed = models.PositiveIntegerField(_("pilots with quality improvement completed"), default=0)
    filings_pending = models.PositiveIntegerField(_("filings awaiting decision"), default=0)
    filings_overdue = models.PositiveIntegerField(_("filings past their due date"), default=0)
    filings_decided = models.PositiveIntegerField(_("filings decided this year"), default=0)
    filings_decided_on_time = models.PositiveIntegerField(_("filings decided on time this year"), default=0)
    # Supervision after filing, this calendar year up to the date (metrics.compute.SUPERVISION_MEASURES).
    inspected_institutions = models.PositiveIntegerField(_("filed institutions inspected this year"), default=0)
    inspections_done = models.PositiveIntegerField(_("inspections signed off this year"), default=0)
    findings_high = models.PositiveIntegerField(_("high-risk findings this year"), default=0)
    findings_medium = models.PositiveIntegerField(_("medium-risk findings this year"), default=0)
    findings_low = models.PositiveIntegerField(_("low-risk findings this year"), default=0)
    rectifications_due = models.PositiveIntegerField(_("rectification orders due or done this year"), default=0)
    rectifications_on_time = models.PositiveIntegerField(_("rectification orders done on time"), default=0)
    verifications_due = models.PositiveIntegerField(_("verifications due or done this year"), default=0)
    verifications_on_time = models.PositiveIntegerField(_("verifications done on time"), default=0)
    verifications_overdue = models.PositiveIntegerField(_("verifications past their deadline"), default=0)
    complaints_open = models.PositiveIntegerField(_("complaints open"), default=0,
                                                  help_text=_("Received and not answered on the date."))

    objects = RegionSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("region figures")
        verbose_name_plural = _("region figures")
        ordering = ["snapshot_id", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "region"], name="region_snapshot_unique",
                                    violation_error_message=_("Region: this snapshot already has figures for this "
                                                              "region."),
                                    violation_error_code="region_figures_taken"),
        ]
        indexes = [
            models.Index(fields=["snapshot", "parent_code"], name="region_snapshot_children_idx"),
            models.Index(fields=["snapshot", "level"], name="region_snapshot_level_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} @ {self.snapshot_id}"


# --- Rankings ------------------------------------------------------------------------------------

class RankingWeights(RegionTarget, models.Model):
    """The weights a province (or a city, for its counties) gives each ranking indicator."""

    region = models.OneToOneField("regions.Region", on_delete=models.CASCADE, related_name="ranking_weights",
                                  verbose_name=_("region"))
    weights = models.JSONField(_("weights"), default=dict,
                               help_text=_('Indicator → weight, e.g. {"pilot_completion_rate": 30}.'))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ranking weights")
        verbose_name_plural = _("ranking weights")

    def __str__(self) -> str:
        return f"{self.region_id}: {self.weights}"


class RankingRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> RankingRunQuerySet:
        """Officials see rankings made by their own region or regions below it (drafts included), and the
        published rankings of the regions above them (a city sees the province's ranking of cities)."""
        if not user.is_authenticated:
            return self.none()
        if policies.is_admin(user):
            return self.all()
        if not policies.is_official(user):
            return self.none()
        code = user.region_id
        above = codes.ancestors_of(code)
        return self.filter(Q(scope__code__startswith=code)
                           | Q(scope_id__in=above or ["-"], status=RankingRun.Status.PUBLISHED))

    def published(self) -> RankingRunQuerySet:
        return self.filter(status=RankingRun.Status.PUBLISHED)


class RankingRun(models.Model):
    class PeriodKind(models.TextChoices):
        QUARTER = "quarter", _("Quarter")
        HALF = "half", _("Half-year")
        YEAR = "year", _("Year")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    scope = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="ranking_runs",
                              verbose_name=_("ranking region"),
                              help_text=_("A province ranks its cities; a city ranks its counties."))
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    weights = models.JSONField(_("weights used"), default=dict)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("snapshot used"))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = updated_at_field()

    objects = RankingRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        ordering = ["-period_end", "scope_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "period_kind", "period_start", "version"],
                                    name="ranking_run_version_unique",
                                    violation_error_message=_("Version: this ranking already has this version for "
                                                              "this region and period."),
                                    violation_error_code="ranking_version_taken"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="ranking_run_period_order",
                                   violation_error_message=_("Period end: the period ends on or after its start."),
                                   violation_error_code="period_ends_before_start"),
            models.CheckConstraint(condition=Q(status="draft") | Q(published_at__isnull=False),
                                   name="ranking_run_published_has_date",
                                   violation_error_message=_("Published: a published ranking has its publication "
                                                             "time."),
                                   violation_error_code="published_without_date"),
        ]
        indexes = [
            change_feed_index("ranking_run_updated_idx"),
            models.Index(fields=["scope", "period_kind", "period_end"], name="ranking_run_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.scope_id} {self.period_kind} {self.period_start} v{self.version}"

    def save(self, *args, **kwargs):
        # A published ranking is frozen: the only write allowed is the publishing itself.
        # (Publishing itself is a guarded queryset UPDATE, which does not pass through here.)
        if self.pk and RankingRun.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise ValidationError(_("A published ranking is frozen; recompute to make a new version."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_frozen:
            raise ValidationError(_("A published ranking is frozen; recompute to make a new version."))
        return super().delete(*args, **kwargs)

    @property
    def audit_region_code(self) -> str:
        return self.scope_id

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.PUBLISHED


class RankingEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> RankingEntryQuerySet:
        return self.filter(run__in=RankingRun.objects.visible_to(user))


class RankingEntry(models.Model):
    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="entries", verbose_name=_("ranking"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    rank = models.PositiveIntegerField(_("rank"))
    score = models.DecimalField(_("score"), max_digits=9, decimal_places=3)
    breakdown = models.JSONField(
        _("breakdown"), default=dict,
        help_text=_('Per indicator: {"value": .., "normalised": .., "weight": .., "points": ..}.'))
    previous_rank = models.PositiveIntegerField(_("rank in the previous period"), null=True, blank=True)
    move = models.IntegerField(_("places moved up"), null=True, blank=True,
                               help_text=_("Previous rank minus this rank: positive = moved up."))
    prior_version_rank = models.PositiveIntegerField(_("rank in the previous version"), null=True, blank=True)
    prior_version_score = models.DecimalField(_("score in the previous version"), max_digits=9, decimal_places=3,
                                              null=True, blank=True)

    objects = RankingEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ranking entry")
        verbose_name_plural = _("ranking entries")
        ordering = ["run_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "region"], name="ranking_entry_region_unique",
                                    violation_error_message=_("Region: this ranking already ranks this region."),
                                    violation_error_code="ranking_region_taken"),
            models.UniqueConstraint(fields=["run", "rank"], name="ranking_entry_rank_unique",
                                    violation_error_message=_("Rank: another region already holds this rank in this "
                                                              "ranking."),
                                    violation_error_code="rank_taken"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.region_id} ({self.score})"

    def save(self, *args, **kwargs):
        if RankingRun.objects.filter(pk=self.run_id, status=RankingRun.Status.PUBLISHED).exists():
            raise ValidationError(_("A published ranking is frozen; recompute to make a new version."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if RankingRun.objects.filter(pk=self.run_id, status=RankingRun.Status.PUBLISHED).exists():
            raise ValidationError(_("A published ranking is frozen; recompute to make a new version."))
        return super().delete(*args, **kwargs)
