"""API routes of the complaints app, mounted under /api/v1/."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("register/complaints/", include([
        path("", api.PublicComplaintCreateView.as_view(), name="api-public-complaint-create"),
        path("lookup/", api.PublicComplaintLookupView.as_view(), name="api-public-complaint-lookup"),
    ])),
    path("complaints/", include([
        path("", api.ComplaintListView.as_view(), name="api-complaints"),
        path("<int:pk>/", api.ComplaintDetailView.as_view(), name="api-complaint"),
        path("<int:pk>/answer/", api.ComplaintAnswerView.as_view(), name="api-complaint-answer"),
        path("<int:pk>/contact/", api.ComplaintContactView.as_view(), name="api-complaint-contact"),
        path("<int:pk>/inspection/", api.ComplaintInspectionView.as_view(), name="api-complaint-inspection"),
    ])),
]
