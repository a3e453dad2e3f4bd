"""Admin of demonstration-city creation: read only. The standard changes by a new version
(`standard_create_version`) and creations only through the services (guarded and audited)."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin

from .models import Creation, CreationStandard


@admin.register(CreationStandard)
class CreationStandardAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name", "is_working_definition", "met_percent", "created_at"]


@admin.register(Creation)
class CreationAdmin(ReadOnlyAdmin):
    list_display = ["city", "year", "status", "total_points", "submitted_at", "scored_at"]
    list_filter = ["year", "status"]
