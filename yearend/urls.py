"""Pages of year-end reporting and the annual assessment pack, namespaced as "yearend"."""

from django.urls import path

from dashboards.urls import RegionCodeConverter  # noqa: F401 — registers the "region" converter

from . import views

app_name = "yearend"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/edit/", views.edit, name="edit"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/accept/", views.accept, name="accept"),
    path("reports/<int:pk>/return/", views.return_, name="return"),
    path("pack/<region:code>/<int:year>/", views.pack_page, name="pack"),
    path("pack/<region:code>/<int:year>.pdf", views.pack_pdf, name="pack_pdf"),
    path("pack/<region:code>/<int:year>.xlsx", views.pack_xlsx, name="pack_xlsx"),
]
