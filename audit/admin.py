from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .actions import action_choices
from .models import AuditEntry


class ActionFilter(admin.SimpleListFilter):
    """Actions by the names the history pages use (audit.actions), not by their codes."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action_name", "target_type", "target_id", "region_code"]
    list_filter = [ActionFilter, "target_type"]
    search_fields = ["target_id", "actor_label", "region_code"]
    date_hierarchy = "at"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, entry: AuditEntry) -> str:
        return entry.action_label

    # The log is append-only: the admin shows it and nothing more.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
