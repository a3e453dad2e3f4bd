from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.permissions import AllowAny

from portal.api.pagination import LongListCursorPagination
from portal.api.schema import READ_ERRORS

from .filters import RegionFilter
from .models import Region, RegionPopulation
from .serializers import RegionDetailSerializer, RegionPopulationSerializer, RegionSerializer


class RegionCursorPagination(LongListCursorPagination):
    ordering = "code"


@extend_schema_view(get=extend_schema(tags=["regions"], responses={200: RegionSerializer(many=True), **READ_ERRORS}))
class RegionListView(generics.ListAPIView):
    """Division codes: filter by parent (tree navigation), by `under` (a whole subtree), level or name."""

    permission_classes = [AllowAny]
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    pagination_class = RegionCursorPagination

    def get_queryset(self):
        return Region.objects.visible_to(self.request.user)


@extend_schema_view(get=extend_schema(tags=["regions"], responses={200: RegionDetailSerializer, **READ_ERRORS}))
class RegionDetailView(generics.RetrieveAPIView):
    """One region with its ancestors (breadcrumbs), children and population by year."""

    permission_classes = [AllowAny]
    serializer_class = RegionDetailSerializer
    lookup_field = "code"

    def get_queryset(self):
        return Region.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("children", queryset=Region.objects.order_by("code")), "populations")

    def get_object(self):
        region = super().get_object()
        region.ancestor_list = region.ancestors()
        return region


@extend_schema_view(get=extend_schema(tags=["regions"],
                                      responses={200: RegionPopulationSerializer(many=True), **READ_ERRORS}))
class RegionPopulationListView(generics.ListAPIView):
    """Resident population of a region by year, newest first, with each figure's source."""

    permission_classes = [AllowAny]
    serializer_class = RegionPopulationSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return RegionPopulation.objects.none()
        region = generics.get_object_or_404(Region.objects.visible_to(self.request.user), code=self.kwargs["code"])
        return RegionPopulation.objects.filter(region=region).order_by("-year")
