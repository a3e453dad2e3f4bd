"""API routes of the enrolments app, mounted under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("children/", api.ChildListCreate.as_view(), name="api-children"),
    path("children/<int:pk>/", api.ChildDetail.as_view(), name="api-child"),
    path("enrolments/", api.EnrolmentListCreate.as_view(), name="api-enrolments"),
    path("enrolments/<int:pk>/", api.EnrolmentDetail.as_view(), name="api-enrolment"),
    path("enrolments/<int:pk>/move/", api.EnrolmentMove.as_view(), name="api-enrolment-move"),
    path("enrolments/<int:pk>/end/", api.EnrolmentEnd.as_view(), name="api-enrolment-end"),
    path("enrolment-imports/", api.EnrolmentImport.as_view(), name="api-enrolment-import"),
    path("enrolment-reports/", api.ReportListCreate.as_view(), name="api-enrolment-reports"),
    path("enrolment-reports/completeness/", api.ReportCompleteness.as_view(), name="api-report-completeness"),
    path("enrolment-reports/<int:pk>/confirm/", api.ReportConfirm.as_view(), name="api-report-confirm"),
    path("enrolment-reports/<int:pk>/submit/", api.ReportSubmit.as_view(), name="api-report-submit"),
    path("occupancy/", api.Occupancy.as_view(), name="api-occupancy"),
]
