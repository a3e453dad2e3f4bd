"""API routes of year-end reporting, mounted under /api/v1/, grouped under one first path segment."""

from django.urls import include, path

from dashboards.urls import RegionCodeConverter  # noqa: F401 — registers the "region" converter

from . import api

urlpatterns = [
    path("yearend/", include([
        path("obligations/", api.ObligationListView.as_view(), name="api-yearend-obligations"),
        path("reports/", api.ReportListView.as_view(), name="api-yearend-reports"),
        path("reports/<int:pk>/", api.ReportDetailView.as_view(), name="api-yearend-report"),
        path("reports/<int:pk>/submit/", api.ReportSubmitView.as_view(), name="api-yearend-report-submit"),
        path("reports/<int:pk>/accept/", api.ReportAcceptView.as_view(), name="api-yearend-report-accept"),
        path("reports/<int:pk>/return/", api.ReportReturnView.as_view(), name="api-yearend-report-return"),
        path("rates/", api.RateListView.as_view(), name="api-yearend-rates"),
        path("pack/<region:code>/<int:year>/", api.PackView.as_view(), name="api-yearend-pack"),
    ])),
]
