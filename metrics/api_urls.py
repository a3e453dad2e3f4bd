"""API routes of the metrics app, mounted under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("metrics/snapshots/", api.SnapshotListView.as_view(), name="api-metrics-snapshots"),
    path("metrics/regions/", api.RegionSnapshotListView.as_view(), name="api-metrics-regions"),
    path("metrics/regions/<str:code>/", api.RegionSnapshotDetailView.as_view(), name="api-metrics-region"),
    path("metrics/regions/<str:code>/series/", api.RegionSeriesView.as_view(), name="api-metrics-region-series"),
    path("metrics/recompute/", api.RecomputeRequestView.as_view(), name="api-metrics-recompute"),
    path("metrics/recompute/<str:task_id>/", api.RecomputeStatusView.as_view(), name="api-metrics-recompute-status"),
    path("metrics/rankings/", api.RankingRunListView.as_view(), name="api-metrics-rankings"),
    path("metrics/rankings/compute/", api.RankingComputeView.as_view(), name="api-metrics-ranking-compute"),
    path("metrics/rankings/<int:pk>/", api.RankingRunDetailView.as_view(), name="api-metrics-ranking"),
    path("metrics/rankings/<int:pk>/publish/", api.RankingPublishView.as_view(), name="api-metrics-ranking-publish"),
    path("metrics/ranking-weights/<str:code>/", api.RankingWeightsView.as_view(), name="api-metrics-ranking-weights"),
]
