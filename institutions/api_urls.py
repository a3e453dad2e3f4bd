"""API routes of the institutions app, mounted under /api/v1/.

Grouped by first path segment, so that resolving a URL tests a prefix per group, not every route.
"""

from django.urls import include, path

from . import api

urlpatterns = [
    path("institutions/", include([
        path("", api.InstitutionListCreateView.as_view(), name="api-institution-list"),
        path("<int:pk>/", api.InstitutionDetailView.as_view(), name="api-institution-detail"),
        path("<int:pk>/suspend/", api.InstitutionSuspendView.as_view(), name="api-institution-suspend"),
        path("<int:pk>/lift-suspension/", api.InstitutionLiftSuspensionView.as_view(),
             name="api-institution-lift-suspension"),
        path("<int:pk>/classes/", api.ClassListCreateView.as_view(), name="api-institution-classes"),
        path("<int:pk>/classes/<int:class_pk>/", api.ClassDetailView.as_view(),
             name="api-institution-class"),
        path("<int:pk>/classes/<int:class_pk>/close/", api.ClassCloseView.as_view(),
             name="api-institution-class-close"),
        path("<int:pk>/staff/", api.StaffListCreateView.as_view(), name="api-institution-staff"),
        path("<int:pk>/staff/<int:member_pk>/", api.StaffDetailView.as_view(),
             name="api-institution-staff-member"),
    ])),
    path("staff-registry/", include([
        path("double-registrations/", api.DoubleRegistrationListView.as_view(), name="api-double-registrations"),
        path("certificates-due/", api.CertificatesDueListView.as_view(), name="api-certificates-due"),
    ])),
    path("onboarding-imports/", include([
        path("", api.OnboardingImportListCreateView.as_view(), name="api-onboarding-imports"),
        path("<int:pk>/", api.OnboardingImportDetailView.as_view(), name="api-onboarding-import"),
        path("<int:pk>/confirm/", api.OnboardingImportConfirmView.as_view(), name="api-onboarding-import-confirm"),
    ])),
    path("mentoring-pairs/", api.MentoringPairListView.as_view(), name="api-mentoring-pairs"),
    path("guidance-centres/", api.GuidanceCentreListView.as_view(), name="api-guidance-centres"),
    path("register/", include([
        path("institutions/", api.PublicRegisterListView.as_view(), name="api-register-list"),
        path("institutions/<int:pk>/", api.PublicRegisterDetailView.as_view(), name="api-register-detail"),
    ])),
]
