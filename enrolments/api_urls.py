"""API routes of the enrolments app, mounted under /api/v1/.

Grouped by first path segment, so that resolving a URL tests a prefix per group, not every route.
"""

from django.urls import include, path

from . import api

urlpatterns = [
    path("children/", include([
        path("", api.ChildListCreate.as_view(), name="api-children"),
        path("<int:pk>/", api.ChildDetail.as_view(), name="api-child"),
    ])),
    path("enrolments/", include([
        path("", api.EnrolmentListCreate.as_view(), name="api-enrolments"),
        path("<int:pk>/", api.EnrolmentDetail.as_view(), name="api-enrolment"),
        path("<int:pk>/move/", api.EnrolmentMove.as_view(), name="api-enrolment-move"),
        path("<int:pk>/end/", api.EnrolmentEnd.as_view(), name="api-enrolment-end"),
    ])),
    path("enrolment-imports/", api.EnrolmentImport.as_view(), name="api-enrolment-import"),
    path("enrolment-reports/", include([
        path("", api.ReportListCreate.as_view(), name="api-enrolment-reports"),
        path("completeness/", api.ReportCompleteness.as_view(), name="api-report-completeness"),
        path("<int:pk>/confirm/", api.ReportConfirm.as_view(), name="api-report-confirm"),
        path("<int:pk>/submit/", api.ReportSubmit.as_view(), name="api-report-submit"),
    ])),
    path("occupancy/", api.Occupancy.as_view(), name="api-occupancy"),
    path("guardian-requests/", include([
        path("", api.GuardianRequestListCreate.as_view(), name="api-guardian-requests"),
        path("<int:pk>/", api.GuardianRequestDetail.as_view(), name="api-guardian-request"),
        path("<int:pk>/answer/", api.GuardianRequestAnswer.as_view(), name="api-guardian-request-answer"),
    ])),
    path("export-approvals/", include([
        path("", api.ExportApprovalList.as_view(), name="api-export-approvals"),
        path("<int:pk>/approve/", api.ExportApprovalApprove.as_view(), name="api-export-approval-approve"),
        path("<int:pk>/refuse/", api.ExportApprovalRefuse.as_view(), name="api-export-approval-refuse"),
    ])),
]
