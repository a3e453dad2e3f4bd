"""Pages of the pilots app, namespaced as "pilots"."""

from django.urls import path

from . import views

app_name = "pilots"
urlpatterns = [
    path("", views.PilotListView.as_view(), name="list"),
]
