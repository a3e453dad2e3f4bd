"""REST API for enrolment records (/api/v1/).

Children and enrolments: the institution's own staff only (anyone else: 404, because visible_to
hides them). Officials get aggregates only: occupancy and report completeness, never names.
Guardians' requests and bulk-export approvals: the institution's staff and administrators, through the
same services as the pages.
"""

from __future__ import annotations

import datetime
import re

import django_filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from institutions.models import InstitutionClass
from portal.api.filters import MAX_ID, IdFilter
from portal.api.pagination import LongListCursorPagination, PagePagination
from portal.api.schema import CONFLICT, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import StrictCharField, StrictIntegerField

from . import exporting, importing, requests, selectors, services
from .models import (
    CareForm,
    Child,
    ConsentMethod,
    Enrolment,
    EnrolmentReport,
    ExportApproval,
    Guardian,
    GuardianRequest,
    ImportJob,
    LeavingReason,
)


class IsInstitutionStaff(BasePermission):
    message = "Only the staff of an institution may do this."

    def has_permission(self, request, view):
        return policies.is_linked_staff(request.user) or policies.is_admin(request.user)


class IsOfficial(BasePermission):
    message = "Only officials may read aggregates of an area."

    def has_permission(self, request, view):
        return policies.is_official_or_admin(request.user)


def _region_of(request) -> str:
    user = request.user
    code = request.query_params.get("region", "13")
    if not re.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{9}", code):
        raise serializers.ValidationError({"region": ["A division code of 2, 4, 6 or 9 digits."]})
    return code if policies.is_admin(user) else user.region_id


# --- Serializers ----------------------------------------------------------------------------------

class GuardianSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guardian
        fields = ["name", "relation", "phone"]


class ConsentSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=ConsentMethod.choices, source="consent_method",
                                     help_text="How the guardian consented: written or electronic.")
    given_on = serializers.DateField(source="consent_given_on")
    guardian_name = serializers.CharField(max_length=100, source="consent_guardian_name",
                                          help_text="The guardian who consented (one of `guardians`).")
    guardian_relation = serializers.ChoiceField(choices=Guardian.Relation.choices, required=False,
                                                source="consent_guardian_relation")


class ChildSerializer(serializers.ModelSerializer):
    guardians = GuardianSerializer(many=True, read_only=True)
    document_masked = serializers.CharField(read_only=True)
    consent = serializers.SerializerMethodField(help_text="null: consent not recorded (a record kept before "
                                                          "consent was recorded).")

    class Meta:
        model = Child
        fields = ["id", "name", "sex", "date_of_birth", "document_type", "document_masked", "guardians", "consent",
                  "created_at"]

    @extend_schema_field(ConsentSerializer(allow_null=True))
    def get_consent(self, child):
        return ConsentSerializer(child).data if child.consent_recorded else None


class ChildCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    sex = serializers.ChoiceField(choices=Child._meta.get_field("sex").choices)
    date_of_birth = serializers.DateField()
    document_type = serializers.ChoiceField(choices=Child.DocumentType.choices, default=Child.DocumentType.RESIDENT_ID)
    document_number = serializers.CharField(max_length=30, write_only=True)
    guardians = GuardianSerializer(many=True, required=False)
    consent = ConsentSerializer(help_text="The guardian's consent to keeping the child's data; required.")


class EnrolmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["id", "child", "institution", "klass", "care_form", "start_date", "end_date", "leaving_reason",
                  "leaving_note", "previous", "created_at"]
        read_only_fields = fields


class EnrolmentCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField()
    klass = serializers.IntegerField()
    care_form = serializers.ChoiceField(choices=CareForm.choices)
    start_date = serializers.DateField()


class MoveSerializer(serializers.Serializer):
    klass = serializers.IntegerField()
    on = serializers.DateField()


class EndSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    reason = serializers.ChoiceField(choices=[c for c in LeavingReason.choices if c[0] != "class_change"])
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    klass = serializers.IntegerField(required=False, help_text="For a class list: the class of rows naming none.")


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = ["id", "filename", "status", "total_rows", "processed_rows", "children_created",
                  "enrolments_created", "rows_unchanged", "errors", "created_at", "finished_at"]


ImportErrorResponse = inline_serializer(name="ImportRowErrors", fields={
    "error": inline_serializer(name="ImportRowErrorsBody", fields={
        "code": serializers.CharField(), "message": serializers.CharField(),
        "rows": inline_serializer(name="ImportRowError", many=True, fields={
            "row": serializers.IntegerField(), "column": serializers.CharField(),
            "message": serializers.CharField()}),
    })})


class ReportSerializer(serializers.ModelSerializer):
    on_time = serializers.BooleanField(read_only=True)

    class Meta:
        model = EnrolmentReport
        fields = ["id", "institution", "period_start", "period_end", "due_on", "status", "figures", "enrolled",
                  "places", "staff", "confirmed_at", "submitted_at", "submitted_on", "on_time"]
        read_only_fields = fields


class ReportCreateSerializer(serializers.Serializer):
    period_start = serializers.DateField(help_text="First day of an ended reporting period.")


class AreaOccupancySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    institutions = serializers.IntegerField()
    places = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    utilisation = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True,
                                           help_text="Percent; null when the area has no places.")


class AreaReportingSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    expected = serializers.IntegerField()
    actual = serializers.IntegerField()
    on_time = serializers.IntegerField()
    reporting_rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    on_time_rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)


class CompletenessSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_on = serializers.DateField()
    areas = AreaReportingSerializer(many=True)
    total = AreaReportingSerializer()


class OccupancySerializer(serializers.Serializer):
    on = serializers.DateField()
    areas = AreaOccupancySerializer(many=True)
    total = AreaOccupancySerializer()


# --- Filters --------------------------------------------------------------------------------------

class EnrolmentFilter(django_filters.FilterSet):
    active_on = django_filters.DateFilter(method="filter_active_on", label="Enrolled on this date")
    klass = IdFilter(field_name="klass_id", label="Class id")
    child = IdFilter(field_name="child_id", label="Child id")

    class Meta:
        model = Enrolment
        fields = ["klass", "care_form", "child"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class ChildFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Child
        fields = ["name", "sex"]


class ReportFilter(django_filters.FilterSet):
    institution = IdFilter(field_name="institution_id", label="Institution id")

    class Meta:
        model = EnrolmentReport
        fields = ["period_start", "status", "institution"]


# --- Views ----------------------------------------------------------------------------------------

def _consent(data: dict) -> dict:
    return {"method": data["consent_method"], "given_on": data["consent_given_on"],
            "guardian_name": data["consent_guardian_name"],
            "guardian_relation": data.get("consent_guardian_relation", "")}


@extend_schema(tags=["enrolments"])
class ChildListCreate(generics.ListCreateAPIView):
    """Children recorded by the caller's institution (staff only; officials get an empty list)."""

    serializer_class = ChildSerializer
    filterset_class = ChildFilter
    pagination_class = LongListCursorPagination

    def get_queryset(self):
        return Child.objects.visible_to(self.request.user).prefetch_related("guardians")

    @extend_schema(responses={200: ChildSerializer(many=True), **READ_ERRORS, 400: WRITE_ERRORS[400]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ChildCreateSerializer, responses={201: ChildSerializer, **WRITE_ERRORS})
    def post(self, request, *args, **kwargs):
        if not IsInstitutionStaff().has_permission(request, self) or not request.user.institution_id:
            self.permission_denied(request, message=IsInstitutionStaff.message)
        data = ChildCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        child = services.child_register(
            institution=request.user.institution, name=v["name"], sex=v["sex"], date_of_birth=v["date_of_birth"],
            document_type=v["document_type"], document_number=v["document_number"],
            guardians=v.get("guardians", []), consent=_consent(v["consent"]), actor=request.user)
        return Response(ChildSerializer(child).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["enrolments"], responses={200: ChildSerializer, **READ_ERRORS})
class ChildDetail(generics.RetrieveAPIView):
    """One child's record; reading it writes an audit row (child.view)."""

    serializer_class = ChildSerializer

    def get_queryset(self):
        return Child.objects.visible_to(self.request.user).select_related("institution").prefetch_related("guardians")

    def retrieve(self, request, *args, **kwargs):
        child = self.get_object()
        with transaction.atomic():
            services.child_record_view(child=child, actor=request.user)
        return Response(self.get_serializer(child).data)


@extend_schema(tags=["enrolments"])
class EnrolmentListCreate(generics.ListCreateAPIView):
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter
    pagination_class = LongListCursorPagination

    def get_queryset(self):
        return Enrolment.objects.visible_to(self.request.user)

    @extend_schema(responses={200: EnrolmentSerializer(many=True), **READ_ERRORS, 400: WRITE_ERRORS[400]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=EnrolmentCreateSerializer, responses={201: EnrolmentSerializer, **WRITE_ERRORS})
    def post(self, request, *args, **kwargs):
        if not IsInstitutionStaff().has_permission(request, self):
            self.permission_denied(request, message=IsInstitutionStaff.message)
        data = EnrolmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        child = get_object_or_404(Child.objects.visible_to(request.user), pk=v["child"])
        klass = get_object_or_404(InstitutionClass.objects.filter(institution_id=child.institution_id), pk=v["klass"])
        enrolment = services.enrolment_create(child=child, klass=klass, care_form=v["care_form"],
                                              start_date=v["start_date"], actor=request.user)
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["enrolments"], responses={200: EnrolmentSerializer, **READ_ERRORS})
class EnrolmentDetail(generics.RetrieveAPIView):
    serializer_class = EnrolmentSerializer

    def get_queryset(self):
        return Enrolment.objects.visible_to(self.request.user)


@extend_schema(tags=["enrolments"], request=MoveSerializer, responses={201: EnrolmentSerializer, **WRITE_ERRORS})
class EnrolmentMove(APIView):
    """Moves the child to another class from a date; returns the new enrolment."""

    def post(self, request, pk):
        enrolment = get_object_or_404(Enrolment.objects.visible_to(request.user), pk=pk)
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        klass = get_object_or_404(InstitutionClass.objects.filter(institution_id=enrolment.institution_id),
                                  pk=data.validated_data["klass"])
        moved = services.enrolment_move_class(enrolment=enrolment, klass=klass, on=data.validated_data["on"],
                                              actor=request.user)
        return Response(EnrolmentSerializer(moved).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["enrolments"], request=EndSerializer, responses={200: EnrolmentSerializer, **WRITE_ERRORS})
class EnrolmentEnd(APIView):
    """Withdraws the child (sets the leaving date and reason); nothing is deleted."""

    def post(self, request, pk):
        enrolment = get_object_or_404(Enrolment.objects.visible_to(request.user), pk=pk)
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        ended = services.enrolment_end(enrolment=enrolment, end_date=v["end_date"], reason=v["reason"],
                                       note=v.get("note", ""), actor=request.user)
        return Response(EnrolmentSerializer(ended).data)


@extend_schema(tags=["enrolments"], request={"multipart/form-data": ImportUploadSerializer},
               responses={201: ImportJobSerializer,
                          400: OpenApiResponse(ImportErrorResponse,
                                               description="Nothing imported; `rows` lists row, column and message."),
                          **{k: v for k, v in WRITE_ERRORS.items() if k != 400}})
class EnrolmentImport(APIView):
    """Imports a CSV or XLSX list, all or nothing, synchronously; the same file twice changes nothing."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [IsInstitutionStaff]

    def post(self, request):
        from django.conf import settings

        if not request.user.institution_id:
            self.permission_denied(request, message=IsInstitutionStaff.message)
        data = ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError({"file": "The file is too large."})
        klass = None
        if data.validated_data.get("klass"):
            klass = get_object_or_404(InstitutionClass.objects.filter(institution_id=request.user.institution_id),
                                      pk=data.validated_data["klass"])
        job = importing.import_job_create(institution=request.user.institution, upload=upload, klass=klass,
                                          actor=request.user)
        job = importing.import_execute(job, actor=request.user)
        if job.status != ImportJob.Status.DONE:
            first = job.errors[0] if job.errors else {"row": 0, "column": "", "message": ""}
            return Response({"error": {"code": "import_rejected",
                                       "message": f"row {first['row']} {first['column']}: {first['message']}",
                                       "rows": job.errors}}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["enrolments"])
class ReportListCreate(generics.ListCreateAPIView):
    """Periodic enrolment reports: staff see and prepare their own; officials list those of their area."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    pagination_class = PagePagination

    def get_queryset(self):
        return EnrolmentReport.objects.visible_to(self.request.user).order_by("-period_start", "institution_id")

    @extend_schema(responses={200: ReportSerializer(many=True), **READ_ERRORS, 400: WRITE_ERRORS[400]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportSerializer, **WRITE_ERRORS})
    def post(self, request, *args, **kwargs):
        if not IsInstitutionStaff().has_permission(request, self) or not request.user.institution_id:
            self.permission_denied(request, message=IsInstitutionStaff.message)
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_prepare(institution=request.user.institution,
                                         period_start=data.validated_data["period_start"], actor=request.user)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class _ReportVerb(APIView):
    permission_classes = [IsInstitutionStaff]
    service = None

    def post(self, request, pk):
        report = get_object_or_404(EnrolmentReport.objects.visible_to(request.user), pk=pk)
        report = type(self).service(report=report, actor=request.user)
        return Response(ReportSerializer(report).data)


@extend_schema(tags=["enrolments"], request=None, responses={200: ReportSerializer, **WRITE_ERRORS})
class ReportConfirm(_ReportVerb):
    """Staff confirm the prepared figures."""

    service = staticmethod(services.report_confirm)


@extend_schema(tags=["enrolments"], request=None, responses={200: ReportSerializer, **WRITE_ERRORS})
class ReportSubmit(_ReportVerb):
    """Staff submit the confirmed report to the filing authority."""

    service = staticmethod(services.report_submit)


@extend_schema(tags=["enrolments"], parameters=[
    OpenApiParameter("period_start", OpenApiTypes.DATE, description="First day of the period (default: the last "
                     "ended period)"),
    OpenApiParameter("region", OpenApiTypes.STR, pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9})$",
                     description="Administrators only: the area (default 13)")],
    responses={200: CompletenessSerializer, **{**READ_ERRORS, 400: WRITE_ERRORS[400]}})
class ReportCompleteness(APIView):
    """Expected, actual and on-time reports per area for a period (officials of the area)."""

    permission_classes = [IsOfficial]

    def get(self, request):
        region = _region_of(request)
        setting = services.reporting_setting(region)
        raw = request.query_params.get("period_start")
        try:
            day = datetime.date.fromisoformat(raw) if raw is not None else services.recent_periods(
                setting, timezone.localdate(), 1)[0][0]
        except ValueError as exc:
            raise ValidationError({"period_start": "Use a date such as 2024-01-01."}) from exc
        try:
            start, end = services.period_containing(setting, day)
            due_on = end + datetime.timedelta(days=setting.grace_days)
        except OverflowError as exc:
            raise ValidationError({"period_start": "This date is out of range."}) from exc
        rows = selectors.report_completeness(region, start, end)
        total = selectors.total_row(rows, region, "total")
        return Response(CompletenessSerializer({
            "period_start": start, "period_end": end, "due_on": due_on,
            "areas": rows, "total": total}).data)


@extend_schema(tags=["enrolments"], parameters=[
    OpenApiParameter("on", OpenApiTypes.DATE, description="Snapshot date (default today)"),
    OpenApiParameter("region", OpenApiTypes.STR, pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9})$",
                     description="Administrators only: the area (default 13)")],
    responses={200: OccupancySerializer, **{**READ_ERRORS, 400: WRITE_ERRORS[400]}})
class Occupancy(APIView):
    """Places, enrolled children and utilisation per area for officials — aggregates only, no names."""

    permission_classes = [IsOfficial]

    def get(self, request):
        region = _region_of(request)
        raw = request.query_params.get("on")
        try:
            on = datetime.date.fromisoformat(raw) if raw is not None else timezone.localdate()
        except ValueError as exc:
            raise ValidationError({"on": "Use a date such as 2024-01-01."}) from exc
        rows = selectors.occupancy_by_area(region, on)
        return Response(OccupancySerializer({"on": on, "areas": rows,
                                             "total": selectors.total_row(rows, region, "total")}).data)


# --- Guardians' requests and bulk-export approvals (docs/privacy.md) -------------------------------
# The same services as the pages (requests.py, exporting.py); the lists are `visible_to`, so officials get
# empty lists and a foreign object is a 404. No child's name or number appears here: a request names its
# child by id, which only the institution's own staff can open.

# "GuardianRequest" is already the request body of GuardianSerializer (the schema splits request bodies).
@extend_schema_serializer(component_name="GuardianDataRequest")
class GuardianRequestSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField(help_text="Open and past its answer day.")

    class Meta:
        model = GuardianRequest
        fields = ["id", "institution", "child", "kind", "requested_on", "requester_name", "requester_relation",
                  "details", "due_on", "status", "overdue", "answer", "answered_at", "answered_by", "recorded_by",
                  "recorded_at"]
        read_only_fields = fields

    def get_overdue(self, item) -> bool:
        return item.is_overdue(timezone.localdate())


class GuardianRequestCreateSerializer(serializers.Serializer):
    child = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text="A child of the caller's institution.")
    kind = serializers.ChoiceField(choices=GuardianRequest.Kind.choices)
    requested_on = serializers.DateField(help_text="The day the institution received the request (not in the future).")
    requester_name = StrictCharField(max_length=100)
    requester_relation = serializers.ChoiceField(choices=Guardian.Relation.choices)
    details = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class GuardianRequestAnswerSerializer(serializers.Serializer):
    answer = StrictCharField(max_length=2000, help_text="The answer given to the guardian.")
    name = StrictCharField(max_length=100, required=False, allow_blank=True,
                           help_text="A correction request only: the corrected name.")
    sex = serializers.ChoiceField(choices=Child._meta.get_field("sex").choices, required=False,
                                  help_text="A correction request only: the corrected sex.")
    date_of_birth = serializers.DateField(required=False,
                                          help_text="A correction request only: the corrected date of birth.")


class GuardianRequestFilter(django_filters.FilterSet):
    child = IdFilter(field_name="child_id", label="Child id")

    class Meta:
        model = GuardianRequest
        fields = ["status", "kind", "child"]


@extend_schema(tags=["enrolments"])
class GuardianRequestListCreate(generics.ListCreateAPIView):
    """Guardians' requests to see, correct or delete a child's data: the institution's own (staff and
    administrators; anyone else gets an empty list); recording one is the institution's staff's."""

    serializer_class = GuardianRequestSerializer
    filterset_class = GuardianRequestFilter
    pagination_class = PagePagination
    # JSON only: the strict fields tell a number from text, which a form body cannot.
    parser_classes = [JSONParser]

    def get_queryset(self):
        return GuardianRequest.objects.visible_to(self.request.user)

    @extend_schema(responses={200: GuardianRequestSerializer(many=True), **READ_ERRORS, 400: WRITE_ERRORS[400]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=GuardianRequestCreateSerializer,
                   responses={201: GuardianRequestSerializer, **WRITE_ERRORS, 409: CONFLICT})
    def post(self, request, *args, **kwargs):
        # Refuse officials before reading the body: a 400 would tell them the endpoint is theirs.
        if not IsInstitutionStaff().has_permission(request, self):
            self.permission_denied(request, message=IsInstitutionStaff.message)
        data = GuardianRequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        child = get_object_or_404(Child.objects.visible_to(request.user), pk=v["child"])
        item = requests.guardian_request_record(
            child=child, kind=v["kind"], requested_on=v["requested_on"], requester_name=v["requester_name"],
            requester_relation=v["requester_relation"], details=v.get("details", ""), actor=request.user)
        return Response(GuardianRequestSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["enrolments"], responses={200: GuardianRequestSerializer, **READ_ERRORS})
class GuardianRequestDetail(generics.RetrieveAPIView):
    serializer_class = GuardianRequestSerializer

    def get_queryset(self):
        return GuardianRequest.objects.visible_to(self.request.user)


@extend_schema(tags=["enrolments"], request=GuardianRequestAnswerSerializer,
               responses={200: GuardianRequestSerializer, **WRITE_ERRORS, 409: CONFLICT})
class GuardianRequestAnswer(APIView):
    """Records the answer; a correction applies `name`, `sex`, `date_of_birth`, a deletion erases the
    child's data (refused while the child attends). Answered already: 409."""

    parser_classes = [JSONParser]

    def post(self, request, pk):
        item = get_object_or_404(GuardianRequest.objects.visible_to(request.user), pk=pk)
        data = GuardianRequestAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        corrections = {name: v[name] for name in services.CORRECTABLE if v.get(name)}
        item = requests.guardian_request_answer(request=item, answer=v["answer"], corrections=corrections,
                                                actor=request.user)
        return Response(GuardianRequestSerializer(item).data)


class ExportApprovalSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True,
                                       default=None)

    class Meta:
        model = ExportApproval
        fields = ["id", "institution", "requested_by", "requested_at", "purpose", "format", "rows", "status",
                  "decided_by", "decided_at", "downloaded_at"]
        read_only_fields = fields


class ExportApprovalFilter(django_filters.FilterSet):
    class Meta:
        model = ExportApproval
        fields = ["status"]


@extend_schema(tags=["enrolments"], responses={200: ExportApprovalSerializer(many=True), **READ_ERRORS,
                                               400: WRITE_ERRORS[400]})
class ExportApprovalList(generics.ListAPIView):
    """Bulk exports of children's data asked for at the caller's institution (`?status=pending`: those
    waiting for a second person). Staff and administrators; anyone else gets an empty list."""

    serializer_class = ExportApprovalSerializer
    filterset_class = ExportApprovalFilter
    pagination_class = PagePagination

    def get_queryset(self):
        return ExportApproval.objects.visible_to(self.request.user).select_related("requested_by", "decided_by")


class _ExportDecision(APIView):
    approve = True

    def post(self, request, pk):
        approval = get_object_or_404(ExportApproval.objects.visible_to(request.user).select_related("institution"),
                                     pk=pk)
        approval = exporting.export_approval_decide(approval=approval, approve=self.approve, actor=request.user)
        return Response(ExportApprovalSerializer(approval).data)


@extend_schema(tags=["enrolments"], request=None,
               responses={200: ExportApprovalSerializer, **WRITE_ERRORS, 409: CONFLICT})
class ExportApprovalApprove(_ExportDecision):
    """A second person (another member of the institution's staff, or an administrator — not the requester,
    403) approves the bulk export; the requester then downloads it once on the export page. Decided: 409."""

    approve = True


@extend_schema(tags=["enrolments"], request=None,
               responses={200: ExportApprovalSerializer, **WRITE_ERRORS, 409: CONFLICT})
class ExportApprovalRefuse(_ExportDecision):
    """A second person refuses the bulk export (as for approving). Decided: 409."""

    approve = False
