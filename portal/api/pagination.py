from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from .changes import ChangeFeedPaginationMixin


class StrictPageSizeMixin:
    """A page_size that is not a whole number from 1 to max_page_size is a 400, not silently ignored."""

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                f"Enter a whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            elif parameter["name"] == getattr(self, "page_query_param", None):
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class CountFreeFirstPageMixin:
    """A first page that holds the whole list needs no COUNT(*): its length is the count.

    For lists that are mostly short (a region's children in the snapshot API), the first page
    is read with one row more than fits: when that row is not there, the count is known and the
    COUNT(*) query is skipped; when it is, the count is asked as before. Same answer, one query less.
    """

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get(self.page_query_param, "1") != "1":
            return super().paginate_queryset(queryset, request, view)
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        self.request = request
        paginator = self.django_paginator_class(queryset, page_size)
        rows = list(queryset[:page_size + 1])
        if len(rows) <= page_size:
            paginator.count = len(rows)  # Paginator.count is a cached property: this is its value
        self.page = paginator._get_page(rows[:page_size], 1, paginator)  # Django's hook for a page object
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)


class PagePagination(ChangeFeedPaginationMixin, StrictPageSizeMixin, PageNumberPagination):
    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (raw.isdigit() and int(raw) >= 1) and raw not in self.last_page_strings:
            raise ValidationError({self.page_query_param: ["Enter a page number from 1."]})
        return super().paginate_queryset(queryset, request, view)

    """For short lists (a county's filings, a class list): numbered pages."""

    page_size_query_param = "page_size"
    max_page_size = 200


class ShortListPagination(PagePagination, CountFreeFirstPageMixin, PageNumberPagination):
    """Numbered pages for a list that usually fits its first page (a region's children): no COUNT then."""


class LongListCursorPagination(ChangeFeedPaginationMixin, StrictPageSizeMixin, CursorPagination):
    """For lists that grow with the country (institutions, children): no COUNT(*) per request."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"
