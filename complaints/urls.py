"""Pages of the complaints app, namespaced as "complaints"."""

from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    # The public (no account)
    path("new/<int:institution_pk>/", views.submit, name="submit"),
    path("filed/", views.filed, name="filed"),
    path("track/", views.track, name="track"),
    # Officials
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("<int:pk>/inspection/", views.open_inspection, name="open_inspection"),
]
