from django.contrib import admin

from .models import EnrolmentReport, ImportJob, ReportingPeriodSetting


@admin.register(ReportingPeriodSetting)
class ReportingPeriodSettingAdmin(admin.ModelAdmin):
    list_display = ["province", "period_days", "first_period_starts", "grace_days"]


@admin.register(EnrolmentReport)
class EnrolmentReportAdmin(admin.ModelAdmin):
    """Reports hold counts only; read-only here (staff submit them through the portal)."""

    list_display = ["institution", "period_start", "status", "enrolled", "places", "submitted_on"]
    list_filter = ["status", "period_start"]
    readonly_fields = [f.name for f in EnrolmentReport._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["institution", "filename", "status", "total_rows", "created_at"]
    exclude = ["data"]
    readonly_fields = ["institution", "klass", "created_by", "filename", "status", "total_rows", "processed_rows",
                       "children_created", "enrolments_created", "rows_unchanged", "errors", "finished_at"]

    def has_delete_permission(self, request, obj=None):
        # The record of who imported which children: its uploaded file is dropped when the import ends and its
        # rows' errors (children's names) by the retention pass (enrolments.retention), not by hand here.
        return False
