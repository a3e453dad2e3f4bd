"""REST API of the filing workflow, under /api/v1/.

Generic views read through `visible_to(user)` (outside the caller's area: 404); each workflow verb is
one small APIView calling its service. A state conflict (another reviewer decided the filing a moment
ago, a full slot) answers 409 and writes nothing.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from accounts.policies import require
from institutions.filters import StrictBooleanFilter
from institutions.models import GuidanceCentre
from portal import uploads
from portal.api.cache import ResponseCacheMixin
from portal.api.filters import IdFilter
from portal.api.lean import PrototypeListMixin
from portal.api.pagination import LongListCursorPagination
from portal.api.schema import BAD_REQUEST, CONFLICT, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import CachedFieldsMixin, validated

from . import services
from .models import AppointmentSlot, Booking, Document, Filing, FilingReturnComment, Notification

WRITE_ERRORS_409 = {**WRITE_ERRORS, 409: CONFLICT}
# Lists with filters answer 400 for a malformed filter value.
LIST_ERRORS = {**READ_ERRORS, 400: BAD_REQUEST}


# --- Serializers ----------------------------------------------------------------------------------

@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$", "example": "09:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time at the centre (China Standard Time), "HH:MM": no offset, so not RFC 3339 `time`."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


@extend_schema_field({"type": "array", "items": {"type": "object", "properties": {
    "action": {"type": "string", "enum": ["add", "update", "close"]}, "class_id": {"type": "integer"},
    "name": {"type": "string"}, "class_type": {"type": "string"}, "places": {"type": "integer"},
    "caregivers": {"type": "integer"}}}})
class ClassChangesField(serializers.JSONField):
    """Class changes of a change filing, checked by the service (caps, ratios, the institution's open
    classes), which names each problem in one flat list: the API's error format has no nested errors."""


class ReturnCommentSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = FilingReturnComment
        fields = ["round", "section", "comment", "created_at"]


class FilingSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    county_code = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()
    return_comments = ReturnCommentSerializer(many=True, read_only=True)

    class Meta:
        model = Filing
        fields = ["id", "institution", "institution_name", "county_code", "kind", "status", "changes",
                  "resettlement_confirmed", "note", "created_at", "first_submitted_at", "submitted_at", "due_on",
                  "overdue", "resubmission_count", "decided_at", "receipt_number", "rejection_reason",
                  "withdrawn_at", "return_comments"]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


# Class changes are checked by the service (caps, ratios, the institution's open classes), which
# names each problem in one flat list: the API's error format has no nested errors.
CLASS_CHANGES_HELP = ("Change filings: a list of {action: add|update|close, class_id (update/close), name, "
                      "class_type, places, caregivers}.")


class FilingCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Filing.Kind.choices)
    particulars = serializers.DictField(required=False, help_text="Change filings: field → new value.")
    classes = ClassChangesField(required=False, help_text=CLASS_CHANGES_HELP)
    resettlement_confirmed = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FilingUpdateSerializer(serializers.Serializer):
    particulars = serializers.DictField(required=False)
    classes = ClassChangesField(required=False, help_text=CLASS_CHANGES_HELP)
    resettlement_confirmed = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


@extend_schema_field({"type": "object", "minProperties": 1, "additionalProperties": False,
                      "properties": {section: {"type": "string", "pattern": r"\S"}
                                     for section in FilingReturnComment.Section.values}})
class _SectionComments(serializers.DictField):
    """At least one section's comment: the schema says so, as the service does."""


class ReturnSerializer(serializers.Serializer):
    comments = _SectionComments(child=serializers.CharField(), allow_empty=False, help_text=(
        "Section → comment (text), at least one; sections: " + ", ".join(FilingReturnComment.Section.values)))


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Made public on the register.")


class DocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "filing", "kind", "original_name", "content_type", "size", "sha256", "premises_owned",
                  "lease_ends_on", "rated_pass", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return f"/api/v1/documents/{obj.pk}/download/"


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Document.Kind.choices)
    file = serializers.FileField()
    premises_owned = serializers.BooleanField(required=False, default=False)
    lease_ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    rated_pass = serializers.BooleanField(required=False, allow_null=True, default=None)


class AppointmentSlotSerializer(serializers.ModelSerializer):
    centre_name = serializers.CharField(source="centre.name", read_only=True)
    places_left = serializers.IntegerField(read_only=True)
    start_time = LocalTimeField(read_only=True)
    end_time = LocalTimeField(read_only=True)

    class Meta:
        model = AppointmentSlot
        fields = ["id", "centre", "centre_name", "date", "start_time", "end_time", "capacity", "booked_count",
                  "places_left", "purpose"]
        read_only_fields = ["id", "centre_name", "booked_count", "places_left"]


class SlotCreateSerializer(serializers.Serializer):
    centre = serializers.IntegerField(help_text="A guidance centre of the caller's city.")
    date = serializers.DateField()
    start_time = LocalTimeField()
    end_time = LocalTimeField()
    capacity = serializers.IntegerField(min_value=1, max_value=500)
    purpose = serializers.ChoiceField(choices=AppointmentSlot.Purpose.choices)


class BookingSerializer(serializers.ModelSerializer):
    slot = AppointmentSlotSerializer(read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = Booking
        fields = ["id", "slot", "institution", "institution_name", "filing", "status", "created_at", "cancelled_at"]
        read_only_fields = fields


class BookingCreateSerializer(serializers.Serializer):
    slot = serializers.IntegerField()
    filing = serializers.IntegerField(required=False, allow_null=True)


class BookingMoveSerializer(serializers.Serializer):
    slot = serializers.IntegerField()


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "filing", "institution", "link", "event", "message", "created_at", "read_at"]
        read_only_fields = fields


# --- Filters --------------------------------------------------------------------------------------

@extend_schema_field({"type": "string", "pattern": r"^\d{2,9}$"})
class DivisionCodeFilter(django_filters.Filter):
    """A division code prefix, 2 to 9 digits. Not a CharFilter, so the strict backend also refuses
    `?region=` (empty) instead of quietly returning everything."""

    field_class = forms.CharField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [RegexValidator(r"^\d{2,9}$", "A division code: 2 to 9 digits.")])
        super().__init__(*args, **kwargs)


class FilingFilter(django_filters.FilterSet):
    institution = IdFilter(field_name="institution")
    overdue = StrictBooleanFilter(method="filter_overdue", label="Pending past the decision deadline")
    region = DivisionCodeFilter(method="filter_region", label="Region code prefix")

    class Meta:
        model = Filing
        fields = ["status", "kind", "institution"]

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.overdue(today) if value else queryset.exclude(pk__in=Filing.objects.overdue(today))

    def filter_region(self, queryset, name, value):
        return queryset.filter(institution__region__code__startswith=value)


class SlotFilter(django_filters.FilterSet):
    centre = IdFilter(field_name="centre")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = AppointmentSlot
        fields = ["centre", "purpose", "date"]


# --- Filings --------------------------------------------------------------------------------------

def _filings(user):
    return Filing.objects.visible_to(user).select_related("institution").prefetch_related("return_comments")


class FilingListCreateView(PrototypeListMixin, ResponseCacheMixin, generics.ListCreateAPIView):
    """Filings the caller may see; institution staff create drafts for their own institution."""

    serializer_class = FilingSerializer
    filterset_class = FilingFilter
    pagination_class = LongListCursorPagination
    cache_depends_on = ("filings", "institutions", "regions")
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Filing.objects.none()
        return _filings(self.request.user)

    @extend_schema(tags=["filings"], responses={200: FilingSerializer(many=True), **LIST_ERRORS},
                   parameters=[OpenApiParameter("region", str, pattern=r"^\d{2,9}$",
                                                description="Division code prefix (2 to 9 digits).")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["filings"], request=FilingCreateSerializer,
                   responses={201: FilingSerializer, **WRITE_ERRORS_409})
    def post(self, request, *args, **kwargs):
        user = request.user
        require(policies.is_linked_staff(user), _("Only institution staff create filings."))
        d = validated(FilingCreateSerializer, request)
        filing = services.filing_create(institution=user.institution, kind=d["kind"], actor=user,
                                        particulars=d.get("particulars"), class_changes=d.get("classes"),
                                        resettlement_confirmed=d["resettlement_confirmed"], note=d["note"])
        return Response(FilingSerializer(_filings(user).get(pk=filing.pk)).data, status=status.HTTP_201_CREATED)


class FilingDetailView(generics.RetrieveAPIView):
    """One filing with its return comments; PATCH edits a draft or returned filing."""

    serializer_class = FilingSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Filing.objects.none()
        return _filings(self.request.user)

    @extend_schema(tags=["filings"], responses={200: FilingSerializer, **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["filings"], request=FilingUpdateSerializer,
                   responses={200: FilingSerializer, **WRITE_ERRORS_409})
    def patch(self, request, *args, **kwargs):
        filing = self.get_object()
        d = validated(FilingUpdateSerializer, request)
        services.filing_update_draft(filing=filing, actor=request.user,
                                     particulars=d.get("particulars"), class_changes=d.get("classes"),
                                     resettlement_confirmed=d.get("resettlement_confirmed"), note=d.get("note"))
        return Response(FilingSerializer(self.get_queryset().get(pk=filing.pk)).data)


class _FilingAction(APIView):
    """POST /filings/{id}/<verb>/: one workflow verb, calling its service."""

    service = None
    body = None
    may_act = None  # who may take this action: checked before the body is read, so outsiders learn nothing
    parser_classes = [JSONParser]

    def kwargs_from(self, request) -> dict:
        if self.body is None:
            return {}
        return validated(self.body, request)

    def post(self, request, pk: int):
        filing = get_object_or_404(Filing.objects.visible_to(request.user).select_related("institution"), pk=pk)
        if not type(self).may_act(request.user, filing):
            raise exceptions.PermissionDenied(_("You may see this filing but not take this action on it."))
        type(self).service(filing=filing, actor=request.user, **self.kwargs_from(request))
        return Response(FilingSerializer(_filings(request.user).get(pk=pk)).data)


def _staff_of(user, filing) -> bool:
    return policies.is_staff_of(user, filing.institution_id)


def _reviewer_of(user, filing) -> bool:
    return policies.reviews(user, filing.institution)


def _action(name: str, service, summary: str, body=None, may_act=_staff_of):
    # Each action needs its own `post` function: extend_schema annotates the function object, so
    # sharing _FilingAction.post would give every action the schema of the last one decorated.
    def post(self, request, pk: int):
        return _FilingAction.post(self, request, pk)

    post = extend_schema(tags=["filings"], summary=summary, request=body,
                         responses={200: FilingSerializer, **WRITE_ERRORS_409})(post)
    return type(name, (_FilingAction,), {"service": staticmethod(service), "body": body, "__doc__": summary,
                                         "post": post, "__module__": __name__,
                                         "may_act": staticmethod(may_act)})


FilingSubmitView = _action("FilingSubmitView", services.filing_submit,
                           "Submit a complete draft (staff); the 5-working-day deadline starts.")
FilingResubmitView = _action("FilingResubmitView", services.filing_resubmit,
                             "Resubmit a returned filing after correction (staff).")
FilingWithdrawView = _action("FilingWithdrawView", services.filing_withdraw,
                             "Withdraw a filing not yet decided (staff).")
FilingApproveView = _action("FilingApproveView", services.filing_approve,
                            "File it and issue the receipt number (county official). 409 if already decided.",
                            may_act=_reviewer_of)
FilingReturnView = _action("FilingReturnView", services.filing_return,
                           "Return for correction with comments per section (county official).", ReturnSerializer,
                           may_act=_reviewer_of)
FilingRejectView = _action("FilingRejectView", services.filing_reject,
                           "Reject with a public reason (county official).", RejectSerializer,
                           may_act=_reviewer_of)


# --- Documents ------------------------------------------------------------------------------------

class FilingDocumentsView(generics.ListAPIView):
    """Documents of one filing; POST (multipart) uploads one (staff, draft or returned filing)."""

    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = None

    def filing(self) -> Filing:
        return get_object_or_404(Filing.objects.visible_to(self.request.user).select_related("institution"),
                                 pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return Document.objects.visible_to(self.request.user).filter(filing=self.filing())

    @extend_schema(tags=["documents"], responses={200: DocumentSerializer(many=True), **READ_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["documents"], request={"multipart/form-data": DocumentUploadSerializer},
                   responses={201: DocumentSerializer, **WRITE_ERRORS_409})
    def post(self, request, *args, **kwargs):
        filing = self.filing()
        body = validated(DocumentUploadSerializer, request)
        document = services.document_upload(filing=filing, actor=request.user, **body)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDownloadView(APIView):
    """The document's file, to users who may see its filing."""

    @extend_schema(tags=["documents"], responses={
        **{(200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as uploaded.")
           for content_type in uploads.CONTENT_TYPES},
        **READ_ERRORS})
    def get(self, request, pk: int):
        document = get_object_or_404(Document.objects.visible_to(request.user).select_related("filing__institution"),
                                     pk=pk)
        services.document_record_view(document=document, actor=request.user)
        return uploads.private_file_response(document)


# --- Appointments ---------------------------------------------------------------------------------

class AppointmentSlotListView(generics.ListCreateAPIView):
    """Guidance-centre slots (bookable ones by default); officials of the centre's city publish new ones."""

    serializer_class = AppointmentSlotSerializer
    filterset_class = SlotFilter
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AppointmentSlot.objects.none()
        qs = AppointmentSlot.objects.visible_to(self.request.user).select_related("centre")
        if self.request.query_params.get("all") != "1":
            qs = qs.upcoming()
        return qs

    @extend_schema(tags=["appointments"], responses={200: AppointmentSlotSerializer(many=True), **LIST_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["appointments"], request=SlotCreateSerializer,
                   responses={201: AppointmentSlotSerializer, **WRITE_ERRORS})
    def post(self, request, *args, **kwargs):
        user = request.user
        # City guidance centres publish their slots: officials of a city (or administrators) only.
        require(policies.publishes_slots(user), _("Only officials of the centre's city publish its slots."))
        d = validated(SlotCreateSerializer, request)
        centre = get_object_or_404(GuidanceCentre.objects.visible_to(user), pk=d["centre"])
        slot = services.appointment_slot_create(actor=user, centre=centre, date=d["date"],
                                                start_time=d["start_time"], end_time=d["end_time"],
                                                capacity=d["capacity"], purpose=d["purpose"])
        return Response(AppointmentSlotSerializer(slot).data, status=status.HTTP_201_CREATED)


def _bookings(user):
    return Booking.objects.visible_to(user).select_related("slot__centre", "institution")


class BookingListCreateView(generics.ListCreateAPIView):
    """Bookings the caller may see; institution staff book a slot (409 when it is full)."""

    serializer_class = BookingSerializer
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Booking.objects.none()
        return _bookings(self.request.user)

    @extend_schema(tags=["appointments"], responses={200: BookingSerializer(many=True), **LIST_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=["appointments"], request=BookingCreateSerializer,
                   responses={201: BookingSerializer, **WRITE_ERRORS_409})
    def post(self, request, *args, **kwargs):
        body = validated(BookingCreateSerializer, request)
        user = request.user
        slot = get_object_or_404(AppointmentSlot.objects.visible_to(user), pk=body["slot"])
        filing = None
        if body.get("filing"):
            filing = get_object_or_404(Filing.objects.visible_to(user), pk=body["filing"])
        booking = services.booking_create(slot=slot, actor=user, filing=filing)
        return Response(BookingSerializer(_bookings(user).get(pk=booking.pk)).data, status=status.HTTP_201_CREATED)


class BookingCancelView(APIView):
    """Cancel a booking (staff of its institution). A repeat changes nothing."""

    parser_classes = [JSONParser]

    @extend_schema(tags=["appointments"], request=None, responses={200: BookingSerializer, **WRITE_ERRORS})
    def post(self, request, pk: int):
        booking = get_object_or_404(_bookings(request.user), pk=pk)
        services.booking_cancel(booking=booking, actor=request.user)
        return Response(BookingSerializer(_bookings(request.user).get(pk=pk)).data)


class BookingMoveView(APIView):
    """Move a booking to another slot; the old place is kept if the new slot is full (409)."""

    parser_classes = [JSONParser]

    @extend_schema(tags=["appointments"], request=BookingMoveSerializer,
                   responses={200: BookingSerializer, **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        booking = get_object_or_404(_bookings(request.user), pk=pk)
        require(policies.is_staff_of(request.user, booking.institution_id),
                _("Only the institution's staff move its bookings."))
        body = validated(BookingMoveSerializer, request)
        slot = get_object_or_404(AppointmentSlot.objects.visible_to(request.user), pk=body["slot"])
        new = services.booking_move(booking=booking, slot=slot, actor=request.user)
        return Response(BookingSerializer(_bookings(request.user).get(pk=new.pk)).data)


# --- Notifications --------------------------------------------------------------------------------

class NotificationListView(generics.ListAPIView):
    """The caller's notifications, newest first."""

    serializer_class = NotificationSerializer
    filterset_fields = ["event"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.visible_to(self.request.user)

    @extend_schema(tags=["notifications"], responses={200: NotificationSerializer(many=True), **LIST_ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadView(APIView):
    """Mark one notification read. A repeat changes nothing."""

    parser_classes = [JSONParser]

    @extend_schema(tags=["notifications"], request=None, responses={200: NotificationSerializer, **WRITE_ERRORS})
    def post(self, request, pk: int):
        notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
        try:
            notification = services.notification_mark_read(notification=notification, actor=request.user)
        except PermissionDenied as exc:  # pragma: no cover — visible_to already limits to the owner
            raise exceptions.NotFound() from exc
        return Response(NotificationSerializer(notification).data)
