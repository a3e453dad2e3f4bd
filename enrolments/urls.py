"""Pages of the enrolments app, namespaced as "enrolments"."""

from django.urls import path

from . import views

app_name = "enrolments"
urlpatterns = [
    path("", views.classes, name="classes"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrolment/<int:pk>/move/", views.move, name="move"),
    path("enrolment/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("children/<int:pk>/", views.child_detail, name="child"),
    path("children/<int:pk>/consent/", views.consent_record, name="consent"),
    path("children/<int:pk>/enrol/", views.enrol_existing, name="enrol_existing"),
    path("due/", views.due, name="due"),
    path("requests/", views.guardian_requests, name="guardian_requests"),
    path("requests/<int:pk>/", views.guardian_request, name="guardian_request"),
    path("export/", views.export, name="export"),
    path("export/<int:pk>/decide/", views.export_decide, name="export_decide"),
    path("export/<int:pk>/download/", views.export_fetch, name="export_fetch"),
    path("import/", views.import_upload, name="import"),
    path("import/template.<str:fmt>", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("reports/", views.reports, name="reports"),
    path("reports/<str:action>/", views.report_action, name="report_action"),
    path("reporting/", views.reporting, name="reporting"),
    path("occupancy/", views.occupancy, name="occupancy"),
]
