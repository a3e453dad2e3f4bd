from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin import ReadOnlyAdmin

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
class AuditEntryAdmin(ReadOnlyAdmin):  # the log is append-only
    list_display = ["at", "actor_label", "action_name", "target_type", "target_id", "region_code"]
    list_filter = [ActionFilter, "target_type"]
    search_fields = ["target_id", "actor_label", "region_code"]
    date_hierarchy = "at"

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, entry: AuditEntry) -> str:
        return entry.action_label
