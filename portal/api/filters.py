"""The API's filter backend: django-filter, strict about what it is given.

django-filter quietly ignores a parameter it cannot use (`?is_inclusive=maybe`, `?on=`), so the
caller gets an unfiltered list and believes it is filtered. Here a parameter that is present but
empty or not a valid value for its filter is a 400 naming the parameter.
"""

import django_filters
from django import forms
from django_filters import CharFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

MAX_ID = 2**63 - 1  # the largest key PostgreSQL's bigint (and SQLite's integer) can hold


class BoundedIntegerFilter(django_filters.NumberFilter):
    """A whole number within bounds: 0.5, or a number the database column cannot hold, is a 400 naming
    the parameter (unbounded, a huge number reached the database and failed there as a 500)."""

    field_class = forms.IntegerField
    minimum, maximum = 1, MAX_ID

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", self.minimum)
        kwargs.setdefault("max_value", self.maximum)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(BoundedIntegerFilter):
    """An object's id; an unknown id matches nothing."""


@extend_schema_field({"type": "integer", "minimum": 2000, "maximum": 2100})
class YearFilter(BoundedIntegerFilter):
    minimum, maximum = 2000, 2100


class StrictDjangoFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        errors = {}
        for name, flt in filterset.filters.items():
            if name not in request.query_params or isinstance(flt, CharFilter):
                continue
            values = request.query_params.getlist(name)
            if any(v == "" for v in values) or filterset.form.cleaned_data.get(name) in (None, "", []):
                errors[name] = ["Enter a valid value or leave the parameter out."]
        if errors:
            raise ValidationError(errors)
        return filterset
