"""API filters of the registry. Each one is backed by an index (see Institution.Meta.indexes)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Institution

SERVICE_FORMS = [("full_day", _("full-day")), ("half_day", _("half-day")), ("hourly", _("hourly")),
                 ("temporary", _("temporary"))]


class StrictBooleanField(forms.NullBooleanField):
    """Only `true` or `false`: the default select widget reads "2" as true and "3" as false, so a
    malformed value would quietly filter instead of being a 400."""

    widget = forms.TextInput

    def to_python(self, value):
        text = str(value).strip().lower() if value is not None else ""
        if text in ("", "none"):
            return None
        if text in ("true", "false"):
            return text == "true"
        raise forms.ValidationError(_("Enter true or false."), code="invalid")

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class InstitutionFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_region",
                                       help_text="Division code prefix: a province, city, county or township.")
    status = django_filters.ChoiceFilter(choices=Institution.Status.choices)
    setting_type = django_filters.ChoiceFilter(choices=Institution.SettingType.choices)
    legal_form = django_filters.ChoiceFilter(choices=Institution.LegalForm.choices)
    service_form = django_filters.ChoiceFilter(choices=SERVICE_FORMS, method="filter_service_form",
                                               help_text="Institutions offering this service form.")
    is_inclusive = StrictBooleanFilter()
    medical_integration = StrictBooleanFilter()
    q = django_filters.CharFilter(method="filter_q", help_text="Part of the name.")

    class Meta:
        model = Institution
        fields = ["region", "status", "setting_type", "legal_form", "service_form", "is_inclusive",
                  "medical_integration", "q"]

    def filter_region(self, queryset, name, value):
        return queryset.under(value.strip()) if value.strip() else queryset

    def filter_service_form(self, queryset, name, value):
        return queryset.filter(**{value: True})

    def filter_q(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset


class PublicRegisterFilter(InstitutionFilter):
    """The public may filter on everything but the internal statuses (the register lists filed ones)."""

    status = django_filters.ChoiceFilter(choices=[(Institution.Status.FILED, _("Filed")),
                                                  (Institution.Status.SUSPENDED, _("Suspended"))])
