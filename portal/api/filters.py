"""The API's filter backend: django-filter, strict about what it is given.

django-filter quietly ignores a parameter it cannot use (`?is_inclusive=maybe`, `?on=`), so the
caller gets an unfiltered list and believes it is filtered. Here a parameter that is present but
empty or not a valid value for its filter is a 400 naming the parameter.
"""

from django_filters import CharFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


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
