from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id", "region_code"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "actor_label", "region_code"]
    date_hierarchy = "at"

    # The log is append-only: the admin shows it and nothing more.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
