"""Pages of the filings app, namespaced as "filings"."""

from django.urls import path

from . import views

app_name = "filings"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/slots/", views.slots, name="slots"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("rejections/", views.rejections, name="rejections"),
    path("book/", views.book, name="book"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/move/", views.booking_move, name="booking_move"),
    path("documents/<int:pk>/", views.document_file, name="document"),
    path("documents/<int:pk>/remove/", views.document_remove, name="document_remove"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/classes/", views.class_change_add, name="class_change_add"),
    path("<int:pk>/classes/<int:index>/remove/", views.class_change_remove, name="class_change_remove"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/return/", views.return_, name="return"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
]
