from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from accounts.policies import require
from portal.api.pagination import LongListCursorPagination
from portal.api.schema import READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import validated

from . import services
from .filters import RegionFilter
from .importing import shipped_provinces
from .models import Region, RegionPopulation
from .serializers import (
    PopulationFigureSerializer,
    PopulationUploadResultSerializer,
    PopulationUploadSerializer,
    PopulationWriteSerializer,
    ProvinceLoadResultSerializer,
    ProvinceLoadSerializer,
    RegionDetailSerializer,
    RegionPopulationSerializer,
    RegionSerializer,
    ShippedProvinceSerializer,
)
from .uploads import read_population_file


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


@extend_schema_view(
    get=extend_schema(tags=["regions"], responses={200: RegionPopulationSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(tags=["regions"], request=PopulationWriteSerializer, responses={
        201: OpenApiResponse(RegionPopulationSerializer, description="A figure for a new year."),
        200: OpenApiResponse(RegionPopulationSerializer, description="The year's figure was replaced (or was "
                                                                     "already this one)."),
        **WRITE_ERRORS}),
)
class RegionPopulationListView(generics.ListCreateAPIView):
    """Resident population of a region by year, newest first, with each figure's source.

    POST sets the figure of a year (officials of the region or of an area containing it, administrators);
    the next recompute uses it for snapshot dates in that year and later. 403: a region outside your area.
    """

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = RegionPopulationSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return RegionPopulation.objects.none()
        region = get_object_or_404(Region.objects.visible_to(self.request.user), code=self.kwargs["code"])
        return RegionPopulation.objects.filter(region=region).order_by("-year")

    def create(self, request, *args, **kwargs):
        region = region_for_population_write(request, kwargs["code"])
        body = validated(PopulationWriteSerializer, request)
        figure, created = services.population_set(region=region, actor=request.user, **body)
        return Response(RegionPopulationSerializer(figure).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def region_for_population_write(request, code: str) -> Region:
    """404 for an unknown region, 403 for one outside the caller's area (regions are public: no secret)."""
    region = get_object_or_404(Region.objects.visible_to(request.user), code=code)
    require(policies.sets_population_of(request.user, region))
    return region


@extend_schema_view(
    get=extend_schema(tags=["regions"], responses={200: RegionPopulationSerializer, **READ_ERRORS}),
    put=extend_schema(tags=["regions"], request=PopulationFigureSerializer, responses={
        200: OpenApiResponse(RegionPopulationSerializer, description="The year's figure was replaced."),
        201: OpenApiResponse(RegionPopulationSerializer, description="A figure for a new year."),
        **WRITE_ERRORS}),
)
class RegionPopulationYearView(APIView):
    """The resident population of a region in one year; PUT sets it (same rules as POST on the list)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    def get(self, request, code, year):
        region = get_object_or_404(Region.objects.visible_to(request.user), code=code)
        return Response(RegionPopulationSerializer(get_object_or_404(RegionPopulation, region=region,
                                                                     year=year)).data)

    def put(self, request, code, year):
        region = region_for_population_write(request, code)
        body = validated(PopulationFigureSerializer, request)
        figure, created = services.population_set(region=region, year=year, actor=request.user,
                                                  **body)
        return Response(RegionPopulationSerializer(figure).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(tags=["regions"], request={"multipart/form-data": PopulationUploadSerializer},
               responses={200: PopulationUploadResultSerializer, **WRITE_ERRORS})
class PopulationUploadView(APIView):
    """Bulk population figures from a CSV or XLSX table (code, resident_population, year, source).

    All-or-nothing: a 400 lists every row and column at fault (`fields.file`, in the caller's language,
    e.g. "Row 3, column year: ...") and nothing is written. `dry_run=true` checks and counts only.
    Every region must lie in the caller's area (officials) — administrators may upload for any region.
    """

    parser_classes = [MultiPartParser, FormParser]

    def post(self, request):
        require(policies.uploads_populations(request.user))
        body = validated(PopulationUploadSerializer, request)
        rows = read_population_file(body["file"])
        result = services.populations_upload(rows=rows, actor=request.user,
                                             dry_run=body["dry_run"])
        return Response(PopulationUploadResultSerializer({
            "dry_run": result.dry_run, "rows": result.rows, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged}).data)


# --- Loading a province's division codes -------------------------------------------------------------

@extend_schema_view(
    get=extend_schema(tags=["regions"], responses={200: ShippedProvinceSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(tags=["regions"], request=ProvinceLoadSerializer,
                       responses={200: ProvinceLoadResultSerializer, **WRITE_ERRORS}),
)
class ProvinceLoadView(APIView):
    """The 31 provinces whose division codes ship with the portal; POST loads one (administrators).

    All-or-nothing and idempotent: loading a province again changes nothing. About half a second.
    """

    def get(self, request):
        require(policies.loads_divisions(request.user))
        loaded = services.provinces_loaded()
        rows = [{"code": code, "name": name, "regions": loaded.get(code, 0)}
                for code, name in shipped_provinces().items()]
        return Response(ShippedProvinceSerializer(rows, many=True).data)

    def post(self, request):
        require(policies.loads_divisions(request.user))
        body = validated(ProvinceLoadSerializer, request)
        result = services.province_load(province=body["province"], actor=request.user)
        return Response(ProvinceLoadResultSerializer({**result.__dict__, "regions": result.regions}).data)
