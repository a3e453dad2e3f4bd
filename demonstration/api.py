"""The demonstration-city creation REST API: the standard and its versions, cities' creations with their figures,
the city's evidence, notes and submission, the province's scores, return and finish, and the year's ranking.

Scope: the officials of a city and of its province (and administrators) read its creation; anyone else gets a
404. Writes go through demonstration.services, like the pages (ValidationError → 400 naming the field, a state
that refuses the act → 409).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from accounts.policies import require
from portal.api.schema import BAD_REQUEST, CONFLICT, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import StrictCharField, validated
from regions import codes

from . import selectors, services
from .filters import CreationFilter
from .models import Creation, CreationEvidence, CreationStandard, Criterion, CriterionEntry, CriterionGroup
from .views import takes_part

TAGS = ["demonstration"]
YEAR_SCHEMA = {"type": "integer", "minimum": 2000, "maximum": 2100}
LIST_ERRORS = {**READ_ERRORS, 400: BAD_REQUEST}
WRITE_ERRORS_409 = {**WRITE_ERRORS, 409: CONFLICT}


# --- Serializers -----------------------------------------------------------------------------------

class CreationCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "code", "text", "max_points", "evidence_required", "order"]


class CreationCriterionGroupSerializer(serializers.ModelSerializer):
    criteria = CreationCriterionSerializer(many=True, read_only=True)

    class Meta:
        model = CriterionGroup
        fields = ["id", "code", "name", "order", "criteria"]


class CreationStandardSerializer(serializers.ModelSerializer):
    groups = CreationCriterionGroupSerializer(many=True, read_only=True)

    class Meta:
        model = CreationStandard
        fields = ["id", "code", "version", "name", "edition", "notes", "is_working_definition", "met_percent",
                  "created_at", "groups"]


class StrictSlugField(StrictCharField, serializers.SlugField):
    """A slug that must arrive as a JSON string."""


class StrictCityField(StrictCharField, serializers.RegexField):
    """A city code that must arrive as a JSON string."""


@extend_schema_field({"type": "string", "pattern": r"^\d{1,4}(\.\d)?$", "example": "4.5"})
class PointsField(serializers.DecimalField):
    """Points with one decimal at most, sent as a string ("4.5"), as the portal shows them."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=5, decimal_places=1, min_value=0, **kwargs)


class CreationCriterionWriteSerializer(serializers.Serializer):
    code = StrictCharField(max_length=20)
    text = StrictCharField(max_length=300)
    max_points = PointsField()
    evidence_required = StrictCharField(max_length=300)


class CreationGroupWriteSerializer(serializers.Serializer):
    code = StrictCharField(max_length=20)
    name = StrictCharField(max_length=100)
    criteria = CreationCriterionWriteSerializer(many=True, allow_empty=False)


class CreationStandardWriteSerializer(serializers.Serializer):
    code = StrictSlugField(max_length=50)
    name = StrictCharField(max_length=200)
    edition = StrictCharField(max_length=100, required=False, default="", allow_blank=True)
    notes = StrictCharField(required=False, default="", allow_blank=True)
    met_percent = serializers.IntegerField(min_value=1, max_value=100, required=False, default=80)
    is_working_definition = serializers.BooleanField(required=False, default=False)
    groups = CreationGroupWriteSerializer(many=True, allow_empty=False)


class CreationEntrySerializer(serializers.ModelSerializer):
    criterion_code = serializers.CharField(source="criterion.code", read_only=True)
    max_points = serializers.DecimalField(source="criterion.max_points", max_digits=5, decimal_places=1,
                                          read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = CriterionEntry
        fields = ["criterion", "criterion_code", "max_points", "note", "points", "comment", "scored_at", "evidence"]

    @extend_schema_field(inline_serializer("CreationEvidenceFile", {
        "id": serializers.IntegerField(), "name": serializers.CharField(), "content_type": serializers.CharField(),
        "size": serializers.IntegerField(), "sha256": serializers.CharField(),
        "uploaded_at": serializers.DateTimeField()}, many=True))
    def get_evidence(self, obj) -> list[dict]:
        return [{"id": e.pk, "name": e.original_name, "content_type": e.content_type, "size": e.size,
                 "sha256": e.sha256, "uploaded_at": e.uploaded_at.isoformat()}
                for e in self.context.get("evidence", {}).get(obj.criterion_id, [])]


class CreationSerializer(serializers.ModelSerializer):
    city_name = serializers.CharField(source="city.name", read_only=True)
    standard_version = serializers.IntegerField(source="standard.version", read_only=True)
    score = serializers.DecimalField(max_digits=7, decimal_places=1, read_only=True)
    max_score = serializers.DecimalField(max_digits=7, decimal_places=1, read_only=True)
    criteria = serializers.IntegerField(read_only=True)
    criteria_met = serializers.IntegerField(read_only=True)
    criteria_evidenced = serializers.IntegerField(read_only=True)

    class Meta:
        model = Creation
        fields = ["id", "city", "city_name", "year", "standard", "standard_version", "status", "note",
                  "return_comment", "total_points", "score", "max_score", "criteria", "criteria_met",
                  "criteria_evidenced", "submitted_at", "scored_at", "updated_at"]


class CreationDetailSerializer(CreationSerializer):
    entries = serializers.SerializerMethodField()

    class Meta(CreationSerializer.Meta):
        fields = [*CreationSerializer.Meta.fields, "entries"]

    @extend_schema_field(CreationEntrySerializer(many=True))
    def get_entries(self, obj) -> list[dict]:
        return CreationEntrySerializer(obj.entry_rows, many=True, context=self.context).data


class CreationOpenSerializer(serializers.Serializer):
    city = StrictCityField(r"^\d{4}$", help_text="The city's code (4 digits).")
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class CreationEvidenceWriteSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(help_text="A criterion of the creation's standard version.")
    file = serializers.FileField(help_text="A PDF, JPEG or PNG document.")


class CreationNoteWriteSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    note = StrictCharField(max_length=2000, allow_blank=True)


class CreationSubmitWriteSerializer(serializers.Serializer):
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, allow_null=True, default=None)


class CreationScoreWriteSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    points = PointsField()
    comment = StrictCharField(max_length=2000, required=False, default="", allow_blank=True)


class CreationReturnWriteSerializer(serializers.Serializer):
    comment = StrictCharField(max_length=2000)


class CreationRankingRowSerializer(serializers.Serializer):
    creation = serializers.IntegerField(source="pk")
    city = serializers.CharField(source="city_id")
    city_name = serializers.CharField(source="city.name")
    year = serializers.IntegerField()
    rank = serializers.IntegerField()
    ranked = serializers.IntegerField()
    total_points = serializers.DecimalField(max_digits=6, decimal_places=1)
    max_score = serializers.DecimalField(max_digits=7, decimal_places=1)
    criteria_met = serializers.IntegerField()
    criteria = serializers.IntegerField()


# --- Views -----------------------------------------------------------------------------------------

def _creations(user):
    return selectors.with_figures(Creation.objects.visible_to(user)).select_related("city", "standard")


def _detail(request, creation: Creation) -> dict:
    row = _creations(request.user).get(pk=creation.pk)
    row.entry_rows = list(CriterionEntry.objects.filter(creation=creation).select_related("criterion")
                          .order_by("criterion__order"))
    evidence: dict[int, list] = {}
    for e in CreationEvidence.objects.filter(creation=creation).order_by("uploaded_at", "pk"):
        evidence.setdefault(e.criterion_id, []).append(e)
    return CreationDetailSerializer(row, context={"evidence": evidence}).data


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: CreationStandardSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(tags=TAGS, request=CreationStandardWriteSerializer, responses={201: CreationStandardSerializer,
                                                                              **WRITE_ERRORS}),
)
class StandardListView(generics.ListAPIView):
    """Every version of the creation standard with its groups and criteria; POST adds a new version (province
    officials, administrators). Creations keep the version they were opened with."""

    serializer_class = CreationStandardSerializer
    pagination_class = None
    parser_classes = [JSONParser]

    def get_queryset(self):
        return CreationStandard.objects.visible_to(self.request.user).order_by("code", "-version").prefetch_related(
            Prefetch("groups", queryset=CriterionGroup.objects.order_by("order").prefetch_related(
                Prefetch("criteria", queryset=Criterion.objects.order_by("order")))))

    def post(self, request):
        require(policies.edits_creation_standard(request.user))
        body = validated(CreationStandardWriteSerializer, request)
        standard = services.standard_create_version(
            code=body["code"], name=body["name"], edition=body["edition"], notes=body["notes"],
            met_percent=body["met_percent"], is_working_definition=body["is_working_definition"],
            groups=[{**g, "criteria": [dict(c) for c in g["criteria"]]} for g in body["groups"]], actor=request.user)
        return Response(CreationStandardSerializer(self.get_queryset().get(pk=standard.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: CreationSerializer(many=True), **LIST_ERRORS}),
    post=extend_schema(tags=TAGS, request=CreationOpenSerializer,
                       responses={201: CreationDetailSerializer, **WRITE_ERRORS_409}),
)
class CreationListView(generics.ListAPIView):
    """Creations of the caller's area with their figures (score / maximum, criteria met, criteria with evidence);
    POST opens a city's creation for a year (the city's officials, its province's, administrators)."""

    serializer_class = CreationSerializer
    filterset_class = CreationFilter
    parser_classes = [JSONParser]

    def get_queryset(self):
        return _creations(self.request.user).order_by("-year", "city_id", "pk")

    def post(self, request):
        body = validated(CreationOpenSerializer, request)
        creation = services.creation_open(city=body["city"], year=body["year"], actor=request.user)
        return Response(_detail(request, creation), status=status.HTTP_201_CREATED)


class CreationDetailView(APIView):
    """One creation with its figures, every criterion's note, score, comment and evidence."""

    @extend_schema(tags=TAGS, responses={200: CreationDetailSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        creation = get_object_or_404(Creation.objects.visible_to(request.user), pk=pk)
        return Response(_detail(request, creation))


class _CreationAction(APIView):
    """A workflow act on one creation: found in the caller's area (else 404), the caller allowed to act (else
    403, before the body is read), the body checked, one service call."""

    parser_classes = [JSONParser]
    write_serializer: type[serializers.Serializer] | None = None
    may_act = staticmethod(policies.assembles_creation)

    def act(self, request, creation: Creation, data: dict) -> None:  # pragma: no cover - each action's own
        raise NotImplementedError

    def post(self, request, pk: int):
        creation = get_object_or_404(Creation.objects.visible_to(request.user), pk=pk)
        require(self.may_act(request.user, creation.city_id))
        data = validated(self.write_serializer, request) if self.write_serializer else {}
        self.act(request, creation, data)
        return Response(_detail(request, creation))


def _action_schema(write_serializer, description: str, multipart: bool = False):
    request = {"multipart/form-data": write_serializer} if multipart else write_serializer
    return extend_schema(tags=TAGS, request=request, description=description,
                         responses={200: CreationDetailSerializer, **WRITE_ERRORS_409})


class EvidenceView(_CreationAction):
    parser_classes = [MultiPartParser, FormParser]
    write_serializer = CreationEvidenceWriteSerializer

    @_action_schema(CreationEvidenceWriteSerializer, "The city uploads a document against one criterion (checked "
                    "by its content). Not idempotent: each call adds a document.", multipart=True)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, creation, data):
        services.evidence_add(creation=creation, criterion=data["criterion"], file=data["file"], actor=request.user)


class NoteView(_CreationAction):
    write_serializer = CreationNoteWriteSerializer

    @_action_schema(CreationNoteWriteSerializer, "The city's note on one criterion; the last note stands.")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, creation, data):
        services.entry_note_set(creation=creation, criterion=data["criterion"], note=data["note"], actor=request.user)


class SubmitView(_CreationAction):
    write_serializer = CreationSubmitWriteSerializer

    @_action_schema(CreationSubmitWriteSerializer, "The city submits for review (again, after a return).")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, creation, data):
        services.creation_submit(creation=creation, note=data.get("note"), actor=request.user)


class ScoreView(_CreationAction):
    may_act = staticmethod(policies.scores_creation)
    write_serializer = CreationScoreWriteSerializer

    @_action_schema(CreationScoreWriteSerializer,
                    "The province scores one criterion (0 to its maximum) with a comment.")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, creation, data):
        services.entry_score(creation=creation, criterion=data["criterion"], points=data["points"],
                             comment=data["comment"], actor=request.user)


class ReturnView(_CreationAction):
    may_act = staticmethod(policies.scores_creation)
    write_serializer = CreationReturnWriteSerializer

    @_action_schema(CreationReturnWriteSerializer, "The province returns the creation for more evidence.")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, creation, data):
        services.creation_return(creation=creation, comment=data["comment"], actor=request.user)


class FinishView(_CreationAction):
    may_act = staticmethod(policies.scores_creation)
    @extend_schema(tags=TAGS, request=None, description="The province finishes scoring (every criterion scored).",
                   responses={200: CreationDetailSerializer, **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        return super().post(request, pk)

    def act(self, request, creation, data):
        services.creation_finish(creation=creation, actor=request.user)


class RankingView(APIView):
    """The year's ranking of the province's scored creations (by score as a share of the maximum; ties share a
    rank). The province's officials see every city, a city its own row; others an empty list."""

    @extend_schema(tags=TAGS, parameters=[OpenApiParameter("year", YEAR_SCHEMA, description="Default: this year.")],
                   responses={200: CreationRankingRowSerializer(many=True), **LIST_ERRORS})
    def get(self, request):
        raw = request.query_params.get("year", "")
        if raw and not (raw.isdigit() and 2000 <= int(raw) <= 2100):
            raise ValidationError({"year": [_("Enter a year between 2000 and 2100.")]})
        year = int(raw) if raw else timezone.localdate().year
        user = request.user
        if not takes_part(user):
            return Response([])
        province = codes.province_of(user.region_id) if policies.is_official(user) else None
        provinces = [province] if province else sorted(
            {codes.province_of(c) for c in Creation.objects.visible_to(user).filter(year=year)
             .values_list("city_id", flat=True)})
        rows = [row for p in provinces for row in selectors.ranking_for(years=[year], user=user, province=p)]
        return Response(CreationRankingRowSerializer(rows, many=True).data)
