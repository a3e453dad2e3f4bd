"""The complaints REST API.

Public (no account, throttled per address): file a complaint about an institution of the public register,
and look one up with its reference and secret code. Officials: the complaints of their area (outside: 404);
the county handling a complaint answers it and alone reads the complainant's contact (anyone else: 404).
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from accounts.policies import require
from institutions.models import Institution
from portal.api.schema import BAD_REQUEST, CONFLICT, NOT_FOUND, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import validated

from . import services
from .filters import ComplaintFilter
from .models import Complaint
from .throttling import ComplaintLookupThrottle, ComplaintThrottle

TAGS = ["complaints"]
LIST_ERRORS = {**READ_ERRORS, 400: BAD_REQUEST}
THROTTLED = OpenApiResponse(description="Too many requests from this address.")


class ComplaintSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "reference", "institution", "institution_name", "county", "category", "description",
                  "status", "received_on", "due_on", "is_overdue", "answered_on", "public_answer", "inspection",
                  "updated_at"]


class PublicComplaintSerializer(serializers.ModelSerializer):
    """What the complainant reads: status and the public answer, nothing else."""

    institution_name = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = Complaint
        fields = ["reference", "institution_name", "status", "received_on", "due_on", "answered_on", "public_answer"]


class ComplaintFiledSerializer(PublicComplaintSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret code, shown once: keep it with the reference.")

    class Meta(PublicComplaintSerializer.Meta):
        fields = [*PublicComplaintSerializer.Meta.fields, "token"]


class ComplaintWriteSerializer(serializers.Serializer):
    institution = serializers.IntegerField(help_text="The id of an institution of the public register.")
    category = serializers.ChoiceField(choices=Complaint.Category.choices)
    description = serializers.CharField(max_length=2000)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class LookupSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=20)
    token = serializers.CharField(max_length=20)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)


# --- The public ------------------------------------------------------------------------------------

class PublicComplaintCreateView(APIView):
    """File a complaint about an institution of the public register (no account needed). The answer
    carries the reference and the secret code to follow it; the code is shown only here."""

    permission_classes = [AllowAny]
    throttle_classes = [ComplaintThrottle]
    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, auth=[], request=ComplaintWriteSerializer,
                   responses={201: ComplaintFiledSerializer, 400: BAD_REQUEST, 403: READ_ERRORS[403], 404: NOT_FOUND,
                              429: THROTTLED})
    def post(self, request):
        fields = validated(ComplaintWriteSerializer, request)
        institution = get_object_or_404(Institution.objects.publicly_listed(), pk=fields.pop("institution"))
        filed = services.complaint_submit(institution=institution, actor=request.user, **fields)
        filed.complaint.token = filed.token
        return Response(ComplaintFiledSerializer(filed.complaint).data, status=status.HTTP_201_CREATED)


class PublicComplaintLookupView(APIView):
    """A complaint's status and public answer, given its reference and secret code (POST, so the code
    stays out of addresses and logs). A wrong reference or code is a 404 either way."""

    permission_classes = [AllowAny]
    throttle_classes = [ComplaintLookupThrottle]
    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, auth=[], request=LookupSerializer,
                   responses={200: PublicComplaintSerializer, 400: BAD_REQUEST, 403: READ_ERRORS[403],
                              404: NOT_FOUND, 429: THROTTLED})
    def post(self, request):
        complaint = services.complaint_lookup(**validated(LookupSerializer, request))
        if complaint is None:
            raise Http404
        return Response(PublicComplaintSerializer(complaint).data)


# --- Officials -------------------------------------------------------------------------------------

def _visible(request):
    return Complaint.objects.visible_to(request.user).select_related("institution")


@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: ComplaintSerializer(many=True), **LIST_ERRORS}))
class ComplaintListView(generics.ListAPIView):
    """Complaints routed to counties of the caller's area, newest first (never the complainant's contact)."""

    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter

    def get_queryset(self):
        return _visible(self.request).order_by("-received_at", "-pk")


@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: ComplaintSerializer, **READ_ERRORS}))
class ComplaintDetailView(generics.RetrieveAPIView):
    serializer_class = ComplaintSerializer

    def get_queryset(self):
        return _visible(self.request)


class ComplaintAnswerView(APIView):
    """The county handling the complaint answers it; the complainant reads the answer. Once only (409)."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=AnswerSerializer, responses={200: ComplaintSerializer, **WRITE_ERRORS,
                                                                    409: CONFLICT})
    def post(self, request, pk: int):
        complaint = get_object_or_404(_visible(request), pk=pk)
        require(policies.handles_complaint(request.user, complaint),
                _("Only the county health commission handling the complaint answers it."))
        complaint = services.complaint_answer(complaint=complaint, actor=request.user,
                                              **validated(AnswerSerializer, request))
        return Response(ComplaintSerializer(complaint).data)


class InspectionOpenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                   help_text="What the inspectors should look at; the reference by default.")


class ComplaintInspectionView(APIView):
    """The county handling the complaint opens a targeted inspection of the institution after it; once
    per complaint (409 after that)."""

    parser_classes = [JSONParser]

    @extend_schema(tags=TAGS, request=InspectionOpenSerializer,
                   responses={201: ComplaintSerializer, **WRITE_ERRORS, 409: CONFLICT})
    def post(self, request, pk: int):
        complaint = get_object_or_404(_visible(request), pk=pk)
        require(policies.handles_complaint(request.user, complaint),
                _("Only the county health commission handling the complaint opens an inspection after it."))
        complaint = services.complaint_open_inspection(complaint=complaint, actor=request.user,
                                                       **validated(InspectionOpenSerializer, request))
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintContactView(APIView):
    """The complainant's contact: the county handling the complaint only; anyone else gets 404. Each read is
    audited. Empty strings where the complainant left nothing."""

    @extend_schema(tags=TAGS, responses={200: ContactSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        complaint = get_object_or_404(_visible(request), pk=pk)
        require(policies.handles_complaint(request.user, complaint), outside_area=True)
        contact = services.complaint_contact_read(complaint=complaint, actor=request.user)
        empty = {"name": "", "phone": "", "email": ""}
        return Response(ContactSerializer(contact).data if contact else empty)
