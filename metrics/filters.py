"""Filters of the metrics API (django-filter): invalid values answer 400, and the schema lists them."""

import django_filters

from regions.models import Region

from .models import RankingRun, RegionSnapshot


class RegionSnapshotFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent_code", help_text="Children of this region code.")
    level = django_filters.ChoiceFilter(choices=Region.Level.choices)
    under = django_filters.CharFilter(method="filter_under", help_text="This region and every region below it.")

    class Meta:
        model = RegionSnapshot
        fields = ["parent", "level", "under"]

    def filter_under(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value)


class RankingRunFilter(django_filters.FilterSet):
    scope = django_filters.CharFilter(field_name="scope_id", help_text="Code of the ranking region.")
    period_kind = django_filters.ChoiceFilter(choices=RankingRun.PeriodKind.choices)
    status = django_filters.ChoiceFilter(choices=RankingRun.Status.choices)

    class Meta:
        model = RankingRun
        fields = ["scope", "period_kind", "status"]
