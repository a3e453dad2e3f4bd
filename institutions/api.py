"""The registry's REST API.

Scope: every lookup goes through `visible_to(request.user)`, so an institution outside the caller's
area is a 404. Inside it, only the institution's own staff (or an administrator) may write: an
official gets a 403. Writes go through `institutions.services`, whose ValidationErrors become 400s
naming the field (portal.api.errors). The public register is read-only and open to anonymous callers.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from accounts.policies import require
from portal.api.cache import ResponseCacheMixin
from portal.api.lean import LeanListMixin
from portal.api.pagination import LongListCursorPagination
from portal.api.schema import CONFLICT, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import validated
from portal.api.throttling import AnonWindowThrottle, UserWindowThrottle
from portal.exceptions import Conflict

from . import services, staff_registry
from .filters import InstitutionFilter, PublicRegisterFilter
from .models import GuidanceCentre, Institution, InstitutionClass, MentoringPair, OnboardingJob, StaffMember
from .serializers import (
    GuidanceCentreSerializer,
    GuidanceCentreWriteSerializer,
    InstitutionClassSerializer,
    InstitutionClassUpdateSerializer,
    InstitutionClassWriteSerializer,
    InstitutionSerializer,
    InstitutionSuspendSerializer,
    InstitutionWriteSerializer,
    MentoringPairSerializer,
    MentoringPairWriteSerializer,
    PublicInstitutionDetailSerializer,
    PublicInstitutionSerializer,
    StaffMemberSerializer,
)

TAGS = ["institutions"]
# `places` is Institution.places, which reads the `with_open_places()` annotation (lean lists read it directly).
PLACES_COLUMNS = {"places": "total_places"}
# Writes that the object's state can refuse (a filed institution, an account already linked).
STATE_WRITE_ERRORS = {**WRITE_ERRORS, 409: CONFLICT}


def institution_for_write(request, pk) -> Institution:
    """404 outside the caller's scope, then 403 for a role that may not write."""
    institution = get_object_or_404(Institution.objects.visible_to(request.user), pk=pk)
    require(policies.keeps_records_of(request.user, institution))
    return institution


def ensure_draft(institution: Institution) -> None:
    """Particulars and classes change directly only in a draft; a filed institution uses a change filing."""
    if institution.status != Institution.Status.DRAFT:
        raise Conflict(_("This institution is filed: changes to its particulars and classes go through "
                         "a change filing."))


# --- Institutions -----------------------------------------------------------------------------------

@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: InstitutionSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(tags=TAGS, request=InstitutionWriteSerializer,
                       responses={201: InstitutionSerializer, **STATE_WRITE_ERRORS}),
)
class InstitutionListCreateView(LeanListMixin, ResponseCacheMixin, generics.ListCreateAPIView):
    """Institutions in the caller's scope (cursor-paginated); POST registers a new draft institution.

    Only a staff account not yet linked to an institution (or an administrator) may register one.
    """

    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilter
    pagination_class = LongListCursorPagination
    cache_depends_on = ("institutions", "regions")
    lean_columns = PLACES_COLUMNS

    def get_queryset(self):
        return Institution.objects.visible_to(self.request.user).with_open_places().select_related("region")

    def create(self, request, *args, **kwargs):
        user = request.user
        require(policies.registers_institutions(user), _("Only institution staff register an institution."))
        if policies.is_linked_staff(user):
            raise Conflict(_("Your account already belongs to an institution."))
        body = validated(InstitutionWriteSerializer, request)
        institution = services.institution_create(actor=user, **body)
        institution = Institution.objects.with_open_places().select_related("region").get(pk=institution.pk)
        return Response(InstitutionSerializer(institution).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: InstitutionSerializer, **READ_ERRORS}),
    patch=extend_schema(tags=TAGS, request=InstitutionWriteSerializer,
                        responses={200: InstitutionSerializer, **STATE_WRITE_ERRORS}),
)
class InstitutionDetailView(generics.RetrieveUpdateAPIView):
    """One institution; PATCH edits a draft (a filed one changes through a change filing: 400)."""

    serializer_class = InstitutionSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return Institution.objects.visible_to(self.request.user).with_open_places().select_related("region")

    def partial_update(self, request, *args, **kwargs):
        institution = institution_for_write(request, kwargs["pk"])
        ensure_draft(institution)
        services.institution_update(institution=institution, actor=request.user,
                                    **validated(InstitutionWriteSerializer, request, institution, partial=True))
        return Response(InstitutionSerializer(self.get_queryset().get(pk=institution.pk)).data)


# --- Suspension ---------------------------------------------------------------------------------------

def _institution_read(pk) -> Institution:
    return Institution.objects.with_open_places().select_related("region").get(pk=pk)


def institution_for_filing_authority(request, pk) -> Institution:
    """404 outside the caller's area, 403 inside it unless the caller is the county it filed with (or
    an administrator)."""
    institution = get_object_or_404(Institution.objects.visible_to(request.user), pk=pk)
    require(policies.suspends(request.user, institution))
    return institution


@extend_schema(tags=TAGS, request=InstitutionSuspendSerializer,
               responses={200: InstitutionSerializer, **STATE_WRITE_ERRORS})
class InstitutionSuspendView(APIView):
    """Suspends a filed institution: the county health commission it filed with, or an administrator.

    It stays on the public register, marked suspended. Suspending it again changes nothing (200);
    a draft or cancelled institution cannot be suspended (409).
    """

    def post(self, request, pk):
        institution = institution_for_filing_authority(request, pk)
        body = validated(InstitutionSuspendSerializer, request)
        if institution.status not in (Institution.Status.FILED, Institution.Status.SUSPENDED):
            raise Conflict(_("Only a filed institution can be suspended."))
        services.institution_suspend(institution=institution, actor=request.user,
                                     suspended_on=body.get("suspended_on") or timezone.localdate())
        return Response(InstitutionSerializer(_institution_read(pk)).data)


@extend_schema(tags=TAGS, request=None, responses={200: InstitutionSerializer, **STATE_WRITE_ERRORS})
class InstitutionLiftSuspensionView(APIView):
    """Lifts a suspension: the institution is filed again (same filing date and number). The county it
    filed with, or an administrator. Lifting it again changes nothing (200); a draft or cancelled
    institution has no suspension to lift (409)."""

    def post(self, request, pk):
        institution = institution_for_filing_authority(request, pk)
        if institution.status not in (Institution.Status.FILED, Institution.Status.SUSPENDED):
            raise Conflict(_("Only a suspended institution can have its suspension lifted."))
        services.institution_lift_suspension(institution=institution, actor=request.user)
        return Response(InstitutionSerializer(_institution_read(pk)).data)


# --- Classes ------------------------------------------------------------------------------------------

@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: InstitutionClassSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(tags=TAGS, request=InstitutionClassWriteSerializer,
                       responses={201: InstitutionClassSerializer, **STATE_WRITE_ERRORS}),
)
class ClassListCreateView(generics.ListCreateAPIView):
    """The institution's classes, open first; POST adds a class to a draft institution."""

    serializer_class = InstitutionClassSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InstitutionClass.objects.none()
        institution = get_object_or_404(Institution.objects.visible_to(self.request.user), pk=self.kwargs["pk"])
        # Open classes (closed_on NULL) first on every database: NULL ordering differs between backends.
        return institution.classes.order_by(F("closed_on").asc(nulls_first=True), "class_type", "name")

    def create(self, request, *args, **kwargs):
        institution = institution_for_write(request, kwargs["pk"])
        ensure_draft(institution)
        body = validated(InstitutionClassWriteSerializer, request)
        klass = services.class_add(institution=institution, actor=request.user, **body)
        return Response(InstitutionClassSerializer(klass).data, status=status.HTTP_201_CREATED)


def _class_for(request, pk, class_pk, *, write: bool) -> InstitutionClass:
    institution = (institution_for_write(request, pk) if write
                   else get_object_or_404(Institution.objects.visible_to(request.user), pk=pk))
    klass = get_object_or_404(InstitutionClass.objects.select_related("institution"), pk=class_pk,
                              institution=institution)
    if write:
        ensure_draft(institution)
    return klass


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: InstitutionClassSerializer, **READ_ERRORS}),
    patch=extend_schema(tags=TAGS, request=InstitutionClassUpdateSerializer,
                        responses={200: InstitutionClassSerializer, **STATE_WRITE_ERRORS}),
)
class ClassDetailView(APIView):
    """One class; PATCH changes it (draft institutions only; caps and ratios apply)."""

    def get(self, request, pk, class_pk):
        return Response(InstitutionClassSerializer(_class_for(request, pk, class_pk, write=False)).data)

    def patch(self, request, pk, class_pk):
        klass = _class_for(request, pk, class_pk, write=True)
        body = validated(InstitutionClassUpdateSerializer, request)
        klass = services.class_update(klass=klass, actor=request.user, **body)
        return Response(InstitutionClassSerializer(klass).data)


@extend_schema(tags=TAGS, request=None, responses={200: InstitutionClassSerializer, **STATE_WRITE_ERRORS})
class ClassCloseView(APIView):
    """Closes a class (its places stop counting). Closing it again changes nothing."""

    def post(self, request, pk, class_pk):
        klass = _class_for(request, pk, class_pk, write=True)
        klass = services.class_close(klass=klass, actor=request.user)
        return Response(InstitutionClassSerializer(klass).data)


# --- Staff ------------------------------------------------------------------------------------------

@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: StaffMemberSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(tags=TAGS, request=StaffMemberSerializer,
                       responses={201: StaffMemberSerializer, **WRITE_ERRORS}),
)
class StaffListCreateView(generics.ListCreateAPIView):
    """The institution's staff with certificate expiry dates (personal data: own staff and area officials)."""

    serializer_class = StaffMemberSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StaffMember.objects.none()
        institution = get_object_or_404(Institution.objects.visible_to(self.request.user), pk=self.kwargs["pk"])
        return StaffMember.objects.visible_to(self.request.user).filter(institution=institution).order_by(
            "role", "name")

    def create(self, request, *args, **kwargs):
        institution = institution_for_write(request, kwargs["pk"])
        body = validated(StaffMemberSerializer, request)
        member = services.staff_member_add(institution=institution, actor=request.user,
                                           **body)
        return Response(StaffMemberSerializer(member).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: StaffMemberSerializer, **READ_ERRORS}),
    patch=extend_schema(tags=TAGS, request=StaffMemberSerializer,
                        responses={200: StaffMemberSerializer, **WRITE_ERRORS}),
)
class StaffDetailView(APIView):
    def get(self, request, pk, member_pk):
        institution = get_object_or_404(Institution.objects.visible_to(request.user), pk=pk)
        member = get_object_or_404(StaffMember.objects.visible_to(request.user), pk=member_pk,
                                   institution=institution)
        return Response(StaffMemberSerializer(member).data)

    def patch(self, request, pk, member_pk):
        institution = institution_for_write(request, pk)
        member = get_object_or_404(StaffMember.objects.select_related("institution"), pk=member_pk,
                                   institution=institution)
        member = services.staff_member_update(member=member, actor=request.user,
                                              **validated(StaffMemberSerializer, request, member, partial=True))
        return Response(StaffMemberSerializer(member).data)


# --- Mentoring pairs and guidance centres -------------------------------------------------------------

@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: MentoringPairSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(tags=TAGS, request=MentoringPairWriteSerializer,
                       responses={201: MentoringPairSerializer, **WRITE_ERRORS}),
)
class MentoringPairListView(generics.ListCreateAPIView):
    """Mentoring pairs (帮扶结对) in which an institution of the caller's scope takes part.

    POST pairs a mentor with a mentee: city and province officials whose area holds both, and
    administrators. An institution outside the caller's area is a 404; an active pair of the same two
    institutions, or an institution paired with itself, a 400.
    """

    serializer_class = MentoringPairSerializer

    def get_queryset(self):
        return (MentoringPair.objects.visible_to(self.request.user).select_related("mentor", "mentee")
                .order_by("-started_on", "pk"))

    def create(self, request, *args, **kwargs):
        require(policies.oversees_cities(request.user))
        d = validated(MentoringPairWriteSerializer, request)
        visible = Institution.objects.visible_to(request.user)
        pair = services.mentoring_pair_create(mentor=get_object_or_404(visible, pk=d["mentor"]),
                                              mentee=get_object_or_404(visible, pk=d["mentee"]),
                                              actor=request.user, started_on=d.get("started_on"), notes=d["notes"])
        pair = MentoringPair.objects.select_related("mentor", "mentee").get(pk=pair.pk)
        return Response(MentoringPairSerializer(pair).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(tags=TAGS, responses={200: GuidanceCentreSerializer(many=True), **READ_ERRORS}),
    post=extend_schema(tags=TAGS, request=GuidanceCentreWriteSerializer,
                       responses={201: GuidanceCentreSerializer, **WRITE_ERRORS}),
)
class GuidanceCentreListView(generics.ListCreateAPIView):
    """City guidance centres (托育指导中心). POST records one: the city's officials, its province's, or an
    administrator (403 for a city outside the caller's area)."""

    serializer_class = GuidanceCentreSerializer

    def get_queryset(self):
        return GuidanceCentre.objects.visible_to(self.request.user).select_related("city").order_by("city_id", "pk")

    def create(self, request, *args, **kwargs):
        require(policies.oversees_cities(request.user))
        d = validated(GuidanceCentreWriteSerializer, request)
        centre = services.guidance_centre_create(actor=request.user, city_id=d.pop("city"), **d)
        centre = GuidanceCentre.objects.select_related("city").get(pk=centre.pk)
        return Response(GuidanceCentreSerializer(centre).data, status=status.HTTP_201_CREATED)


# --- Public register ----------------------------------------------------------------------------------

class PublicRegisterPagination(LongListCursorPagination):
    ordering = "pk"


@extend_schema_view(get=extend_schema(tags=["public register"], auth=[],
                                      responses={200: PublicInstitutionSerializer(many=True), **READ_ERRORS}))
class PublicRegisterListView(LeanListMixin, ResponseCacheMixin, generics.ListAPIView):
    """The public register: filed institutions with filing number and places, no personal data."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonWindowThrottle, UserWindowThrottle]
    serializer_class = PublicInstitutionSerializer
    filterset_class = PublicRegisterFilter
    cache_depends_on = ("institutions", "regions")
    cache_per_user = False  # the same for everyone
    pagination_class = PublicRegisterPagination
    lean_columns = PLACES_COLUMNS

    def get_queryset(self):
        return Institution.objects.publicly_listed().with_open_places().select_related("region")


@extend_schema_view(get=extend_schema(tags=["public register"], auth=[],
                                      responses={200: PublicInstitutionDetailSerializer, **READ_ERRORS}))
class PublicRegisterDetailView(ResponseCacheMixin, generics.RetrieveAPIView):
    """One filed institution of the public register, with its open classes; no personal data."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonWindowThrottle, UserWindowThrottle]
    serializer_class = PublicInstitutionDetailSerializer
    cache_depends_on = ("institutions", "regions")
    cache_per_user = False

    def get_queryset(self):
        return Institution.objects.publicly_listed().with_open_places().select_related("region").prefetch_related(
            Prefetch("classes", queryset=InstitutionClass.objects.filter(closed_on__isnull=True)
                     .order_by("class_type", "name"), to_attr="open_classes"))


# --- Onboarding an existing province -------------------------------------------------------------

class OnboardingJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    errors = serializers.ListField(child=inline_serializer(name="OnboardingRowError", fields={
        "row": serializers.IntegerField(), "column": serializers.CharField(allow_blank=True),
        "message": serializers.CharField()}), read_only=True)

    class Meta:
        model = OnboardingJob
        fields = ["id", "province", "filename", "status", "status_label", "total_rows", "processed_rows", "percent",
                  "institutions_found", "places_found", "institutions_created", "errors", "created_at", "checked_at",
                  "finished_at"]
        read_only_fields = fields


class OnboardingUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX with the template's columns (GET the template from "
                                           "/institutions/onboarding/template.csv).")
    province = serializers.RegexField(r"^\d{2}$", required=False,
                                      help_text="The province's two-digit code; a province official's own by default.")


def _onboarding_province(request, code: str | None):
    from regions.models import Region

    code = code or (request.user.region_id if policies.is_official(request.user) else None)
    if not code:
        raise exceptions.ValidationError({"province": [_("Choose the province to onboard.")]})
    province = Region.objects.filter(code=code, level=Region.Level.PROVINCE).first()
    if province is None:
        raise exceptions.ValidationError({"province": [_("No such province.")]})
    return province


@extend_schema_view(
    get=extend_schema(tags=TAGS, summary="Onboarding imports of the caller's province (administrators: all)"),
    post=extend_schema(
        tags=TAGS, summary="Upload institutions filed in the national system; the rows are checked (dry run)",
        description="Administrators and the province's officials. Answers 202 at once; GET the job until its "
                    "status is `checked` (then POST …/confirm/ to import) or `failed` (every row and column "
                    "error listed, nothing written).",
        request={"multipart/form-data": OnboardingUploadSerializer},
        responses={202: OnboardingJobSerializer, **WRITE_ERRORS}),
)
class OnboardingImportListCreateView(generics.ListCreateAPIView):
    serializer_class = OnboardingJobSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return OnboardingJob.objects.visible_to(self.request.user).defer("data").order_by("-created_at", "-pk")

    def create(self, request, *args, **kwargs):
        from django.conf import settings

        from portal.dispatch import dispatch_on_commit

        from .onboarding import onboarding_job_create
        from .tasks import onboarding_check_run

        upload = OnboardingUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        province = _onboarding_province(request, upload.validated_data.get("province"))
        if upload.validated_data["file"].size > settings.UPLOAD_MAX_BYTES:
            raise exceptions.ValidationError({"file": [_("The file is too large.")]})
        with transaction.atomic():
            job = onboarding_job_create(province=province, upload=upload.validated_data["file"], actor=request.user)
            dispatch_on_commit(onboarding_check_run, job.pk)
        job.refresh_from_db()
        return Response(OnboardingJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=TAGS, summary="An onboarding import: its progress, its errors, its result",
               responses={200: OnboardingJobSerializer, **READ_ERRORS})
class OnboardingImportDetailView(generics.RetrieveAPIView):
    serializer_class = OnboardingJobSerializer

    def get_queryset(self):
        return OnboardingJob.objects.visible_to(self.request.user).defer("data")


@extend_schema(tags=TAGS, summary="Import a checked onboarding upload, all or nothing",
               request=None, responses={202: OnboardingJobSerializer, **STATE_WRITE_ERRORS})
class OnboardingImportConfirmView(APIView):
    def post(self, request, pk):
        from portal.dispatch import dispatch_on_commit

        from .onboarding import onboarding_confirm
        from .tasks import onboarding_import_run

        job = get_object_or_404(OnboardingJob.objects.visible_to(request.user).select_related("province"), pk=pk)
        with transaction.atomic():
            try:
                job = onboarding_confirm(job=job, actor=request.user)
            except DjangoValidationError as exc:
                raise Conflict(exc.messages[0]) from exc
            dispatch_on_commit(onboarding_import_run, job.pk)
        job.refresh_from_db()
        return Response(OnboardingJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


# --- Staff registry across institutions ------------------------------------------------------------

class RegistryMemberSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    county = serializers.CharField(source="institution.county_code", read_only=True)

    class Meta:
        model = StaffMember
        fields = ["id", "institution", "institution_name", "county", "name", "role", "started_on"]
        read_only_fields = fields


class DoubleRegistrationSerializer(serializers.Serializer):
    identity_masked = serializers.CharField()
    counties = serializers.ListField(child=serializers.CharField())
    members = RegistryMemberSerializer(many=True)


class CertificateDueSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    qualification_state = serializers.SerializerMethodField(help_text="expired, expiring (within 30 days) or empty.")
    health_certificate_state = serializers.SerializerMethodField(help_text="expired, expiring or empty.")

    class Meta:
        model = StaffMember
        fields = ["id", "institution", "institution_name", "name", "role", "qualification_expires_on",
                  "health_certificate_expires_on", "qualification_state", "health_certificate_state"]
        read_only_fields = fields

    def get_qualification_state(self, obj) -> str:
        return staff_registry.certificate_state(obj.qualification_expires_on, self.context["today"])

    def get_health_certificate_state(self, obj) -> str:
        return staff_registry.certificate_state(obj.health_certificate_expires_on, self.context["today"])


@extend_schema(tags=TAGS, responses={200: DoubleRegistrationSerializer(many=True), **READ_ERRORS})
class DoubleRegistrationListView(APIView):
    """People (by identity hash) working today at two or more filed institutions, at least one in the
    caller's area; each group lists every institution, the other county's too. Officials only."""

    def get(self, request):
        require(policies.is_official_or_admin(request.user), _("Only officials and administrators see this."))
        groups = staff_registry.double_registrations(user=request.user)
        return Response(DoubleRegistrationSerializer(groups, many=True).data)


@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: CertificateDueSerializer(many=True),
                                                            **READ_ERRORS}))
class CertificatesDueListView(generics.ListAPIView):
    """Staff working today whose qualification or health certificate has expired or expires within 30
    days: an institution's own staff (for its staff), the area's (for officials)."""

    serializer_class = CertificateDueSerializer
    filterset_class = None

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self):
        return staff_registry.certificates_due(StaffMember.objects.visible_to(self.request.user))
