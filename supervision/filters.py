"""Filters of the supervision API (django-filter): invalid values answer 400, and the schema lists them."""

import django_filters

from portal.api.filters import IdFilter

from .models import Inspection


class InspectionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Inspection.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Inspection.Status.choices)
    institution = IdFilter(field_name="institution_id", label="An institution's id.")

    class Meta:
        model = Inspection
        fields = ["kind", "status", "institution"]
