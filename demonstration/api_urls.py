"""API routes of demonstration-city creation, mounted under /api/v1/."""

from django.urls import include, path

from . import api

urlpatterns = [
    path("demonstration/", include([
        path("standards/", api.StandardListView.as_view(), name="api-demonstration-standards"),
        path("ranking/", api.RankingView.as_view(), name="api-demonstration-ranking"),
        path("creations/", api.CreationListView.as_view(), name="api-demonstration-creations"),
        path("creations/<int:pk>/", api.CreationDetailView.as_view(), name="api-demonstration-creation"),
        path("creations/<int:pk>/evidence/", api.EvidenceView.as_view(), name="api-demonstration-evidence"),
        path("creations/<int:pk>/notes/", api.NoteView.as_view(), name="api-demonstration-note"),
        path("creations/<int:pk>/submit/", api.SubmitView.as_view(), name="api-demonstration-submit"),
        path("creations/<int:pk>/scores/", api.ScoreView.as_view(), name="api-demonstration-score"),
        path("creations/<int:pk>/return/", api.ReturnView.as_view(), name="api-demonstration-return"),
        path("creations/<int:pk>/finish/", api.FinishView.as_view(), name="api-demonstration-finish"),
    ])),
]
