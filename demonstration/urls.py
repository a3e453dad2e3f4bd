"""Pages of demonstration-city creation, namespaced as "demonstration"."""

from django.urls import path

from . import views

app_name = "demonstration"
urlpatterns = [
    path("", views.index, name="index"),
    path("open/", views.open_creation, name="open"),
    path("standards/", views.standards, name="standards"),
    path("standards/new-version/", views.standard_new_version, name="standard_new_version"),
    path("creations/<int:pk>/", views.creation_detail, name="creation"),
    path("creations/<int:pk>/submit/", views.creation_submit, name="submit"),
    path("creations/<int:pk>/return/", views.creation_return, name="return"),
    path("creations/<int:pk>/finish/", views.creation_finish, name="finish"),
    path("creations/<int:pk>/criteria/<int:criterion_pk>/", views.criterion_detail, name="criterion"),
    path("creations/<int:pk>/criteria/<int:criterion_pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("creations/<int:pk>/criteria/<int:criterion_pk>/note/", views.note_save, name="note"),
    path("creations/<int:pk>/criteria/<int:criterion_pk>/score/", views.score_save, name="score"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
]
