"""Pages of the regions app, namespaced as "regions"."""

from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("load/", views.province_load, name="load"),
    path("populations/upload/", views.populations_upload, name="populations_upload"),
    path("<str:code>/populations/", views.populations, name="populations"),
]
