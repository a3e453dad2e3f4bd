"""The pilots REST API: pilots, scorecards, assessments, progress reports and reporting rates.

Scope: officials see pilots and reports of their own region and below (outside: 404); institution staff
see their own institution's pilot; writes go through pilots.services (ValidationError → 400 naming the field).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from accounts.policies import require
from portal.api.schema import BAD_REQUEST, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import validated
from regions import codes
from regions.models import Region

from . import services
from .filters import PilotFilter, ProgressReportFilter
from .models import (
    Assessment,
    AssessmentScore,
    Pilot,
    ProgressReport,
    ProgressReportTemplate,
    ScorecardTemplate,
    ScoreDimension,
    ScoreItem,
)
from .reporting import reporting_rates

TAGS = ["pilots"]
LIST_ERRORS = {**READ_ERRORS, 400: BAD_REQUEST}  # a filter value of the wrong type or choice


def _official(user) -> None:
    require(policies.is_official_or_admin(user), _("Only officials and administrators do this."))


def _official_pilot(request, pk: int) -> Pilot:
    """A pilot of the caller's area (404 outside it) that an official acts on."""
    pilot = get_object_or_404(Pilot.objects.visible_to(request.user).select_related("institution"), pk=pk)
    _official(request.user)
    return pilot


# --- Serializers -----------------------------------------------------------------------------------

class PilotSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    region = serializers.CharField(source="institution.region_id", read_only=True)

    class Meta:
        model = Pilot
        fields = ["id", "institution", "institution_name", "region", "year", "designated_by", "designated_on",
                  "completed_on"]


class ScoreItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoreItem
        fields = ["id", "code", "text", "max_points", "is_veto", "order"]


class ScoreDimensionSerializer(serializers.ModelSerializer):
    items = ScoreItemSerializer(many=True, read_only=True)

    class Meta:
        model = ScoreDimension
        fields = ["id", "code", "name", "max_points", "order", "items"]


class ScorecardTemplateSerializer(serializers.ModelSerializer):
    dimensions = ScoreDimensionSerializer(many=True, read_only=True)
    grade_bands = serializers.SerializerMethodField()

    class Meta:
        model = ScorecardTemplate
        fields = ["id", "code", "name", "standard", "region", "total_points", "veto_grade", "notes", "dimensions",
                  "grade_bands"]

    def get_grade_bands(self, obj) -> list[dict]:
        return [{"grade": b.grade, "min_points": str(b.min_points), "label": b.label} for b in obj.grade_bands.all()]


class AssessmentScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessmentScore
        fields = ["item", "points", "veto_failed", "evidence"]


class AssessmentSerializer(serializers.ModelSerializer):
    scores = AssessmentScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "pilot", "template", "assessed_on", "assessor", "total", "grade", "veto_failed", "notes",
                  "scores"]


class AssessmentWriteSerializer(serializers.Serializer):
    template = serializers.SlugRelatedField(slug_field="code", queryset=ScorecardTemplate.objects.all())
    assessed_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    scores = AssessmentScoreSerializer(many=True)


class CompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField(required=False, help_text="Default today.")


class ProgressReportSerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "template", "region", "date", "values", "submitted_at", "on_time"]


class ProgressReportWriteSerializer(serializers.Serializer):
    template = serializers.CharField(help_text="Template code of the caller's province.")
    region = serializers.CharField(help_text="The caller's own region code.")
    date = serializers.DateField()
    values = serializers.DictField()


class ReportingRateSerializer(serializers.Serializer):
    region = serializers.CharField()
    expected = serializers.IntegerField()
    actual = serializers.IntegerField()
    on_time = serializers.IntegerField()
    completeness = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    timeliness = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)


# --- Pilots and scorecards ------------------------------------------------------------------------

@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: PilotSerializer(many=True), **LIST_ERRORS}))
class PilotListView(generics.ListAPIView):
    """Pilot institutions in the caller's area."""

    serializer_class = PilotSerializer
    filterset_class = PilotFilter

    def get_queryset(self):
        return Pilot.objects.visible_to(self.request.user).select_related("institution").order_by("-year", "pk")


@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: ScorecardTemplateSerializer(many=True),
                                                            **READ_ERRORS}))
class ScorecardListView(generics.ListAPIView):
    """Scorecard templates (national, and the caller's province's) with dimensions, items and grade bands."""

    serializer_class = ScorecardTemplateSerializer
    pagination_class = None

    def get_queryset(self):
        return ScorecardTemplate.objects.visible_to(self.request.user).filter(is_active=True).prefetch_related(
            Prefetch("dimensions", queryset=ScoreDimension.objects.order_by("order").prefetch_related(
                Prefetch("items", queryset=ScoreItem.objects.order_by("order")))),
            "grade_bands")


@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: AssessmentSerializer(many=True), **LIST_ERRORS}))
class AssessmentListView(generics.ListAPIView):
    """Assessments of pilots in the caller's area, newest first."""

    serializer_class = AssessmentSerializer

    def get_queryset(self):
        return Assessment.objects.visible_to(self.request.user).prefetch_related("scores").order_by(
            "-assessed_on", "-pk")


class AssessmentCreateView(APIView):
    """Record an assessment of a pilot: every item's points (with evidence); the total, grade and veto
    failures are computed."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=AssessmentWriteSerializer, responses={201: AssessmentSerializer, **WRITE_ERRORS})
    def post(self, request, pk: int):
        pilot = _official_pilot(request, pk)
        body = validated(AssessmentWriteSerializer, request)
        scores = [{"item": s["item"].pk, "points": s["points"], "evidence": s.get("evidence", ""),
                   "veto_failed": s.get("veto_failed", False)} for s in body["scores"]]
        assessment = services.assessment_record(
            pilot=pilot, template=body["template"], assessed_on=body["assessed_on"],
            scores=scores, actor=request.user, notes=body["notes"])
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class PilotCompleteView(APIView):
    """Record the pilot's "quality improvement completed" milestone. A second call changes nothing."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=CompleteSerializer, responses={200: PilotSerializer, **WRITE_ERRORS})
    def post(self, request, pk: int):
        pilot = _official_pilot(request, pk)
        body = validated(CompleteSerializer, request)
        pilot = services.pilot_mark_completed(
            pilot=pilot, completed_on=body.get("completed_on") or timezone.localdate(),
            actor=request.user)
        return Response(PilotSerializer(pilot).data)


# --- Progress reports -----------------------------------------------------------------------------

@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: ProgressReportSerializer(many=True), **LIST_ERRORS}),
    post=extend_schema(tags=TAGS, request=ProgressReportWriteSerializer,
                       responses={201: ProgressReportSerializer, **WRITE_ERRORS}),
)
class ProgressReportListCreateView(generics.ListAPIView):
    """Progress reports of the caller's area; POST submits the caller's own region's report for a period
    (a second POST for the same period corrects the values)."""

    parser_classes = [JSONParser]

    serializer_class = ProgressReportSerializer
    filterset_class = ProgressReportFilter

    def get_queryset(self):
        return ProgressReport.objects.visible_to(self.request.user).select_related("template").order_by(
            "-date", "region_id")

    def post(self, request):
        _official(request.user)
        body = validated(ProgressReportWriteSerializer, request)
        region = get_object_or_404(Region.objects.under(policies.area_of(request.user)),
                                   code=body["region"])
        template = get_object_or_404(ProgressReportTemplate.objects.filter(is_active=True),
                                     region_id=codes.province_of(region.code), code=body["template"])
        report = services.progress_report_submit(template=template, region=region, date=body["date"],
                                                 values=body["values"], actor=request.user)
        return Response(ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportingRateView(APIView):
    """Expected, actual and on-time reports of a region's children (and the region in total) over a period,
    DHIS2 style: only periods in which each region was expected to report count."""

    @extend_schema(tags=TAGS, parameters=[
        OpenApiParameter("region", OpenApiTypes.STR, required=True, allow_blank=False,
                         pattern=r"^\d{2}(\d{2}(\d{2}(\d{3})?)?)?$", description="A region code in your area."),
        OpenApiParameter("start", OpenApiTypes.DATE, required=True),
        OpenApiParameter("end", OpenApiTypes.DATE, required=True),
        OpenApiParameter("template", OpenApiTypes.STR)],
        responses={200: ReportingRateSerializer(many=True), **READ_ERRORS, 400: BAD_REQUEST})
    def get(self, request):
        params = request.query_params
        problems = {}
        if not params.get("region"):
            problems["region"] = [_("Give a region code.")]
        try:
            start = datetime.date.fromisoformat(params.get("start", ""))
            end = datetime.date.fromisoformat(params.get("end", ""))
        except ValueError:
            problems["start"] = [_("Enter start and end as YYYY-MM-DD.")]
        if problems:
            raise ValidationError(problems)
        if not policies.is_official_or_admin(request.user):
            return Response([])  # institution staff: no area figures
        region = get_object_or_404(Region.objects.under(policies.area_of(request.user)), code=params["region"])
        template = None
        if params.get("template"):
            template = get_object_or_404(ProgressReportTemplate, region_id=codes.province_of(region.code),
                                         code=params["template"])
        rows = []
        for code_len in codes.own_and_child_lengths(region.code):
            for code, rate in sorted(reporting_rates(region_code=region.code, group_length=code_len, start=start,
                                                     end=end, template=template).items()):
                rows.append(_rate_row(code, rate))
        return Response(rows)


def _rate_row(code: str, rate: dict) -> dict:
    from decimal import Decimal

    def ratio(n, d):
        return str((Decimal(n) / Decimal(d)).quantize(Decimal("0.0001"))) if d else None

    return {"region": code, **rate, "completeness": ratio(rate["actual"], rate["expected"]),
            "timeliness": ratio(rate["on_time"], rate["expected"])}
