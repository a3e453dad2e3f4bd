"""Pages of the dashboards app, namespaced as "dashboards"."""

from django.urls import path, register_converter

from . import views


class RegionCodeConverter:
    """A division code: 2, 4, 6 or 9 digits."""

    regex = r"[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RegionCodeConverter, "region")

app_name = "dashboards"
urlpatterns = [
    path("", views.area, name="area"),
    path("<region:code>/", views.area, name="area"),
    path("<region:code>/planner/", views.planner, name="planner"),
    path("<region:code>/report/", views.report, name="report"),
    path("<region:code>/report.pdf", views.report_pdf, name="report-pdf"),
    path("<region:code>/export/<slug:table>.<slug:fmt>", views.export, name="export"),
]
