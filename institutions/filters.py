"""API filters of the registry. Each one is backed by an index (see Institution.Meta.indexes)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Institution

SERVICE_FORMS = [("full_day", _("full-day")), ("half_day", _("half-day")), ("hourly", _("hourly")),
                 ("temporary", _("temporary"))]


class InstitutionFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(method="filter_region",
                                       help_text="Division code prefix: a province, city, county or township.")
    status = django_filters.ChoiceFilter(choices=Institution.Status.choices)
    setting_type = django_filters.ChoiceFilter(choices=Institution.SettingType.choices)
    legal_form = django_filters.ChoiceFilter(choices=Institution.LegalForm.choices)
    service_form = django_filters.ChoiceFilter(choices=SERVICE_FORMS, method="filter_service_form",
                                               help_text="Institutions offering this service form.")
    is_inclusive = django_filters.BooleanFilter()
    medical_integration = django_filters.BooleanFilter()
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
