"""API routes of the training app, mounted under /api/v1/."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("training/", include([
        path("courses/", api.CourseListView.as_view(), name="api-training-courses"),
        path("courses/<int:pk>/", api.CourseDetailView.as_view(), name="api-training-course"),
        path("registrations/", api.RegistrationListView.as_view(), name="api-training-registrations"),
        path("registrations/<int:pk>/cancel/", api.RegistrationCancelView.as_view(),
             name="api-training-registration-cancel"),
        path("registrations/<int:pk>/attendance/", api.AttendanceView.as_view(), name="api-training-attendance"),
        path("registrations/<int:pk>/certificate/", api.CertificateView.as_view(), name="api-training-certificate"),
        path("figures/", api.RegionFiguresView.as_view(), name="api-training-figures"),
        path("figures/institutions/", api.InstitutionFiguresView.as_view(), name="api-training-institution-figures"),
    ])),
]
