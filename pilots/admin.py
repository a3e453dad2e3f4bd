"""Admin of the pilots app: scorecards and report templates are configuration; records are read-mostly."""

from django.contrib import admin

from portal.admin import TabularInline

from .models import (
    Assessment,
    AssessmentScore,
    GradeBand,
    Pilot,
    ProgressReport,
    ProgressReportField,
    ProgressReportTemplate,
    ReportingObligation,
    ScorecardTemplate,
    ScoreDimension,
    ScoreItem,
)


class ScoreDimensionInline(TabularInline):
    model = ScoreDimension


class GradeBandInline(TabularInline):
    model = GradeBand


@admin.register(ScorecardTemplate)
class ScorecardTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "standard", "region", "total_points", "is_active"]
    inlines = [ScoreDimensionInline, GradeBandInline]


@admin.register(ScoreItem)
class ScoreItemAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "dimension", "max_points", "is_veto"]
    list_filter = ["dimension__template", "is_veto"]


@admin.register(Pilot)
class PilotAdmin(admin.ModelAdmin):
    list_display = ["institution", "year", "designated_by", "designated_on", "completed_on"]
    list_filter = ["year"]
    search_fields = ["institution__name"]
    raw_id_fields = ["institution"]


class AssessmentScoreInline(TabularInline):
    model = AssessmentScore
    can_delete = False
    readonly_fields = ["item", "points", "veto_failed", "evidence"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["pilot", "assessed_on", "total", "grade", "veto_failed"]
    list_filter = ["grade", "veto_failed"]
    inlines = [AssessmentScoreInline]
    readonly_fields = ["pilot", "template", "assessed_on", "assessor", "total", "grade", "veto_failed"]


class ProgressReportFieldInline(TabularInline):
    model = ProgressReportField


@admin.register(ProgressReportTemplate)
class ProgressReportTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "frequency", "grace_days", "is_active"]
    inlines = [ProgressReportFieldInline]


@admin.register(ReportingObligation)
class ReportingObligationAdmin(admin.ModelAdmin):
    list_display = ["template", "region", "starts_on", "ends_on"]
    raw_id_fields = ["region"]


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ["region", "template", "date", "submitted_at", "on_time"]
    list_filter = ["on_time", "template"]
    readonly_fields = ["template", "region", "date", "values", "submitted_at", "submitted_by", "on_time"]
