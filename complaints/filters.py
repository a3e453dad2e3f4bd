import django_filters

from .models import Complaint


class ComplaintFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Only complaints past their answer date.")

    class Meta:
        model = Complaint
        fields = ["status", "category", "institution"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset.exclude(pk__in=queryset.overdue().values("pk"))
