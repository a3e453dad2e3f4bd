"""The metrics REST API: snapshot figures, time series, rankings, recompute requests.

Everything reads precomputed rows (ready snapshots, ranking entries) with a fixed number of queries.
Scope: officials see their own region and the regions under it (outside: 404); administrators all;
lists are filtered by `visible_to`, so institution staff get empty lists and a 403 on single objects and
writes (area figures are for officials; the public register is elsewhere).
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db.models import Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.cache import METRICS, ResponseCacheMixin
from portal.api.lean import LeanListMixin, read_plan
from portal.api.pagination import ShortListPagination
from portal.api.schema import BAD_REQUEST, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import CachedFieldsMixin, validated
from regions.models import Region

from . import rankings
from .filters import RankingRunFilter, RegionSnapshotFilter
from .models import RankingEntry, RankingRun, RegionSnapshot, Snapshot
from .services import recompute_progress, require_official_or_admin, snapshot_request_recompute

TAGS = ["metrics"]
# Reads are cached under the version of the ready metrics (a snapshot swapped in, a ranking computed or
# published) and of the regions (names) (portal.api.cache).
METRICS_CACHE = (METRICS, "regions")
# Reads that take a date parameter answer 400 for a malformed date.
DATED_READ_ERRORS = {**READ_ERRORS, 400: BAD_REQUEST}


def _date_param(request, name: str = "date") -> datetime.date | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: _("Enter a date as YYYY-MM-DD.")}) from None


# --- Serializers -----------------------------------------------------------------------------------

class SnapshotSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="computing, ready, failed or superseded.")

    class Meta:
        model = Snapshot
        fields = ["id", "date", "version", "status", "progress", "computed_at", "target_per_1000"]


class RegionSnapshotSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    snapshot_date = serializers.DateField(source="snapshot.date", read_only=True)

    class Meta:
        model = RegionSnapshot
        fields = [
            "region", "region_name", "level", "parent_code", "snapshot", "snapshot_date", "institutions",
            "institutions_by_setting", "places", "places_inclusive", "places_infant", "places_younger",
            "places_older", "places_mixed", "enrolled", "resident_population", "population_year",
            "population_is_synthetic", "places_per_1000", "utilisation", "inclusive_share", "target_per_1000",
            "target_gap", "places_change", "pilots_designated", "pilots_completed", "filings_pending",
            "filings_overdue", "filings_decided", "filings_decided_on_time",
        ]


class RegionSeriesPointSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    date = serializers.DateField(source="snapshot.date", read_only=True)

    class Meta:
        model = RegionSnapshot
        fields = ["date", "institutions", "places", "places_inclusive", "enrolled", "resident_population",
                  "places_per_1000", "utilisation", "inclusive_share", "target_gap", "places_change",
                  "pilots_designated", "pilots_completed"]


class RankingEntrySerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = RankingEntry
        fields = ["region", "region_name", "rank", "score", "breakdown", "previous_rank", "move",
                  "prior_version_rank", "prior_version_score"]


class RankingRunSerializer(serializers.ModelSerializer):
    scope_name = serializers.CharField(source="scope.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft or published (frozen).")

    class Meta:
        model = RankingRun
        fields = ["id", "scope", "scope_name", "period_kind", "period_start", "period_end", "version", "status",
                  "weights", "computed_at", "published_at"]


class RankingChangeSerializer(serializers.Serializer):
    region = serializers.CharField()
    rank = serializers.IntegerField()
    score = serializers.CharField()
    prior_rank = serializers.IntegerField(allow_null=True)
    prior_score = serializers.CharField(allow_null=True)


class RankingRunDetailSerializer(RankingRunSerializer):
    entries = RankingEntrySerializer(many=True, read_only=True)
    changes = serializers.SerializerMethodField(help_text="Regions whose rank or score differ from the previous "
                                                          "version of this period's ranking (empty for version 1).")

    class Meta(RankingRunSerializer.Meta):
        fields = [*RankingRunSerializer.Meta.fields, "entries", "changes"]

    @extend_schema_field(RankingChangeSerializer(many=True))
    def get_changes(self, run) -> list[dict]:
        return rankings.ranking_difference(run) if run.version > 1 else []


class RankingComputeSerializer(serializers.Serializer):
    scope = serializers.CharField(help_text="Province (ranks its cities) or city (ranks its counties) code.")
    period_kind = serializers.ChoiceField(choices=RankingRun.PeriodKind.choices)
    period_start = serializers.DateField()


class RankingWeightsSerializer(serializers.Serializer):
    weights = serializers.DictField(child=serializers.FloatField(min_value=0),
                                    help_text=f"Indicator → weight; indicators: {', '.join(rankings.INDICATORS)}.")


class RecomputeRequestSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text="Snapshot date; today when omitted.")


RecomputeStatusSerializer = inline_serializer(name="RecomputeStatus", fields={
    "task_id": serializers.CharField(),
    "date": serializers.DateField(allow_null=True),
    "status": serializers.CharField(help_text="queued, computing, ready, failed or superseded; requeued while "
                                   "a run whose worker was lost waits to be started again."),
    "progress": serializers.IntegerField(),
    "snapshot": serializers.IntegerField(allow_null=True),
    "error": serializers.CharField(allow_blank=True),
    "status_url": serializers.CharField(),
})


# --- Snapshots --------------------------------------------------------------------------------------

@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: SnapshotSerializer(many=True), **READ_ERRORS}))
class SnapshotListView(ResponseCacheMixin, generics.ListAPIView):
    """Ready snapshots, newest first: the dates for which figures can be shown."""

    cache_depends_on = METRICS_CACHE

    serializer_class = SnapshotSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Snapshot.objects.none()
        return Snapshot.objects.visible_to(self.request.user).ready().order_by("-date", "-version")


def _current_rows(request):
    """The rows of the snapshot in force on the request's `date` (today by default), found by a subquery
    in the same statement; none without a ready snapshot."""
    current = Snapshot.objects.latest_ready(_date_param(request)).values("pk")
    return RegionSnapshot.objects.filter(snapshot_id=Subquery(current))


DATE_PARAM = OpenApiParameter("date", OpenApiTypes.DATE, description="Latest ready snapshot on or before this "
                              "date (default today).")


@extend_schema_view(get=extend_schema(tags=TAGS, parameters=[DATE_PARAM],
                                      responses={200: RegionSnapshotSerializer(many=True), **DATED_READ_ERRORS}))
class RegionSnapshotListView(LeanListMixin, ResponseCacheMixin, generics.ListAPIView):
    """Figures of regions in the caller's area from the snapshot in force on `date`.

    `parent=1301` gives the children of Shijiazhuang in one call (an indexed query on snapshot and parent).
    No ready snapshot yet: an empty list.
    """

    serializer_class = RegionSnapshotSerializer
    filterset_class = RegionSnapshotFilter
    pagination_class = ShortListPagination  # a region's children fit the first page: no COUNT
    cache_depends_on = METRICS_CACHE

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RegionSnapshot.objects.none()
        return (_current_rows(self.request).visible_to(self.request.user)
                .select_related("region", "snapshot").order_by("region_id"))


@extend_schema_view(get=extend_schema(tags=TAGS, parameters=[DATE_PARAM],
                                      responses={200: RegionSnapshotSerializer, **DATED_READ_ERRORS}))
class RegionSnapshotDetailView(ResponseCacheMixin, generics.RetrieveAPIView):
    """One region's figures on a date (404 outside the caller's area or without a ready snapshot)."""

    cache_depends_on = METRICS_CACHE

    serializer_class = RegionSnapshotSerializer

    def retrieve(self, request, *args, **kwargs):
        """The serializer's JSON from one `.values()` row (portal.api.lean), in one statement."""
        require_official_or_admin(request.user)
        plan = read_plan(RegionSnapshotSerializer)
        rows = plan.values(_current_rows(request).visible_to(request.user).filter(region_id=self.kwargs["code"]))
        row = next(iter(rows[:1]), None)
        if row is None:
            raise Http404
        return Response(plan.represent(row))


@extend_schema_view(get=extend_schema(
    tags=TAGS, parameters=[OpenApiParameter("from", OpenApiTypes.DATE), OpenApiParameter("to", OpenApiTypes.DATE)],
    responses={200: RegionSeriesPointSerializer(many=True), **DATED_READ_ERRORS}))
class RegionSeriesView(ResponseCacheMixin, generics.ListAPIView):
    """A region's figures over time: one point per ready snapshot date, oldest first."""

    serializer_class = RegionSeriesPointSerializer
    pagination_class = None
    cache_depends_on = METRICS_CACHE

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RegionSnapshot.objects.none()
        require_official_or_admin(self.request.user)
        code = self.kwargs["code"]
        get_object_or_404(Region.objects.overseen_by(self.request.user), code=code)
        qs = (RegionSnapshot.objects.visible_to(self.request.user).ready().filter(region_id=code)
              .select_related("snapshot").order_by("snapshot__date"))
        start, end = _date_param(self.request, "from"), _date_param(self.request, "to")
        if start:
            qs = qs.filter(snapshot__date__gte=start)
        if end:
            qs = qs.filter(snapshot__date__lte=end)
        return qs[:1000]


# --- Recompute --------------------------------------------------------------------------------------

def _recompute_status(request, task_id: str) -> dict:
    state, progress, snapshot = recompute_progress(task_id)
    return {
        "task_id": task_id,
        "date": snapshot.date if snapshot else None,
        "status": state,
        "progress": progress,
        "snapshot": snapshot.pk if snapshot else None,
        "error": snapshot.error if snapshot else "",
        "status_url": request.build_absolute_uri(f"/api/v1/metrics/recompute/{task_id}/"),
    }


class RecomputeRequestView(APIView):
    """Ask for the snapshot of a date to be recomputed (officials). Answers 202 with the task id; follow
    `status_url` for progress. A date already being computed is not computed twice."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=RecomputeRequestSerializer,
                   responses={202: RecomputeStatusSerializer, **WRITE_ERRORS})
    def post(self, request):
        require_official_or_admin(request.user)
        date = validated(RecomputeRequestSerializer, request).get("date") or timezone.localdate()
        task_id = snapshot_request_recompute(date=date, actor=request.user)
        body = _recompute_status(request, task_id)
        body["date"] = body["date"] or date
        return Response(body, status=status.HTTP_202_ACCEPTED)


TASK_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class RecomputeStatusView(APIView):
    """Progress of a recompute request: queued, computing (with percent), ready or failed."""

    @extend_schema(tags=TAGS, responses={200: RecomputeStatusSerializer, **READ_ERRORS})
    def get(self, request, task_id: str):
        require_official_or_admin(request.user)
        if not TASK_ID.fullmatch(task_id):  # Celery task ids are UUIDs; anything else names no task
            raise exceptions.NotFound()
        return Response(_recompute_status(request, task_id))


# --- Rankings ---------------------------------------------------------------------------------------

@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: RankingRunSerializer(many=True),
                                                            **DATED_READ_ERRORS}))
class RankingRunListView(ResponseCacheMixin, generics.ListAPIView):
    """Rankings the caller may see: of their own region, of regions above it, and published ones of their
    parent (a city sees the province's ranking of cities)."""

    serializer_class = RankingRunSerializer
    filterset_class = RankingRunFilter
    cache_depends_on = METRICS_CACHE

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RankingRun.objects.none()
        return (RankingRun.objects.visible_to(self.request.user).select_related("scope")
                .order_by("-period_end", "scope_id", "-version"))


@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: RankingRunDetailSerializer, **READ_ERRORS}))
class RankingRunDetailView(ResponseCacheMixin, generics.RetrieveAPIView):
    """One ranking with every region's rank, score and per-indicator breakdown, and the change against the
    previous version (`prior_version_rank`, `prior_version_score`)."""

    serializer_class = RankingRunDetailSerializer
    cache_depends_on = METRICS_CACHE

    def get_queryset(self):
        from django.db.models import Prefetch

        if getattr(self, "swagger_fake_view", False):
            return RankingRun.objects.none()
        require_official_or_admin(self.request.user)
        return RankingRun.objects.visible_to(self.request.user).select_related("scope").prefetch_related(
            Prefetch("entries", queryset=RankingEntry.objects.select_related("region").order_by("rank")))


class RankingComputeView(APIView):
    """Compute (or recompute) a ranking for a period; a published one gets a new draft version."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=RankingComputeSerializer, responses={201: RankingRunSerializer, **WRITE_ERRORS})
    def post(self, request):
        require_official_or_admin(request.user)
        body = validated(RankingComputeSerializer, request)
        scope = get_object_or_404(Region.objects.overseen_by(request.user),
                                  code=body["scope"])
        run = rankings.ranking_compute(scope=scope, period_kind=body["period_kind"],
                                       period_start=body["period_start"], actor=request.user)
        return Response(RankingRunSerializer(run).data, status=status.HTTP_201_CREATED)


class RankingPublishView(APIView):
    """Publish a draft ranking: it is frozen from then on. Publishing twice changes nothing."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=None, responses={200: RankingRunSerializer, **WRITE_ERRORS})
    def post(self, request, pk: int):
        require_official_or_admin(request.user)
        run = get_object_or_404(RankingRun.objects.visible_to(request.user), pk=pk)
        run = rankings.ranking_publish(run=run, actor=request.user)
        return Response(RankingRunSerializer(run).data)


class RankingWeightsView(APIView):
    """The ranking weights of a province (or city): read by its officials and those above, set by itself."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, responses={200: RankingWeightsSerializer, **READ_ERRORS})
    def get(self, request, code: str):
        require_official_or_admin(request.user)
        region = get_object_or_404(Region.objects.overseen_by(request.user), code=code)
        return Response({"weights": rankings.weights_for(region)})

    @extend_schema(tags=TAGS, request=RankingWeightsSerializer, responses={200: RankingWeightsSerializer,
                                                                           **WRITE_ERRORS})
    def put(self, request, code: str):
        require_official_or_admin(request.user)
        region = get_object_or_404(Region.objects.overseen_by(request.user), code=code)
        body = validated(RankingWeightsSerializer, request)
        weights = rankings.ranking_weights_set(region=region, weights=body["weights"],
                                               actor=request.user)
        return Response({"weights": weights.weights})
