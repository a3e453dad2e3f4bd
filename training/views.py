"""Training pages: the officials' figures and courses, a course with its registrations, and the writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policies
from accounts.policies import require
from institutions.models import GuidanceCentre, Institution, StaffMember
from portal.forms import add_service_errors, flash_action
from regions import codes
from regions.models import Region

from . import selectors, services
from .forms import AttendanceForm, CourseForm, RegistrationForm
from .models import Course, Registration


def _area_courses(user):
    """The courses an official follows: those of the centres of their city (a province's: all of its cities'; a
    county's or township's: its city's)."""
    courses = Course.objects.visible_to(user).select_related("centre")
    if policies.is_admin(user):
        return courses
    area = user.region_id or ""
    return courses.in_area(codes.city_of(area) or area)


@login_required
@require_GET
def home(request):
    """Officials: trained caregivers per region of their area and the courses they follow or run. Institution
    staff: their institution's figure, the courses open to them and their registrations."""
    user = request.user
    if policies.is_linked_staff(user):
        return _staff_home(request)
    require(policies.is_official_or_admin(user), outside_area=True)
    today = timezone.localdate()
    code = request.GET.get("region") or policies.area_of(user) or "13"
    region = get_object_or_404(Region, code=code) if code.isdigit() and len(code) <= 9 else None
    if region is None or not policies.in_area(user, region):
        raise Http404
    children = [] if region.level == Region.Level.TOWNSHIP else list(
        Region.objects.filter(parent=region).order_by("code").values_list("code", flat=True))
    figures = selectors.region_figures(codes=[region.code, *children], on=today)
    institutions = (selectors.institution_figures(on=today, prefix=region.code)
                    if region.level in (Region.Level.COUNTY, Region.Level.TOWNSHIP) else None)
    courses = _area_courses(user).filter(starts_on__gte=today.replace(month=1, day=1)).order_by("-starts_on", "pk")
    return render(request, "training/home_official.html", {
        "region": region, "total": figures[0], "children": figures[1:], "institutions": institutions,
        "courses": courses[:100], "today": today, "runs": policies.runs_training(user),
        "parent": region.parent_id if region.parent_id and policies.in_area(user, region.parent_id) else None,
        **_definitions()})


def _definitions() -> dict:
    from django.conf import settings

    return {"valid_years": settings.TRAINING_CERTIFICATE_VALID_YEARS,
            "expiring_days": settings.TRAINING_EXPIRING_WITHIN_DAYS}


def _staff_home(request):
    user = request.user
    today = timezone.localdate()
    institution = Institution.objects.get(pk=user.institution_id)
    registrations = (Registration.objects.visible_to(user).select_related("course__centre", "staff_member",
                                                                           "certificate")
                     .order_by("-course__starts_on", "staff_member__name", "pk")[:200])
    return render(request, "training/home_staff.html", {
        "institution": institution, "figure": selectors.institution_figure(institution, today),
        "expiring": selectors.expiring_certificates(institution_id=institution.pk, on=today)[:50],
        "courses": Course.objects.open_to(user).select_related("centre__city").order_by("starts_on", "pk")[:100],
        "registrations": registrations, "today": today, **_definitions()})


@login_required
@require_http_methods(["GET", "POST"])
def course_new(request):
    """City officials publish a course at one of their city's guidance centres."""
    user = request.user
    require(policies.runs_training(user), _("Only officials of the centre's city publish its courses."))
    centres = GuidanceCentre.objects.publishable_by(user).order_by("name")
    if not centres.exists():
        messages.error(request, _("Your city has no guidance centre recorded yet."))
        return redirect("training:home")
    form = CourseForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_publish(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Course published: institutions of the province may register their staff."))
            return redirect("training:course", pk=course.pk)
    return render(request, "training/course_form.html", {"form": form}, status=400 if form.errors else 200)


def _course(request, pk: int) -> Course:
    return get_object_or_404(Course.objects.visible_to(request.user).select_related("centre__city"), pk=pk)


def _register_form(request, course: Course, data=None):
    """The registration form for the institution's staff, when the course is open to them."""
    user = request.user
    if not Course.objects.open_to(user).filter(pk=course.pk).exists():
        return None
    taken = Registration.objects.taking_places().filter(course=course).values("staff_member_id")
    members = (StaffMember.objects.filter(institution_id=user.institution_id).active_on(timezone.localdate())
               .exclude(pk__in=taken).order_by("role", "name"))
    return RegistrationForm(data, members=members)


@login_required
@require_GET
def course(request, pk: int):
    """A course: its particulars; for the institution's staff, registering their staff and their registrations;
    for the officials running it, every registration with attendance and certificates."""
    user = request.user
    course = _course(request, pk)
    runs = policies.runs_training_at(user, course.centre)
    registrations = (Registration.objects.visible_to(user).filter(course=course).taking_places()
                     .select_related("staff_member", "institution", "certificate")
                     .order_by("institution__name", "staff_member__name", "pk"))
    return render(request, "training/course_detail.html", {
        "course": course, "runs": runs, "registrations": registrations,
        "register_form": _register_form(request, course) if policies.is_linked_staff(user) else None,
        "today": timezone.localdate(), "started": course.has_started(),
        "ended": course.ends_on <= timezone.localdate(), **_definitions()})


@login_required
@require_POST
def register(request, pk: int):
    course = _course(request, pk)
    require(policies.is_linked_staff(request.user), _("Only institution staff register their staff members."))
    form = _register_form(request, course, request.POST)
    if form is None:
        messages.error(request, _("Registration for this course is closed to your institution."))
    else:
        flash_action(request, lambda d: services.registration_create(course=course, actor=request.user, **d),
                     lambda made: _("%(name)s is registered for this course.") % {"name": made.staff_member.name},
                     form=form)
    return redirect("training:course", pk=course.pk)


def _registration(request, pk: int) -> Registration:
    return get_object_or_404(Registration.objects.visible_to(request.user).select_related(
        "course__centre", "staff_member", "institution"), pk=pk)


@login_required
@require_POST
def cancel(request, pk: int):
    registration = _registration(request, pk)
    flash_action(request, lambda: services.registration_cancel(registration=registration, actor=request.user),
                 _("Registration withdrawn: the place is free again."))
    return redirect("training:course", pk=registration.course_id)


@login_required
@require_POST
def attendance(request, pk: int):
    registration = _registration(request, pk)
    require(policies.runs_training_at(request.user, registration.course.centre),
            _("Only officials of the centre's city record attendance at its courses."))
    flash_action(request, lambda d: services.attendance_record(registration=registration, actor=request.user, **d),
                 _("Attendance of %(name)s recorded.") % {"name": registration.staff_member.name},
                 form=AttendanceForm(request.POST))
    return redirect(f"{registration.course.get_absolute_url()}#r{registration.pk}")


@login_required
@require_POST
def certificate(request, pk: int):
    registration = _registration(request, pk)
    flash_action(request, lambda: services.certificate_issue(registration=registration, actor=request.user),
                 lambda issued: _("Certificate %(number)s issued to %(name)s, valid until %(date)s.") % {
                     "number": issued.number, "name": registration.staff_member.name,
                     "date": issued.expires_on.isoformat()})
    return redirect(f"{registration.course.get_absolute_url()}#r{registration.pk}")
