"""Filters of the demonstration API (django-filter): invalid values answer 400, and the schema lists them."""

import django_filters

from portal.api.filters import YearFilter

from .models import Creation


class CreationFilter(django_filters.FilterSet):
    year = YearFilter()
    city = django_filters.CharFilter(field_name="city_id", help_text="A city code (4 digits).")
    status = django_filters.ChoiceFilter(choices=Creation.Status.choices)

    class Meta:
        model = Creation
        fields = ["year", "city", "status"]
