"""API routes of the pilots app, mounted under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("pilots/", api.PilotListView.as_view(), name="api-pilots"),
    path("pilots/scorecards/", api.ScorecardListView.as_view(), name="api-pilot-scorecards"),
    path("pilots/assessments/", api.AssessmentListView.as_view(), name="api-pilot-assessments"),
    path("pilots/<int:pk>/assessments/", api.AssessmentCreateView.as_view(), name="api-pilot-assess"),
    path("pilots/<int:pk>/complete/", api.PilotCompleteView.as_view(), name="api-pilot-complete"),
    path("progress-reports/", api.ProgressReportListCreateView.as_view(), name="api-progress-reports"),
    path("progress-reports/rates/", api.ReportingRateView.as_view(), name="api-reporting-rates"),
]
