"""Filters of the pilots API (django-filter): invalid values answer 400, and the schema lists them."""

import django_filters

from portal.api.filters import YearFilter

from .models import Pilot, ProgressReport


class PilotFilter(django_filters.FilterSet):
    year = YearFilter()
    completed = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="filter_completed",
                                            help_text="true: quality improvement completed; false: not yet.")
    under = django_filters.CharFilter(method="filter_under", help_text="Pilots of institutions under this code.")

    class Meta:
        model = Pilot
        fields = ["year", "completed", "under"]

    def filter_completed(self, queryset, name, value):
        return queryset.filter(completed_on__isnull=value != "true")

    def filter_under(self, queryset, name, value):
        return queryset.filter(institution__region__code__startswith=value)


class ProgressReportFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_region", help_text="Reports of this region and below.")
    date = django_filters.DateFilter()

    class Meta:
        model = ProgressReport
        fields = ["region", "date"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value)
