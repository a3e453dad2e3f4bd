from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.contrib.contenttypes.models import ContentType
from django.db import router, transaction
from django.utils.translation import gettext_lazy as _

from portal.admin import ReadOnlyAdmin

from .actions import action_choices
from .models import AuditEntry
from .services import audit_record


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


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def audited_delete_selected(modeladmin, request, queryset):
    """Django's "delete selected", with one `admin.delete` audit row per deleted object, in the deletion's
    transaction. Django logs a bulk deletion of more than one object with one bulk insert of LogEntry rows,
    which sends no post_save, so the admin log's audit (signals.record_admin_action) would miss it; one
    object is saved singly and audited there. Installed for every model in AuditConfig.ready."""
    model = queryset.model
    with transaction.atomic(using=router.db_for_write(model)):
        selected = list(queryset.values_list("pk", flat=True))
        response = delete_selected(modeladmin, request, queryset)
        remaining = set(model._base_manager.filter(pk__in=selected).values_list("pk", flat=True))
        deleted = [pk for pk in selected if pk not in remaining]
        if len(deleted) > 1:
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
            for pk in deleted:
                audit_record(actor=request.user, action="admin.delete",
                             target_type=f"{content_type.app_label}.{content_type.model}", target_id=str(pk)[:64],
                             after={"fields": []})
    return response
