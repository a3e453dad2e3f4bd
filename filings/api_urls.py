"""API routes of the filings app, mounted under /api/v1/.

Grouped by first path segment, so that resolving a URL tests a prefix per group, not every route.
"""

from django.urls import include, path

from . import api

urlpatterns = [
    path("filings/", include([
        path("", api.FilingListCreateView.as_view(), name="api-filing-list"),
        path("<int:pk>/", api.FilingDetailView.as_view(), name="api-filing-detail"),
        path("<int:pk>/submit/", api.FilingSubmitView.as_view(), name="api-filing-submit"),
        path("<int:pk>/resubmit/", api.FilingResubmitView.as_view(), name="api-filing-resubmit"),
        path("<int:pk>/withdraw/", api.FilingWithdrawView.as_view(), name="api-filing-withdraw"),
        path("<int:pk>/approve/", api.FilingApproveView.as_view(), name="api-filing-approve"),
        path("<int:pk>/return/", api.FilingReturnView.as_view(), name="api-filing-return"),
        path("<int:pk>/reject/", api.FilingRejectView.as_view(), name="api-filing-reject"),
        path("<int:pk>/documents/", api.FilingDocumentsView.as_view(), name="api-filing-documents"),
    ])),
    path("documents/<int:pk>/download/", api.DocumentDownloadView.as_view(), name="api-document-download"),
    path("appointment-slots/", api.AppointmentSlotListView.as_view(), name="api-slot-list"),
    path("bookings/", include([
        path("", api.BookingListCreateView.as_view(), name="api-booking-list"),
        path("<int:pk>/cancel/", api.BookingCancelView.as_view(), name="api-booking-cancel"),
        path("<int:pk>/move/", api.BookingMoveView.as_view(), name="api-booking-move"),
    ])),
    path("notifications/", include([
        path("", api.NotificationListView.as_view(), name="api-notification-list"),
        path("<int:pk>/read/", api.NotificationReadView.as_view(), name="api-notification-read"),
    ])),
]
