"""Pages of supervision after filing, namespaced as "supervision"."""

from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/draw/", views.round_draw, name="round_draw"),
    path("rounds/<int:pk>/start/", views.round_start, name="round_start"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/items/<int:item_pk>/", views.item_record, name="item_record"),
    path("inspections/<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("inspections/<int:pk>/assign/", views.assign, name="assign"),
    path("inspections/<int:pk>/suspension-notice/", views.suspension_notice, name="suspension_notice"),
    path("rectifications/<int:pk>/answer/", views.rectification_answer, name="rectification_answer"),
    path("rectifications/<int:pk>/decide/", views.rectification_decide, name="rectification_decide"),
    path("suspension-notices/<int:pk>/object/", views.suspension_object, name="suspension_object"),
    path("suspension-notices/<int:pk>/decide/", views.suspension_decide, name="suspension_decide"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("institutions/<int:pk>/targeted/", views.targeted_new, name="targeted_new"),
    path("inspectors/", views.inspectors, name="inspectors"),
    path("inspectors/<int:pk>/withdraw/", views.inspector_withdraw, name="inspector_withdraw"),
    path("checklists/", views.checklists, name="checklists"),
    path("checklists/<slug:code>/new-version/", views.checklist_new_version, name="checklist_new_version"),
]
