"""API routes of the regions app, mounted under /api/v1/.

Grouped by first path segment, so that resolving a URL tests a prefix per group, not every route.
"""

from django.urls import include, path

from . import api

urlpatterns = [
    path("regions/", include([
        path("", api.RegionListView.as_view(), name="api-region-list"),
        path("load/", api.ProvinceLoadView.as_view(), name="api-region-load"),
        path("<str:code>/", api.RegionDetailView.as_view(), name="api-region-detail"),
        path("<str:code>/populations/", api.RegionPopulationListView.as_view(), name="api-region-populations"),
        path("<str:code>/populations/<int:year>/", api.RegionPopulationYearView.as_view(),
             name="api-region-population"),
    ])),
    path("populations/upload/", api.PopulationUploadView.as_view(), name="api-population-upload"),
]
