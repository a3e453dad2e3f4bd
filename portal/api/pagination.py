from rest_framework.pagination import CursorPagination, PageNumberPagination


class PagePagination(PageNumberPagination):
    """For short lists (a county's filings, a class list): numbered pages."""

    page_size_query_param = "page_size"
    max_page_size = 200


class LongListCursorPagination(CursorPagination):
    """For lists that grow with the country (institutions, children): no COUNT(*) per request."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"
