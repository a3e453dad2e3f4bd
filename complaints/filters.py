import django_filters

from institutions.filters import StrictBooleanFilter
from portal.api.filters import IdFilter

from .models import Complaint


class ComplaintFilter(django_filters.FilterSet):
    institution = IdFilter(field_name="institution_id", label="An institution's id.")
    overdue = StrictBooleanFilter(method="filter_overdue", label="Only complaints past their answer date (or only "
                                                                 "those that are not, with false).")

    class Meta:
        model = Complaint
        fields = ["status", "category", "institution"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset.exclude(pk__in=queryset.overdue().values("pk"))
