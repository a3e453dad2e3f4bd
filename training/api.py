"""The training REST API: courses of the guidance centres, registrations, attendance, certificates, figures.

Courses are public to everyone signed in; officials of the centre's city publish them. Registrations carry
staff names (personal data): only the registering institution's staff and the officials running the course
see them (anyone else: 404). The figures are counts, for officials of the area (and an institution's own).
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policies
from accounts.policies import require
from institutions.models import GuidanceCentre, Institution, StaffMember
from portal.api.filters import IdFilter
from portal.api.schema import BAD_REQUEST, CONFLICT, READ_ERRORS, WRITE_ERRORS
from portal.api.serializers import validated
from regions import codes
from regions.models import Region

from . import selectors, services
from .models import Course, Registration

TAGS = ["training"]
LIST_ERRORS = {**READ_ERRORS, 400: BAD_REQUEST}
WRITE_ERRORS_409 = {**WRITE_ERRORS, 409: CONFLICT}


class TrainingCourseSerializer(serializers.ModelSerializer):
    centre_name = serializers.CharField(source="centre.name", read_only=True)
    city = serializers.CharField(source="centre.city_id", read_only=True)
    places_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = Course
        fields = ["id", "centre", "centre_name", "city", "kind", "title", "starts_on", "ends_on", "hours", "capacity",
                  "registered_count", "places_left", "status", "updated_at"]
        read_only_fields = fields


class TrainingCourseCreateSerializer(serializers.Serializer):
    centre = serializers.IntegerField(min_value=1, help_text="A guidance centre of the caller's city.")
    kind = serializers.ChoiceField(choices=Course.Kind.choices)
    title = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    hours = serializers.IntegerField(min_value=1, max_value=500)
    capacity = serializers.IntegerField(min_value=1, max_value=500)


class TrainingRegistrationSerializer(serializers.ModelSerializer):
    staff_member_name = serializers.CharField(source="staff_member.name", read_only=True)
    staff_member_role = serializers.CharField(source="staff_member.role", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)
    certificate_number = serializers.CharField(source="certificate.number", read_only=True, allow_null=True,
                                               default=None)
    certificate_expires_on = serializers.DateField(source="certificate.expires_on", read_only=True, allow_null=True,
                                                   default=None)

    class Meta:
        model = Registration
        fields = ["id", "course", "course_title", "staff_member", "staff_member_name", "staff_member_role",
                  "institution", "institution_name", "status", "hours_attended", "registered_at",
                  "attendance_recorded_at", "certificate", "certificate_number", "certificate_expires_on",
                  "updated_at"]
        read_only_fields = fields


class TrainingRegistrationCreateSerializer(serializers.Serializer):
    course = serializers.IntegerField(min_value=1)
    staff_member = serializers.IntegerField(min_value=1, help_text="A staff member of the caller's institution.")


class TrainingAttendanceSerializer(serializers.Serializer):
    attended = serializers.BooleanField()
    hours = serializers.IntegerField(min_value=1, max_value=500, required=False, allow_null=True, default=None,
                                     help_text="Hours attended; required when attended, ignored when absent.")


class TrainingCertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    issued_on = serializers.DateField()
    expires_on = serializers.DateField()
    staff_member = serializers.IntegerField(source="staff_member_id")


class TrainingFigureSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The region's division code, or the institution's id.")
    name = serializers.CharField()
    caregivers = serializers.IntegerField()
    trained = serializers.IntegerField(help_text="Caregivers holding an unexpired training certificate on the date.")
    expiring = serializers.IntegerField(help_text="Trained caregivers whose certificate expires within the flag's "
                                                  "days.")
    share = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True,
                                     help_text="Trained ÷ caregivers, per cent; null without caregivers.")


class TrainingFiguresSerializer(serializers.Serializer):
    date = serializers.DateField()
    expiring_within_days = serializers.IntegerField()
    rows = TrainingFigureSerializer(many=True)


# --- Filters -------------------------------------------------------------------------------------------

class CourseFilter(django_filters.FilterSet):
    centre = IdFilter(field_name="centre")
    starts_from = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    starts_to = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte")

    class Meta:
        model = Course
        fields = ["centre", "kind", "status"]


class RegistrationFilter(django_filters.FilterSet):
    course = IdFilter(field_name="course")
    institution = IdFilter(field_name="institution")

    class Meta:
        model = Registration
        fields = ["course", "institution", "status"]


# --- Courses -----------------------------------------------------------------------------------------------

@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: TrainingCourseSerializer(many=True), **LIST_ERRORS}))
class CourseListView(generics.ListCreateAPIView):
    """Courses of the guidance centres, soonest first; officials of a centre's city publish new ones there."""

    serializer_class = TrainingCourseSerializer
    filterset_class = CourseFilter
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Course.objects.none()
        return Course.objects.visible_to(self.request.user).select_related("centre").order_by("starts_on", "pk")

    @extend_schema(tags=TAGS, request=TrainingCourseCreateSerializer,
                   responses={201: TrainingCourseSerializer, **WRITE_ERRORS})
    def post(self, request, *args, **kwargs):
        user = request.user
        require(policies.runs_training(user), _("Only officials of the centre's city publish its courses."))
        d = validated(TrainingCourseCreateSerializer, request)
        centre = get_object_or_404(GuidanceCentre.objects.visible_to(user), pk=d.pop("centre"))
        course = services.course_publish(centre=centre, actor=user, **d)
        return Response(TrainingCourseSerializer(course).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(tags=TAGS, responses={200: TrainingCourseSerializer, **READ_ERRORS}))
class CourseDetailView(generics.RetrieveAPIView):
    serializer_class = TrainingCourseSerializer

    def get_queryset(self):
        return Course.objects.visible_to(self.request.user).select_related("centre")


# --- Registrations, attendance, certificates -------------------------------------------------------------

def _registrations(user):
    return Registration.objects.visible_to(user).select_related("course__centre", "staff_member", "institution",
                                                                "certificate")


@extend_schema_view(get=extend_schema(tags=TAGS,
                                      responses={200: TrainingRegistrationSerializer(many=True), **LIST_ERRORS}))
class RegistrationListView(generics.ListCreateAPIView):
    """Registrations the caller may see (their institution's, or those of the courses they run); institution
    staff register their staff members (409 when the course is full, started or the member registered)."""

    serializer_class = TrainingRegistrationSerializer
    filterset_class = RegistrationFilter
    parser_classes = [JSONParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        return _registrations(self.request.user).order_by("-registered_at", "-pk")

    @extend_schema(tags=TAGS, request=TrainingRegistrationCreateSerializer,
                   responses={201: TrainingRegistrationSerializer, **WRITE_ERRORS_409})
    def post(self, request, *args, **kwargs):
        user = request.user
        require(policies.is_linked_staff(user), _("Only institution staff register their staff members."))
        d = validated(TrainingRegistrationCreateSerializer, request)
        course = get_object_or_404(Course.objects.visible_to(user).select_related("centre"), pk=d["course"])
        member = get_object_or_404(StaffMember.objects.visible_to(user).select_related("institution"),
                                   pk=d["staff_member"])
        registration = services.registration_create(course=course, staff_member=member, actor=user)
        return Response(TrainingRegistrationSerializer(_registrations(user).get(pk=registration.pk)).data,
                        status=status.HTTP_201_CREATED)


class _RegistrationAction(APIView):
    parser_classes = [JSONParser]

    def registration(self, request, pk: int) -> Registration:
        return get_object_or_404(_registrations(request.user), pk=pk)


class RegistrationCancelView(_RegistrationAction):
    """The institution withdraws a registration before the course starts (409 after); a repeat changes nothing."""

    @extend_schema(tags=TAGS, request=None, responses={200: TrainingRegistrationSerializer, **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        registration = services.registration_cancel(registration=self.registration(request, pk), actor=request.user)
        return Response(TrainingRegistrationSerializer(_registrations(request.user).get(pk=registration.pk)).data)


class AttendanceView(_RegistrationAction):
    """The officials of the centre's city record attendance (attended with hours, or absent), from the course's
    first day until the certificate is issued (409 otherwise)."""

    @extend_schema(tags=TAGS, request=TrainingAttendanceSerializer, responses={200: TrainingRegistrationSerializer,
                                                                       **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        registration = self.registration(request, pk)
        require(policies.runs_training_at(request.user, registration.course.centre),
                _("Only officials of the centre's city record attendance at its courses."))
        d = validated(TrainingAttendanceSerializer, request)
        registration = services.attendance_record(registration=registration, attended=d["attended"],
                                                  hours=d.get("hours"), actor=request.user)
        return Response(TrainingRegistrationSerializer(_registrations(request.user).get(pk=registration.pk)).data)


class CertificateView(_RegistrationAction):
    """The officials of the centre's city issue the training certificate of a staff member who attended the
    whole course, once (409 for a repeat, an incomplete attendance or a course not ended)."""

    @extend_schema(tags=TAGS, request=None, responses={201: TrainingCertificateSerializer, **WRITE_ERRORS_409})
    def post(self, request, pk: int):
        certificate = services.certificate_issue(registration=self.registration(request, pk), actor=request.user)
        return Response(TrainingCertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


# --- Figures -----------------------------------------------------------------------------------------------

class _DateRegion(forms.Form):
    date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    region = forms.RegexField(regex=r"^\d{2}(\d{2}(\d{2}(\d{3})?)?)?$", required=False)


def _query(request) -> tuple[datetime.date, str]:
    """The date and region asked for; a parameter given empty is refused (400), not read as "not given"."""
    empty = {k: [_("This field cannot be blank.")] for k in ("date", "region") if request.query_params.get(k) == ""}
    if empty:
        raise DRFValidationError(empty)
    form = _DateRegion(request.query_params)
    if not form.is_valid():
        raise DRFValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    return form.cleaned_data["date"] or timezone.localdate(), form.cleaned_data["region"] or ""


FIGURE_PARAMETERS = [
    OpenApiParameter("date", datetime.date, description="The day counted (default today)."),
    OpenApiParameter("region", str, pattern=r"^\d{2}(\d{2}(\d{2}(\d{3})?)?)?$",
                     description="A region code of the caller's area (default the caller's own region)."),
]


def _answer(on, rows) -> Response:
    data = {"date": on, "expiring_within_days": settings.TRAINING_EXPIRING_WITHIN_DAYS, "rows": rows}
    return Response(TrainingFiguresSerializer(data).data)


def official_region(user, region: str) -> str:
    """The region the figures are for: the one asked (in the caller's area), else the caller's own."""
    require(policies.is_official_or_admin(user), _("Training figures of regions are for officials."))
    region = region or (policies.area_of(user) or "13")
    policies.require_in_area(policies.in_area(user, region), _("This region is outside your area."), user=user,
                             region=region)
    return region


class RegionFiguresView(APIView):
    """Trained caregivers / caregivers of a region and of each region one level below it (a township: itself),
    on a date: one query for all of them."""

    @extend_schema(tags=TAGS, parameters=FIGURE_PARAMETERS, responses={200: TrainingFiguresSerializer, **LIST_ERRORS})
    def get(self, request):
        on, region = _query(request)
        region = official_region(request.user, region)
        children = [] if codes.level_of(region) == codes.TOWNSHIP else list(
            Region.objects.filter(parent_id=region).order_by("code").values_list("code", flat=True))
        return _answer(on, selectors.region_figures(codes=[region, *children], on=on))


class InstitutionFiguresView(APIView):
    """Trained caregivers / caregivers per institution: of a county or township of the caller's area (officials;
    by default their own, when they are a county's or township's), or the caller's own institution (staff)."""

    @extend_schema(tags=TAGS, parameters=[
        FIGURE_PARAMETERS[0],
        OpenApiParameter("region", str, pattern=r"^\d{6}(\d{3})?$",
                         description="A county or township code of the caller's area (officials above a county: "
                                     "required)."),
    ], responses={200: TrainingFiguresSerializer, **LIST_ERRORS})
    def get(self, request):
        on, region = _query(request)
        user = request.user
        if policies.is_linked_staff(user):
            institution = Institution.objects.get(pk=user.institution_id)
            return _answer(on, [selectors.institution_figure(institution, on)])
        require(policies.is_official_or_admin(user), _("Training figures of regions are for officials."))
        region = region or policies.area_of(user) or ""
        if codes.level_of(region) not in (codes.COUNTY, codes.TOWNSHIP):
            raise DRFValidationError({"region": [_("Choose a county: its institutions are listed.")]})
        region = official_region(user, region)
        return _answer(on, selectors.institution_figures(on=on, prefix=region))
