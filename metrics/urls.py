"""Pages of the metrics app, namespaced as "metrics"."""

from django.urls import path  # noqa: F401

app_name = "metrics"
urlpatterns: list = []
