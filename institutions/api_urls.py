"""API routes of the institutions app, mounted under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("institutions/", api.InstitutionListCreateView.as_view(), name="api-institution-list"),
    path("institutions/<int:pk>/", api.InstitutionDetailView.as_view(), name="api-institution-detail"),
    path("institutions/<int:pk>/classes/", api.ClassListCreateView.as_view(), name="api-institution-classes"),
    path("institutions/<int:pk>/classes/<int:class_pk>/", api.ClassDetailView.as_view(),
         name="api-institution-class"),
    path("institutions/<int:pk>/classes/<int:class_pk>/close/", api.ClassCloseView.as_view(),
         name="api-institution-class-close"),
    path("institutions/<int:pk>/staff/", api.StaffListCreateView.as_view(), name="api-institution-staff"),
    path("institutions/<int:pk>/staff/<int:member_pk>/", api.StaffDetailView.as_view(),
         name="api-institution-staff-member"),
    path("mentoring-pairs/", api.MentoringPairListView.as_view(), name="api-mentoring-pairs"),
    path("guidance-centres/", api.GuidanceCentreListView.as_view(), name="api-guidance-centres"),
    path("register/institutions/", api.PublicRegisterListView.as_view(), name="api-register-list"),
    path("register/institutions/<int:pk>/", api.PublicRegisterDetailView.as_view(), name="api-register-detail"),
]
