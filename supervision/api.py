"""The supervision REST API: checklists, the inspector pool, rounds and their draws, inspections, rectification
orders, suspension notices, and the public disclosure of an institution's inspections.

Scope: every list and object goes through `visible_to(user)` (outside the area: 404); each workflow verb is
one small view calling one service; who may act is checked before the body is read.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from accounts.models import User
from accounts.policies import require
from institutions.models import Institution
from portal.api.schema import CONFLICT, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import validated

from . import selectors, services
from .filters import InspectionFilter
from .models import (
    Checklist,
    ChecklistItem,
    Draw,
    Inspection,
    InspectionRound,
    Inspector,
    ItemRecord,
    RectificationOrder,
    SuspensionNotice,
)

TAGS = ["supervision"]
WRITE_ERRORS_409 = {**WRITE_ERRORS, 409: CONFLICT}


# --- Serializers -----------------------------------------------------------------------------------

class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "code", "area", "text", "basis", "risk", "immediate_risk", "order"]


class ChecklistSerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = Checklist
        fields = ["id", "code", "version", "name", "notes", "is_working_definition", "created_at", "items"]


class ChecklistWriteSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=50, help_text="A new code starts at version 1; an existing one "
                                                          "gets its next version.")
    name = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    is_working_definition = serializers.BooleanField(required=False, default=False)
    # Each item is checked by the service, which names the item in its error; an item that is not an object
    # is refused here, as `items.<n>` in the one error format.
    items = serializers.ListField(child=serializers.DictField(), help_text=(
        "Items in order: {code, area, text, risk: high|medium|low, immediate_risk, basis}."))


class InspectorSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Inspector
        fields = ["id", "user", "username", "region", "affiliation", "is_active", "registered_at", "updated_at"]


class InspectorWriteSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="An official's account in the caller's area.")
    affiliation = serializers.IntegerField(required=False, allow_null=True, default=None,
                                           help_text="An institution of the caller's area.")


class DrawSerializer(serializers.ModelSerializer):
    replays = serializers.SerializerMethodField(help_text="Re-running the pure draw from the recorded seed and "
                                                          "inputs gives the recorded result.")

    class Meta:
        model = Draw
        fields = ["number", "seed", "inputs", "inputs_hash", "result", "is_current", "created_at", "replays"]

    def get_replays(self, obj) -> bool:
        return services.draw_replay(obj)


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionRound
        fields = ["id", "region", "name", "checklist", "share_percent", "risk_weighted", "inspectors_per_inspection",
                  "due_on", "seed", "status", "created_at", "updated_at"]


class RoundDetailSerializer(RoundSerializer):
    draws = DrawSerializer(many=True, read_only=True)

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "draws"]


class RoundWriteSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="A city or county code of the caller's area.")
    name = serializers.CharField(max_length=200)
    checklist = serializers.IntegerField(help_text="A checklist version's id.")
    share_percent = serializers.IntegerField(min_value=1, max_value=100)
    risk_weighted = serializers.BooleanField(required=False, default=False)
    inspectors_per_inspection = serializers.IntegerField(min_value=1, max_value=5, required=False, default=2)
    due_on = serializers.DateField()
    seed = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False, allow_null=True, default=None)


class ItemRecordSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code", read_only=True)

    class Meta:
        model = ItemRecord
        fields = ["item", "code", "outcome", "note", "recorded_at"]


class InspectionSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    inspectors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "institution", "institution_name", "kind", "round", "filing", "source", "source_reference",
                  "checklist", "mode", "inspectors", "due_on", "status", "result", "inspected_on", "signed_off_at",
                  "findings_high", "findings_medium", "findings_low", "updated_at"]


class InspectionDetailSerializer(InspectionSerializer):
    records = ItemRecordSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "reason", "summary", "records"]


class TargetedWriteSerializer(serializers.Serializer):
    institution = serializers.IntegerField()
    source = serializers.ChoiceField(choices=Inspection.Source.choices)
    reason = serializers.CharField()
    source_reference = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)
    checklist = serializers.IntegerField(required=False, allow_null=True, default=None)
    inspectors = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class RecordWriteSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="An item of the inspection's checklist version.")
    outcome = serializers.ChoiceField(choices=ItemRecord.Outcome.choices)
    note = serializers.CharField(required=False, default="", allow_blank=True)


class EvidenceWriteSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="A recorded item of the inspection.")
    file = serializers.FileField(help_text="A photo (JPEG or PNG).")


class AssignWriteSerializer(serializers.Serializer):
    inspectors = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    mode = serializers.ChoiceField(choices=Inspection.Mode.choices, required=False, allow_null=True, default=None)


class SignOffWriteSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Inspection.Mode.choices, required=False, allow_null=True, default=None)
    summary = serializers.CharField(required=False, default="", allow_blank=True)


class RectificationSerializer(serializers.ModelSerializer):
    institution = serializers.IntegerField(source="inspection.institution_id", read_only=True)

    class Meta:
        model = RectificationOrder
        fields = ["id", "inspection", "institution", "issued_on", "due_on", "status", "rectified_on", "escalated_at",
                  "updated_at"]


class AnswerWriteSerializer(serializers.Serializer):
    text = serializers.CharField()
    file = serializers.FileField(required=False, allow_null=True, default=None,
                                 help_text="Evidence: a photo or a PDF scan.")


class DecideWriteSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, default="", allow_blank=True)


class SuspensionNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SuspensionNotice
        fields = ["id", "inspection", "reason", "issued_on", "object_by", "status", "objection", "decided_at",
                  "decision_note"]


class ReasonWriteSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ObjectionWriteSerializer(serializers.Serializer):
    objection = serializers.CharField()


class SuspensionDecideWriteSerializer(serializers.Serializer):
    suspend = serializers.BooleanField()
    note = serializers.CharField(required=False, default="", allow_blank=True)


class DisclosedInspectionSerializer(serializers.Serializer):
    inspected_on = serializers.DateField()
    kind = serializers.CharField()
    result = serializers.CharField()
    findings = serializers.DictField(child=serializers.IntegerField(), help_text="Findings by risk level.")
    rectified = serializers.BooleanField(allow_null=True, help_text="Null: nothing to rectify.")
    notice_items = serializers.ListField(child=serializers.DictField(), help_text="A verification's "
                                                                                  "non-compliance notice.")


class DisclosureSerializer(serializers.Serializer):
    years = serializers.IntegerField()
    inspections = DisclosedInspectionSerializer(many=True)


def _require(allowed: bool) -> None:
    require(allowed, _("You may see this but not take this action on it."))


# --- Checklists and the pool ----------------------------------------------------------------------

class ChecklistListView(generics.ListAPIView):
    """Every checklist version with its items; POST adds a version (officials)."""

    serializer_class = ChecklistSerializer
    parser_classes = [JSONParser]
    pagination_class = None  # a handful of versions, each read whole

    def get_queryset(self):
        return Checklist.objects.visible_to(self.request.user).prefetch_related("items").order_by("code", "-version")

    @extend_schema(tags=TAGS, responses={200: ChecklistSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=TAGS, request=ChecklistWriteSerializer, responses={201: ChecklistSerializer, **WRITE_ERRORS})
    def post(self, request):
        _require(policies.is_official_or_admin(request.user))
        d = validated(ChecklistWriteSerializer, request)
        checklist = services.checklist_create_version(actor=request.user, **d)
        return Response(ChecklistSerializer(checklist).data, status=status.HTTP_201_CREATED)


class InspectorListView(generics.ListAPIView):
    """The inspector pool of the caller's area; POST registers an official (city and county officials)."""

    serializer_class = InspectorSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return Inspector.objects.visible_to(self.request.user).select_related("user").order_by("pk")

    @extend_schema(tags=TAGS, responses={200: InspectorSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=TAGS, request=InspectorWriteSerializer, responses={201: InspectorSerializer, **WRITE_ERRORS})
    def post(self, request):
        user = request.user
        _require(policies.supervises_cases(user))
        d = validated(InspectorWriteSerializer, request)
        official = get_object_or_404(User.objects.visible_to(user), pk=d["user"])
        affiliation = (get_object_or_404(Institution.objects.visible_to(user), pk=d["affiliation"])
                       if d["affiliation"] else None)
        inspector = services.inspector_register(user=official, affiliation=affiliation, actor=user)
        return Response(InspectorSerializer(inspector).data, status=status.HTTP_201_CREATED)


class InspectorWithdrawView(APIView):
    """Takes an inspector out of the pool (future draws only)."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=None, responses={200: InspectorSerializer, **WRITE_ERRORS})
    def post(self, request, pk: int):
        inspector = get_object_or_404(Inspector.objects.visible_to(request.user), pk=pk)
        _require(policies.plans_inspections(request.user, inspector.region_id))
        return Response(InspectorSerializer(services.inspector_withdraw(inspector=inspector, actor=request.user)).data)


# --- Rounds ---------------------------------------------------------------------------------------

class RoundListView(generics.ListAPIView):
    """Inspection rounds of the caller's area; POST plans one (city and county officials)."""

    serializer_class = RoundSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        return InspectionRound.objects.visible_to(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(tags=TAGS, responses={200: RoundSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=TAGS, request=RoundWriteSerializer, responses={201: RoundSerializer, **WRITE_ERRORS})
    def post(self, request):
        user = request.user
        _require(policies.supervises_cases(user))
        d = validated(RoundWriteSerializer, request)
        checklist = get_object_or_404(Checklist.objects.visible_to(user), pk=d.pop("checklist"))
        round_ = services.round_plan(region_code=d.pop("region"), checklist=checklist, actor=user, **d)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: RoundDetailSerializer, **READ_ERRORS}))
class RoundDetailView(generics.RetrieveAPIView):
    """A round with every draw: seed, inputs, result, and whether re-running it gives the same list."""

    serializer_class = RoundDetailSerializer

    def get_queryset(self):
        return InspectionRound.objects.visible_to(self.request.user).prefetch_related("draws")


class _RoundAction(APIView):
    parser_classes = [JSONParser]

    def round(self, request, pk: int) -> InspectionRound:
        round_ = get_object_or_404(InspectionRound.objects.visible_to(request.user), pk=pk)
        _require(policies.plans_inspections(request.user, round_.region_id))
        return round_


class RoundDrawView(_RoundAction):
    """Makes the draw from the recorded seed and today's inputs: 201 with a new draw when the inputs changed
    (or on the first draw), 200 with the current one when they did not (the same list)."""

    @extend_schema(tags=TAGS, request=None, responses={200: DrawSerializer, 201: DrawSerializer,
                                                       **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        drawn, created = services.round_draw(round_=self.round(request, pk), actor=request.user)
        return Response(DrawSerializer(drawn).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RoundStartView(_RoundAction):
    """Assigns the inspections of the current draw. 409 when not drawn or already started."""

    @extend_schema(tags=TAGS, request=None, responses={200: InspectionSerializer(many=True), **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        inspections = services.round_start(round_=self.round(request, pk), actor=request.user)
        return Response(InspectionSerializer(inspections, many=True).data)


# --- Inspections ----------------------------------------------------------------------------------

def _inspections(user):
    return Inspection.objects.visible_to(user).select_related("institution").prefetch_related("inspectors")


class InspectionListView(generics.ListAPIView):
    """Inspections the caller may see (filter by kind, status, institution); POST opens a targeted inspection
    (the institution's county or city)."""

    serializer_class = InspectionSerializer
    parser_classes = [JSONParser]

    filterset_class = InspectionFilter

    def get_queryset(self):
        return _inspections(self.request.user).order_by("-due_on", "-pk")

    @extend_schema(tags=TAGS, responses={200: InspectionSerializer(many=True), **READ_ERRORS, 400: WRITE_ERRORS[400]})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=TAGS, request=TargetedWriteSerializer, responses={201: InspectionSerializer,
                                                                          **WRITE_ERRORS_409})
    def post(self, request):
        user = request.user
        _require(policies.supervises_cases(user))
        d = validated(TargetedWriteSerializer, request)
        institution = get_object_or_404(Institution.objects.visible_to(user), pk=d.pop("institution"))
        checklist_id = d.pop("checklist")
        checklist = get_object_or_404(Checklist.objects.visible_to(user), pk=checklist_id) if checklist_id else None
        users = list(User.objects.filter(pk__in=d.pop("inspectors")))
        inspection = services.inspection_open_targeted(institution=institution, checklist=checklist, inspectors=users,
                                                       actor=user, **d)
        return Response(InspectionSerializer(_inspections(user).get(pk=inspection.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: InspectionDetailSerializer, **READ_ERRORS}))
class InspectionDetailView(generics.RetrieveAPIView):
    serializer_class = InspectionDetailSerializer

    def get_queryset(self):
        return _inspections(self.request.user).prefetch_related("records__item")


class _InspectionAction(APIView):
    parser_classes = [JSONParser]
    may_act = None

    def inspection(self, request, pk: int) -> Inspection:
        inspection = get_object_or_404(_inspections(request.user), pk=pk)
        _require(self.may_act(request.user, inspection))
        return inspection

    def answer(self, request, pk: int):
        return Response(InspectionDetailSerializer(_inspections(request.user).prefetch_related("records__item")
                                                   .get(pk=pk)).data)


class InspectionRecordView(_InspectionAction):
    """Records (or corrects, until sign-off) one item (the assigned inspectors)."""

    may_act = staticmethod(policies.inspects)

    @extend_schema(tags=TAGS, request=RecordWriteSerializer, responses={200: InspectionDetailSerializer,
                                                                        **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        inspection = self.inspection(request, pk)
        d = validated(RecordWriteSerializer, request)
        item = get_object_or_404(inspection.checklist.items, pk=d.pop("item"))
        services.item_record(inspection=inspection, item=item, actor=request.user, **d)
        return self.answer(request, pk)


class InspectionEvidenceView(_InspectionAction):
    """Adds a photo to a recorded item, through the portal's safe upload checks (the assigned inspectors)."""

    may_act = staticmethod(policies.inspects)
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(tags=TAGS, request={"multipart/form-data": EvidenceWriteSerializer},
                   responses={201: OpenApiResponse(description="Stored."), **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        inspection = self.inspection(request, pk)
        d = validated(EvidenceWriteSerializer, request)
        record = get_object_or_404(inspection.records, item_id=d["item"])
        evidence = services.evidence_add(record=record, file=d["file"], actor=request.user)
        return Response({"id": evidence.pk, "sha256": evidence.sha256}, status=status.HTTP_201_CREATED)


class InspectionAssignView(_InspectionAction):
    """Sets the inspectors of a verification or targeted inspection (the institution's county or city)."""

    may_act = staticmethod(lambda user, inspection: policies.supervises(user, inspection.institution))

    @extend_schema(tags=TAGS, request=AssignWriteSerializer, responses={200: InspectionDetailSerializer,
                                                                        **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        inspection = self.inspection(request, pk)
        d = validated(AssignWriteSerializer, request)
        services.inspection_assign(inspection=inspection, inspectors=list(User.objects.filter(pk__in=d["inspectors"])),
                                   mode=d["mode"], actor=request.user)
        return self.answer(request, pk)


class InspectionSignOffView(_InspectionAction):
    """Signs off once every item is recorded; findings make the rectification order (the assigned inspectors)."""

    may_act = staticmethod(policies.inspects)

    @extend_schema(tags=TAGS, request=SignOffWriteSerializer, responses={200: InspectionDetailSerializer,
                                                                         **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        inspection = self.inspection(request, pk)
        services.inspection_sign_off(inspection=inspection, actor=request.user, **validated(SignOffWriteSerializer,
                                                                                          request))
        return self.answer(request, pk)


class InspectionSuspensionNoticeView(_InspectionAction):
    """Notice of suspension after an immediate-risk finding (the filing county)."""

    may_act = staticmethod(lambda user, inspection: policies.suspends(user, inspection.institution))

    @extend_schema(tags=TAGS, request=ReasonWriteSerializer, responses={201: SuspensionNoticeSerializer,
                                                                        **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        inspection = self.inspection(request, pk)
        notice = services.suspension_notice_issue(inspection=inspection, actor=request.user,
                                                  **validated(ReasonWriteSerializer, request))
        return Response(SuspensionNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)


# --- Rectification and suspension notices ---------------------------------------------------------

class RectificationListView(generics.ListAPIView):
    """Rectification orders the caller may see, deadline first."""

    serializer_class = RectificationSerializer

    def get_queryset(self):
        return (RectificationOrder.objects.visible_to(self.request.user).select_related("inspection")
                .order_by("due_on", "pk"))

    @extend_schema(tags=TAGS, responses={200: RectificationSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _order(request, pk: int) -> RectificationOrder:
    return get_object_or_404(RectificationOrder.objects.visible_to(request.user).select_related(
        "inspection__institution"), pk=pk)


class RectificationAnswerView(APIView):
    """The institution's answer, with an optional photo or scan (its staff)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(tags=TAGS, request={"multipart/form-data": AnswerWriteSerializer},
                   responses={200: RectificationSerializer, **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        order = _order(request, pk)
        _require(policies.is_staff_of(request.user, order.inspection.institution_id))
        d = validated(AnswerWriteSerializer, request)
        services.rectification_answer(order=order, text=d["text"], files=[d["file"]] if d["file"] else [],
                                      actor=request.user)
        return Response(RectificationSerializer(_order(request, pk)).data)


class RectificationDecideView(APIView):
    """The inspector accepts the answer or reopens the order (the inspection's inspectors)."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=DecideWriteSerializer, responses={200: RectificationSerializer,
                                                                        **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        order = _order(request, pk)
        _require(policies.inspects(request.user, order.inspection))
        services.rectification_decide(order=order, actor=request.user, **validated(DecideWriteSerializer, request))
        return Response(RectificationSerializer(_order(request, pk)).data)


def _notice(request, pk: int) -> SuspensionNotice:
    return get_object_or_404(SuspensionNotice.objects.visible_to(request.user).select_related(
        "inspection__institution"), pk=pk)


class SuspensionObjectView(APIView):
    """The institution objects within the period (its staff)."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=ObjectionWriteSerializer, responses={200: SuspensionNoticeSerializer,
                                                                           **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        notice = _notice(request, pk)
        _require(policies.is_staff_of(request.user, notice.inspection.institution_id))
        notice = services.suspension_notice_object(notice=notice, actor=request.user,
                                                   **validated(ObjectionWriteSerializer, request))
        return Response(SuspensionNoticeSerializer(notice).data)


class SuspensionDecideView(APIView):
    """The county suspends (through the registry's suspension) or withdraws the notice (the filing county)."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=SuspensionDecideWriteSerializer, responses={200: SuspensionNoticeSerializer,
                                                                                  **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        notice = _notice(request, pk)
        _require(policies.suspends(request.user, notice.inspection.institution))
        notice = services.suspension_notice_decide(notice=notice, actor=request.user,
                                                   **validated(SuspensionDecideWriteSerializer, request))
        return Response(SuspensionNoticeSerializer(notice).data)


# --- Disclosure -----------------------------------------------------------------------------------

class DisclosureView(APIView):
    """The public register's disclosure of a listed institution's inspections (一公开): no account needed;
    never a person, a note or a photo."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(tags=TAGS, responses={200: DisclosureSerializer, 404: READ_ERRORS[404]}, auth=[])
    def get(self, request, pk: int):
        institution = get_object_or_404(Institution.objects.publicly_listed(), pk=pk)
        return Response(DisclosureSerializer(selectors.public_inspections(institution)).data)

