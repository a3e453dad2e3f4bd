from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import views

PAGE_APPS = ["accounts", "regions", "institutions", "filings", "enrolments", "pilots", "metrics", "dashboards"]

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    *[path("", include(f"{app}.api_urls")) for app in PAGE_APPS],
    path("", include("audit.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
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
