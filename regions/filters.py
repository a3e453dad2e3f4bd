import django_filters
from django.db.models import Q

from .models import Region


class RegionFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent_id", help_text="Children of this region code.")
    under = django_filters.CharFilter(method="filter_under", help_text="Every region under this code, itself included.")
    level = django_filters.ChoiceFilter(choices=Region.Level.choices)
    q = django_filters.CharFilter(method="filter_q", help_text="Search by name or code prefix.")

    class Meta:
        model = Region
        fields = ["parent", "under", "level", "q"]

    def filter_under(self, queryset, name, value):
        return queryset.under(value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__contains=value) | Q(code__startswith=value)) if value else queryset
