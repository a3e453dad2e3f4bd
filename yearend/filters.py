"""Filters of the year-end API (django-filter): invalid values answer 400, and the schema lists them."""

import django_filters

from portal.api.filters import YearFilter

from .models import YearEndReport


class YearEndReportFilter(django_filters.FilterSet):
    year = YearFilter()
    status = django_filters.ChoiceFilter(choices=YearEndReport.Status.choices)

    class Meta:
        model = YearEndReport
        fields = ["year", "status"]
