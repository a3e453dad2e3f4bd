"""Pages of the institutions app, namespaced as "institutions"."""

from django.urls import path  # noqa: F401

app_name = "institutions"
urlpatterns: list = []
