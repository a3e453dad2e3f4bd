"""API routes of the filings app, mounted under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("filings/", api.FilingListCreateView.as_view(), name="api-filing-list"),
    path("filings/<int:pk>/", api.FilingDetailView.as_view(), name="api-filing-detail"),
    path("filings/<int:pk>/submit/", api.FilingSubmitView.as_view(), name="api-filing-submit"),
    path("filings/<int:pk>/resubmit/", api.FilingResubmitView.as_view(), name="api-filing-resubmit"),
    path("filings/<int:pk>/withdraw/", api.FilingWithdrawView.as_view(), name="api-filing-withdraw"),
    path("filings/<int:pk>/approve/", api.FilingApproveView.as_view(), name="api-filing-approve"),
    path("filings/<int:pk>/return/", api.FilingReturnView.as_view(), name="api-filing-return"),
    path("filings/<int:pk>/reject/", api.FilingRejectView.as_view(), name="api-filing-reject"),
    path("filings/<int:pk>/documents/", api.FilingDocumentsView.as_view(), name="api-filing-documents"),
    path("documents/<int:pk>/download/", api.DocumentDownloadView.as_view(), name="api-document-download"),
    path("appointment-slots/", api.AppointmentSlotListView.as_view(), name="api-slot-list"),
    path("bookings/", api.BookingListCreateView.as_view(), name="api-booking-list"),
    path("bookings/<int:pk>/cancel/", api.BookingCancelView.as_view(), name="api-booking-cancel"),
    path("bookings/<int:pk>/move/", api.BookingMoveView.as_view(), name="api-booking-move"),
    path("notifications/", api.NotificationListView.as_view(), name="api-notification-list"),
    path("notifications/<int:pk>/read/", api.NotificationReadView.as_view(), name="api-notification-read"),
]
