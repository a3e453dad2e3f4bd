"""Pages of the metrics app, namespaced as "metrics"."""

from django.urls import path

from . import views

app_name = "metrics"
urlpatterns = [
    path("recompute/", views.recompute, name="recompute"),
    path("recompute/<uuid:task_id>/", views.recompute_status, name="recompute-status"),
    path("recompute/<uuid:task_id>/progress/", views.recompute_progress_fragment, name="recompute-progress"),
]
