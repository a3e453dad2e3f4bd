"""API routes of the metrics app, mounted under /api/v1/.

Grouped by first path segment, so that resolving a URL tests a prefix per group, not every route.
"""

from django.urls import include, path

from . import api

urlpatterns = [
    path("metrics/", include([
        path("snapshots/", api.SnapshotListView.as_view(), name="api-metrics-snapshots"),
        path("regions/", api.RegionSnapshotListView.as_view(), name="api-metrics-regions"),
        path("regions/<str:code>/", api.RegionSnapshotDetailView.as_view(), name="api-metrics-region"),
        path("regions/<str:code>/series/", api.RegionSeriesView.as_view(), name="api-metrics-region-series"),
        path("recompute/", api.RecomputeRequestView.as_view(), name="api-metrics-recompute"),
        path("recompute/<str:task_id>/", api.RecomputeStatusView.as_view(), name="api-metrics-recompute-status"),
        path("rankings/", api.RankingRunListView.as_view(), name="api-metrics-rankings"),
        path("rankings/compute/", api.RankingComputeView.as_view(), name="api-metrics-ranking-compute"),
        path("rankings/<int:pk>/", api.RankingRunDetailView.as_view(), name="api-metrics-ranking"),
        path("rankings/<int:pk>/publish/", api.RankingPublishView.as_view(), name="api-metrics-ranking-publish"),
        path("ranking-weights/<str:code>/", api.RankingWeightsView.as_view(), name="api-metrics-ranking-weights"),
    ])),
]
