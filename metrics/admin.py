"""Admin of the metrics app: read-mostly views for system administrators (writes go through services)."""

from django.contrib import admin

from portal.admin import TabularInline

from .models import RankingEntry, RankingRun, RankingWeights, RegionSnapshot, Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["date", "version", "status", "progress", "computed_at", "task_id"]
    list_filter = ["status"]
    date_hierarchy = "date"
    readonly_fields = [f.name for f in Snapshot._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(RegionSnapshot)
class RegionSnapshotAdmin(admin.ModelAdmin):
    list_display = ["region", "snapshot", "institutions", "places", "enrolled", "resident_population",
                    "places_per_1000"]
    list_filter = ["level"]
    search_fields = ["region__code", "region__name"]
    list_select_related = ["region", "snapshot"]
    raw_id_fields = ["snapshot", "region"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RankingEntryInline(TabularInline):
    model = RankingEntry
    fields = ["rank", "region", "score", "previous_rank", "move", "prior_version_rank", "prior_version_score"]
    readonly_fields = fields
    can_delete = False


@admin.register(RankingRun)
class RankingRunAdmin(admin.ModelAdmin):
    list_display = ["scope", "period_kind", "period_start", "version", "status", "published_at"]
    list_filter = ["status", "period_kind"]
    inlines = [RankingEntryInline]
    readonly_fields = ["scope", "period_kind", "period_start", "period_end", "version", "status", "weights",
                       "snapshot", "computed_at", "published_at", "published_by"]


@admin.register(RankingWeights)
class RankingWeightsAdmin(admin.ModelAdmin):
    list_display = ["region", "weights", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]
