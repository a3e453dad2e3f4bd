"""API routes of the audit app, mounted under /api/v1/: the public events feed."""

from django.urls import path

from .api import EventFeedView

urlpatterns = [path("events/", EventFeedView.as_view(), name="api-events")]
