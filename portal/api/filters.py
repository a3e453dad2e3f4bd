"""The API's filter backend: django-filter, strict about what it is given.

django-filter quietly ignores a parameter it cannot use (`?is_inclusive=maybe`, `?on=`), so the
caller gets an unfiltered list and believes it is filtered. Here a parameter that is present but
empty or not a valid value for its filter is a 400 naming the parameter.
"""

import django_filters
from django import forms
from django.utils import translation
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


_form_classes: dict[tuple[type, str | None], type] = {}


def _form_class(filterset):
    """The FilterSet's form class, built once per FilterSet class and language: django-filter builds a
    new form class (a form field per filter, then a class) for every request, most of a filter's cost.
    Our filters' form fields depend on nothing of the request (no querysets of the caller)."""
    key = (type(filterset), translation.get_language())
    form_class = _form_classes.get(key)
    if form_class is None:
        form_class = _form_classes[key] = filterset.get_form_class()
    return form_class


class StrictDjangoFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        if filterset.is_bound:  # what FilterSet.form makes, from the class built once
            filterset._form = _form_class(filterset)(filterset.data, prefix=filterset.form_prefix)
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

    def filter_queryset(self, request, queryset, view):
        # A request that names none of the filters is not filtered: building the FilterSet (a deep copy
        # of its filters and a form) would only find every value empty, about a millisecond per list read.
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not _names_a_filter(request.query_params, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _names_a_filter(params, filterset_class) -> bool:
    """Whether the query names a filter (or a part of one: `<name>_min`, `<name>_after`…), or a filter is
    required (its absence is then an error the FilterSet reports)."""
    filters = filterset_class.base_filters
    if any(flt.extra.get("required") for flt in filters.values()):
        return True
    return any(key == name or key.startswith(f"{name}_") for key in params for name in filters)
