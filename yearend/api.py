"""The year-end REST API: the province's form, the institutions' reports (draft, submit, accept, return), the
reporting rates and the annual assessment pack's figures.

Scope: every list and object goes through `visible_to(user)` (outside the area: 404); each workflow verb is one
small view calling one service, the same services as the pages.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from accounts.policies import require
from portal.api.schema import BAD_REQUEST, CONFLICT, READ_ERRORS, WRITE_ERRORS
from regions import codes
from regions.models import Region

from . import pack, selectors, services
from .filters import YearEndReportFilter
from .models import YearEndField, YearEndObligation, YearEndReport, YearEndTemplate

TAGS = ["yearend"]
WRITE_ERRORS_409 = {**WRITE_ERRORS, 409: CONFLICT}
LIST_ERRORS = {**READ_ERRORS, 400: BAD_REQUEST}


class YearEndFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = YearEndField
        fields = ["code", "section", "label", "help_text", "kind", "required", "order"]


class YearEndTemplateSerializer(serializers.ModelSerializer):
    fields = YearEndFieldSerializer(many=True, read_only=True)

    class Meta:
        model = YearEndTemplate
        fields = ["id", "region", "code", "version", "name", "notes", "is_working_definition", "created_at",
                  "fields"]


class YearEndObligationSerializer(serializers.ModelSerializer):
    template = YearEndTemplateSerializer(read_only=True)

    class Meta:
        model = YearEndObligation
        fields = ["id", "region", "year", "due_on", "opened_at", "template"]


class YearEndReportSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    due_on = serializers.DateField(source="obligation.due_on", read_only=True)
    values = serializers.DictField(help_text="Field code → value (numbers for number fields, text otherwise).")

    class Meta:
        model = YearEndReport
        fields = ["id", "institution", "institution_name", "year", "template", "status", "values", "due_on",
                  "first_submitted_at", "submitted_at", "on_time", "decided_at", "return_comment", "updated_at"]


class YearEndDraftSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="The year reported on.")
    values = serializers.DictField(help_text="Field code → value; a draft may leave fields out.")


class YearEndSubmitSerializer(serializers.Serializer):
    values = serializers.DictField(required=False, help_text="Replaces the draft's values before submitting.")


class YearEndReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000, help_text="What the institution is to correct.")


class YearEndRateSerializer(serializers.Serializer):
    region = serializers.CharField()
    due = serializers.IntegerField(help_text="Institutions filed and not cancelled on 31 December.")
    submitted = serializers.IntegerField(help_text="Sent to the county at least once.")
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    accepted = serializers.IntegerField()
    returned = serializers.IntegerField()
    under_review = serializers.IntegerField()
    drafts = serializers.IntegerField()


class PackFigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    numerator = serializers.FloatField()
    denominator = serializers.FloatField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class PackSectionSerializer(serializers.Serializer):
    programme = serializers.CharField(help_text="The programme's app, e.g. demonstration, yearend.")
    title = serializers.CharField()
    figures = serializers.DictField(child=PackFigureSerializer(many=True), help_text="City code → figures.")


class PackSerializer(serializers.Serializer):
    region = serializers.CharField()
    year = serializers.IntegerField()
    cities = serializers.ListField(child=serializers.CharField())
    sections = PackSectionSerializer(many=True)
    yearend_rates = YearEndRateSerializer(many=True)


def _rate_data(rate: selectors.Rate) -> dict:
    return {"region": rate.code, "due": rate.due, "submitted": rate.submitted, "on_time": rate.on_time,
            "late": rate.late, "accepted": rate.accepted, "returned": rate.returned,
            "under_review": rate.under_review, "drafts": rate.drafts}


class ObligationListView(generics.ListAPIView):
    """The year-end reporting the caller's province has opened, each with its form's fields."""

    serializer_class = YearEndObligationSerializer

    def get_queryset(self):
        return (YearEndObligation.objects.visible_to(self.request.user).select_related("template")
                .prefetch_related("template__fields").order_by("-year"))

    @extend_schema(tags=TAGS, responses={200: YearEndObligationSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReportListView(generics.ListAPIView):
    """Year-end reports the caller may see; staff save their institution's draft of a year (POST)."""

    serializer_class = YearEndReportSerializer
    filterset_class = YearEndReportFilter
    parser_classes = [JSONParser]

    def get_queryset(self):
        return (YearEndReport.objects.visible_to(self.request.user).select_related("institution", "obligation")
                .order_by("-year", "institution_id"))

    @extend_schema(tags=TAGS, responses={200: YearEndReportSerializer(many=True), **LIST_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=TAGS, request=YearEndDraftSerializer, responses={200: YearEndReportSerializer,
                                                                       **WRITE_ERRORS_409})
    def post(self, request):
        require(policies.is_linked_staff(request.user), _("Only an institution's staff write its year-end report."))
        body = YearEndDraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        obligation = get_object_or_404(YearEndObligation.objects.visible_to(request.user).select_related("template"),
                                       year=body.validated_data["year"])
        report = services.yearend_report_save_draft(institution=request.user.institution, obligation=obligation,
                                                    values=body.validated_data["values"], actor=request.user)
        return Response(YearEndReportSerializer(_report(request, report.pk)).data, status=status.HTTP_200_OK)


def _report(request, pk: int) -> YearEndReport:
    return get_object_or_404(YearEndReport.objects.visible_to(request.user).select_related(
        "institution", "obligation", "template"), pk=pk)


class ReportDetailView(APIView):
    @extend_schema(tags=TAGS, responses={200: YearEndReportSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(YearEndReportSerializer(_report(request, pk)).data)


class ReportSubmitView(APIView):
    """The institution sends its report to the county (its staff)."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=YearEndSubmitSerializer,
                   responses={200: YearEndReportSerializer, **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        report = _report(request, pk)
        require(policies.is_staff_of(request.user, report.institution_id),
                _("Only the institution's own staff submit its year-end report."))
        body = YearEndSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.yearend_report_submit(report=report, values=body.validated_data.get("values"), actor=request.user)
        return Response(YearEndReportSerializer(_report(request, pk)).data)


class ReportAcceptView(APIView):
    """The county accepts the submitted report."""

    @extend_schema(tags=TAGS, request=None, responses={200: YearEndReportSerializer, **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        report = _report(request, pk)
        require(policies.reviews(request.user, report.institution),
                _("Only the institution's county decides its year-end report."))
        services.yearend_report_accept(report=report, actor=request.user)
        return Response(YearEndReportSerializer(_report(request, pk)).data)


class ReportReturnView(APIView):
    """The county returns the report with what to correct."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=YearEndReturnSerializer,
                   responses={200: YearEndReportSerializer, **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        report = _report(request, pk)
        require(policies.reviews(request.user, report.institution),
                _("Only the institution's county decides its year-end report."))
        body = YearEndReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.yearend_report_return(report=report, comment=body.validated_data["comment"], actor=request.user)
        return Response(YearEndReportSerializer(_report(request, pk)).data)


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="The year reported on.")


def _year_param(request) -> int:
    query = YearQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["year"]


class RateListView(APIView):
    """Reports due, submitted, on time, late, accepted and returned per child region of the caller's area."""

    @extend_schema(tags=TAGS, parameters=[YearQuerySerializer],
                   responses={200: YearEndRateSerializer(many=True), **LIST_ERRORS})
    def get(self, request):
        year = _year_param(request)
        if not policies.is_official_or_admin(request.user):
            return Response([])  # institution staff: no area figures
        area = policies.area_of(request.user) or ""
        rates = selectors.reporting_rates(year=year, area=area, group_length=codes.grouping_length(area)
                                          if area else 2)
        return Response([_rate_data(r) for _code, r in sorted(rates.items())])


class PackView(APIView):
    """The annual assessment pack's figures of a province (its cities) or a city: each programme's figures with
    numerator and denominator, and year-end reporting. City and province officials of the area."""

    @extend_schema(tags=TAGS, responses={200: PackSerializer, **READ_ERRORS})
    def get(self, request, code: str, year: int):
        region = get_object_or_404(Region, code=code)
        require(len(code) in (2, 4) and pack.YEARS[0] <= year <= pack.YEARS[1]
                and policies.in_area(request.user, region), outside_area=True)
        require(policies.oversees_cities(request.user), _("The assessment pack is for city and province officials."))
        data = pack.pack_data(region=region, year=year)
        return Response({
            "region": region.code, "year": year, "cities": [c.code for c in data.cities],
            "sections": [{"programme": programme, "title": title, "figures": figures}
                         for programme, title, figures in data.sections],
            "yearend_rates": [_rate_data(r) for _code, r in sorted(data.yearend_rates.items())],
        })
