"""API routes of supervision, mounted under /api/v1/, grouped under one first path segment."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("supervision/", include([
        path("checklists/", api.ChecklistListView.as_view(), name="api-supervision-checklists"),
        path("inspectors/", api.InspectorListView.as_view(), name="api-supervision-inspectors"),
        path("inspectors/<int:pk>/withdraw/", api.InspectorWithdrawView.as_view(),
             name="api-supervision-inspector-withdraw"),
        path("rounds/", api.RoundListView.as_view(), name="api-supervision-rounds"),
        path("rounds/<int:pk>/", api.RoundDetailView.as_view(), name="api-supervision-round"),
        path("rounds/<int:pk>/draw/", api.RoundDrawView.as_view(), name="api-supervision-round-draw"),
        path("rounds/<int:pk>/start/", api.RoundStartView.as_view(), name="api-supervision-round-start"),
        path("inspections/", api.InspectionListView.as_view(), name="api-supervision-inspections"),
        path("inspections/<int:pk>/", api.InspectionDetailView.as_view(), name="api-supervision-inspection"),
        path("inspections/<int:pk>/records/", api.InspectionRecordView.as_view(), name="api-supervision-record"),
        path("inspections/<int:pk>/evidence/", api.InspectionEvidenceView.as_view(),
             name="api-supervision-evidence"),
        path("inspections/<int:pk>/assign/", api.InspectionAssignView.as_view(), name="api-supervision-assign"),
        path("inspections/<int:pk>/sign-off/", api.InspectionSignOffView.as_view(), name="api-supervision-sign-off"),
        path("inspections/<int:pk>/suspension-notice/", api.InspectionSuspensionNoticeView.as_view(),
             name="api-supervision-suspension-notice"),
        path("rectifications/", api.RectificationListView.as_view(), name="api-supervision-rectifications"),
        path("rectifications/<int:pk>/answer/", api.RectificationAnswerView.as_view(),
             name="api-supervision-rectification-answer"),
        path("rectifications/<int:pk>/decide/", api.RectificationDecideView.as_view(),
             name="api-supervision-rectification-decide"),
        path("suspension-notices/<int:pk>/object/", api.SuspensionObjectView.as_view(),
             name="api-supervision-suspension-object"),
        path("suspension-notices/<int:pk>/decide/", api.SuspensionDecideView.as_view(),
             name="api-supervision-suspension-decide"),
        path("register/<int:pk>/", api.DisclosureView.as_view(), name="api-supervision-disclosure"),
    ])),
]
