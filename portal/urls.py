from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import api_docs, views

PAGE_APPS = ["accounts", "regions", "institutions", "filings", "enrolments", "pilots", "metrics", "dashboards",
             "complaints", "supervision", "demonstration", "yearend", "mentoring", "training"]

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", api_docs.RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("redoc/redoc.standalone.js", api_docs.redoc_bundle, name="api-redoc-bundle"),
    *[path("", include(f"{app}.api_urls")) for app in PAGE_APPS],
    path("", include("audit.api_urls")),
]

admin.site.site_header = _("Tuoyu administration")
admin.site.site_title = _("Tuoyu administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name none (Django's admin): the portal's mark, not a 404.
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("text-size/", views.text_size, name="text-size"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    *[path(f"{app}/" if app != "accounts" else "accounts/", include(f"{app}.urls")) for app in PAGE_APPS],
]

if settings.DEBUG or settings.BENCH_ENDPOINTS:
    urlpatterns.append(path("__bench__/constant", views.constant_json, name="constant-json"))

handler400 = "portal.views.handler400"
handler403 = "portal.views.handler403"
handler404 = "portal.views.handler404"
handler500 = "portal.views.handler500"
