"""Pages of the enrolments app, namespaced as "enrolments"."""

from django.urls import path  # noqa: F401

app_name = "enrolments"
urlpatterns: list = []
