"""API routes of the pilots app, mounted under /api/v1/.

Grouped by first path segment, so that resolving a URL tests a prefix per group, not every route.
"""

from django.urls import include, path

from . import api

urlpatterns = [
    path("pilots/", include([
        path("", api.PilotListView.as_view(), name="api-pilots"),
        path("scorecards/", api.ScorecardListView.as_view(), name="api-pilot-scorecards"),
        path("assessments/", api.AssessmentListView.as_view(), name="api-pilot-assessments"),
        path("<int:pk>/assessments/", api.AssessmentCreateView.as_view(), name="api-pilot-assess"),
        path("<int:pk>/complete/", api.PilotCompleteView.as_view(), name="api-pilot-complete"),
    ])),
    path("progress-reports/", include([
        path("", api.ProgressReportListCreateView.as_view(), name="api-progress-reports"),
        path("rates/", api.ReportingRateView.as_view(), name="api-reporting-rates"),
    ])),
]
