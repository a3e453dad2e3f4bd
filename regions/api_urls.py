from django.urls import path

from . import api

urlpatterns = [
    path("regions/", api.RegionListView.as_view(), name="api-region-list"),
    path("regions/<str:code>/", api.RegionDetailView.as_view(), name="api-region-detail"),
    path("regions/<str:code>/populations/", api.RegionPopulationListView.as_view(), name="api-region-populations"),
]
