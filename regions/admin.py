from django.contrib import admin

from portal.admin import TabularInline

from .models import Region, RegionPopulation


class RegionPopulationInline(TabularInline):
    model = RegionPopulation


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    inlines = [RegionPopulationInline]
