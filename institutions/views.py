"""Pages of the registry: the staff's own institution, the officials' list and detail, the public register.

Access: every object is looked up in `visible_to(request.user)` (or `publicly_listed()` for the
public), so an institution outside the user's reach is a 404 whatever the URL. Writes go through
`institutions.services`; a service's ValidationError is shown on the form, naming the field.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policies
from accounts.policies import require
from audit.models import AuditEntry
from portal.forms import form_write
from regions import codes
from regions.models import Region

from . import services
from .forms import (
    GuidanceCentreForm,
    InstitutionClassForm,
    InstitutionForm,
    MentoringPairForm,
    OfficialFilterForm,
    RegisterFilterForm,
    StaffCertificateForm,
    StaffMemberForm,
    SuspendForm,
)
from .models import GuidanceCentre, Institution, InstitutionClass, MentoringPair, OnboardingJob, StaffMember
from .staff_registry import certificate_state, certificates_due, double_registrations

PAGE_SIZE = 25
HISTORY_LIMIT = 100

# The institution's history shows changes to the registry and its filings; enrolment entries (which
# concern children's personal data) stay in their own, more restricted views.
HISTORY_ACTION_PREFIXES = ("institution.", "class.", "staff.", "mentoring.", "filing.")


# --- Helpers --------------------------------------------------------------------------------------

def _own_institution(request) -> Institution:
    """The signed-in staff member's institution, or 404 for everyone else."""
    user = request.user
    require(policies.is_linked_staff(user), outside_area=True)
    return get_object_or_404(Institution.objects.visible_to(user).select_related("region__parent"),
                             pk=user.institution_id)


def _ensure_draft(request, institution: Institution) -> None:
    """Particulars and classes are edited directly only while the institution is a draft."""
    if institution.status != Institution.Status.DRAFT:
        messages.info(request, _("This institution is filed: changes go through a change filing."))
        raise _Redirect("institutions:mine")


def _editable_draft(request) -> Institution:
    institution = _own_institution(request)
    _ensure_draft(request, institution)
    return institution


class _Redirect(Exception):
    def __init__(self, to: str):
        self.to = to


def _back_to_own(request, message: str):
    """After a staff member's change: the message, and back to the institution's page."""
    messages.success(request, message)
    return redirect("institutions:mine")


def _redirecting(view):
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Redirect as exc:
            return redirect(exc.to)
    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


HISTORY_MODELS = {"institutions.institution": Institution, "institutions.institutionclass": InstitutionClass,
                  "institutions.staffmember": StaffMember}


def _field_display(model, key: str, value) -> tuple[str, str | None]:
    """A field's label and a value as people read it (choice labels, yes/no), for the history table."""
    field = None
    if model is not None:
        try:
            field = model._meta.get_field(key)
        except Exception:  # noqa: BLE001 — keys of other apps' entries need not be fields here
            field = None
    label = str(field.verbose_name) if field is not None else key
    if value is None or value == "":
        return label, None
    if isinstance(value, bool):
        return label, _("yes") if value else _("no")
    if field is not None and field.choices:
        return label, str(dict(field.flatchoices).get(value, value))
    return label, str(value)


def _history(institution: Institution) -> list[dict]:
    prefixes = Q()
    for prefix in HISTORY_ACTION_PREFIXES:
        prefixes |= Q(action__startswith=prefix)
    entries = (AuditEntry.objects.filter(prefixes, institution_id=institution.pk)
               .order_by("-at", "-pk")[:HISTORY_LIMIT])
    rows = []
    for entry in entries:
        model = HISTORY_MODELS.get(entry.target_type)
        before, after = entry.before or {}, entry.after or {}
        changes = []
        for key in sorted({*before, *after}):
            if before.get(key) == after.get(key):
                continue
            label, new = _field_display(model, key, after.get(key))
            _, old = _field_display(model, key, before.get(key))
            if key in before or new is not None:
                changes.append({"label": label, "old": old, "new": new, "had_before": key in before})
        rows.append({"entry": entry, "label": entry.action_label, "changes": changes})
    return rows


def _staff_rows(members, today: datetime.date) -> list[dict]:
    return [{"member": member, "qualification": certificate_state(member.qualification_expires_on, today),
             "health": certificate_state(member.health_certificate_expires_on, today)} for member in members]


def _enrolled_by_class(classes: list, on) -> dict[int, int]:
    """Children enrolled in each class on a date, counted the way the class list counts them (one query)."""
    from enrolments.models import Enrolment

    if not classes:
        return {}
    return dict(Enrolment.objects.active_on(on).filter(klass__in=classes).values("klass_id")
                .annotate(n=Count("pk")).order_by().values_list("klass_id", "n"))


def _institution_context(institution: Institution) -> dict:
    """Everything the staff page and the official detail page show, in a fixed number of queries."""
    today = timezone.localdate()
    classes = list(institution.classes.order_by("closed_on", "class_type", "name"))
    open_classes = [c for c in classes if c.closed_on is None]
    enrolled = _enrolled_by_class(open_classes, today)
    for c in open_classes:
        c.enrolled = enrolled.get(c.pk, 0)
    members = list(institution.staff_members.filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
                   .order_by("role", "name"))
    staff_rows = _staff_rows(members, today)
    pairs = list(MentoringPair.objects.filter(Q(mentor=institution) | Q(mentee=institution))
                 .select_related("mentor", "mentee").order_by("-started_on"))
    return {
        "institution": institution,
        "open_classes": open_classes,
        "closed_classes": [c for c in classes if c.closed_on is not None],
        "total_places": sum(c.places for c in open_classes),
        "total_caregivers": sum(c.caregivers for c in open_classes),
        "total_enrolled": sum(c.enrolled for c in open_classes),
        "staff_rows": staff_rows,
        "expired_count": sum(1 for r in staff_rows if "expired" in (r["qualification"], r["health"])),
        "pairs": pairs,
        "history": _history(institution),
        "today": today,
    }


def _region_choices(scope_code: str, selected: str) -> tuple[list[Region], Region | None]:
    """Regions for the filter select, in one query and a short list even at national scale: the
    provinces and cities within scope plus the counties of the selected city; a city official gets
    their counties, a county official their townships."""
    selected = selected.strip() if codes.contains(scope_code, selected.strip()) else ""
    if scope_code == "" or codes.level_of(scope_code) == codes.PROVINCE:
        condition = Q(code__startswith=scope_code, level__in=[Region.Level.PROVINCE, Region.Level.CITY])
        if codes.city_of(selected):
            condition |= Q(parent_id=codes.city_of(selected))
    else:
        condition = Q(code=scope_code) | Q(parent_id=scope_code)
    if selected:
        condition |= Q(code=selected)
    regions = list(Region.objects.filter(condition).order_by("code"))
    current = next((r for r in regions if r.code == selected), None)
    return regions, current


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- Staff pages ----------------------------------------------------------------------------------

@login_required
def mine(request):
    """The staff member's institution: status, particulars, classes, staff, mentoring and history."""
    user = request.user
    if policies.is_institution_staff(user) and not policies.is_linked_staff(user):
        return redirect("institutions:create")
    institution = _own_institution(request)
    context = _institution_context(institution)
    context["can_edit"] = institution.status == Institution.Status.DRAFT
    context["is_own"] = True
    return render(request, "institutions/institution_mine.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    """Registration for a staff account that is not linked to an institution yet."""
    user = request.user
    require(policies.is_institution_staff(user), outside_area=True)
    if policies.is_linked_staff(user):
        return redirect("institutions:mine")
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form_write(form, services.institution_create, actor=user):
        return _back_to_own(request, _("Your institution is registered as a draft. Add its classes, then file it."))
    return render(request, "institutions/institution_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
@_redirecting
def edit(request):
    institution = _editable_draft(request)
    form = InstitutionForm(request.POST or None, instance=Institution.objects.get(pk=institution.pk))
    if request.method == "POST" and form_write(form, services.institution_update, institution=institution,
                                               actor=request.user):
        return _back_to_own(request, _("Saved."))
    return render(request, "institutions/institution_form.html", {"form": form, "institution": institution})


@login_required
@require_http_methods(["GET", "POST"])
@_redirecting
def class_add(request):
    institution = _editable_draft(request)
    form = InstitutionClassForm(request.POST or None, institution=institution)
    if request.method == "POST" and form_write(form, services.class_add, institution=institution, actor=request.user):
        return _back_to_own(request, _("Class added."))
    return render(request, "institutions/class_form.html", {"form": form, "institution": institution})


@login_required
@require_http_methods(["GET", "POST"])
@_redirecting
def class_edit(request, pk: int):
    institution = _own_institution(request)
    klass = get_object_or_404(InstitutionClass, pk=pk, institution=institution, closed_on__isnull=True)
    _ensure_draft(request, institution)
    form = InstitutionClassForm(request.POST or None, instance=klass, institution=institution)
    if request.method == "POST" and form_write(form, services.class_update, klass=klass, actor=request.user):
        return _back_to_own(request, _("Class saved."))
    return render(request, "institutions/class_form.html",
                  {"form": form, "institution": institution, "klass": klass})


@login_required
@require_POST
@_redirecting
def class_close(request, pk: int):
    institution = _own_institution(request)
    klass = get_object_or_404(InstitutionClass, pk=pk, institution=institution)
    _ensure_draft(request, institution)
    services.class_close(klass=klass, actor=request.user)
    messages.success(request, _("Class %(name)s closed.") % {"name": klass.name})
    return redirect("institutions:mine")


@login_required
@require_http_methods(["GET", "POST"])
def staff_add(request):
    institution = _own_institution(request)
    form = StaffMemberForm(request.POST or None, institution=institution)
    if request.method == "POST" and form_write(form, services.staff_member_add, institution=institution,
                                               actor=request.user):
        return _back_to_own(request, _("Staff member added."))
    return render(request, "institutions/staff_form.html", {"form": form, "institution": institution})


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk: int):
    institution = _own_institution(request)
    member = get_object_or_404(StaffMember.objects.visible_to(request.user), pk=pk, institution=institution)
    form = StaffMemberForm(request.POST or None, instance=member, institution=institution)
    if request.method == "POST" and form_write(form, services.staff_member_update,
                                               member=StaffMember.objects.get(pk=member.pk), actor=request.user):
        return _back_to_own(request, _("Staff member saved."))
    return render(request, "institutions/staff_form.html",
                  {"form": form, "institution": institution, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def staff_certificates(request, pk: int):
    """A staff member's certificates, numbers and dates, newest first; a renewed one is added, not typed over."""
    institution = _own_institution(request)
    member = get_object_or_404(StaffMember.objects.visible_to(request.user), pk=pk, institution=institution)
    form = StaffCertificateForm(request.POST or None)
    if request.method == "POST" and form_write(form, services.staff_certificate_record, member=member,
                                               actor=request.user):
        messages.success(request, _("Certificate recorded."))
        return redirect("institutions:staff_certificates", pk=member.pk)
    history = member.certificates.select_related("recorded_by").order_by("kind", "-issued_on", "-pk")
    return render(request, "institutions/staff_certificates.html",
                  {"form": form, "member": member, "institution": institution, "history": history},
                  status=400 if form.errors else 200)


# --- Official pages -------------------------------------------------------------------------------

@login_required
def institution_list(request):
    """Institutions of the official's area, filtered and paginated at a fixed number of queries."""
    user = request.user
    require(policies.is_official_or_admin(user), outside_area=True)
    form = OfficialFilterForm(request.GET or None)
    queryset = form.apply(Institution.objects.visible_to(user)).with_open_places().select_related(
        "region__parent").order_by("name", "pk")
    regions, current_region = _region_choices(policies.area_of(user), form.region_code())
    return render(request, "institutions/institution_list.html", {
        "form": form, "page": _page(request, queryset), "regions": regions, "current_region": current_region,
        "querystring": _querystring_without_page(request),
        "onboards": policies.is_admin(user) or policies.onboards(user, user.region_id),
    })


@login_required
def detail(request, pk: int):
    """One institution, read-only, for the officials of its area (and its own staff)."""
    institution = get_object_or_404(Institution.objects.visible_to(request.user).select_related("region__parent"),
                                    pk=pk)
    context = _institution_context(institution)
    context["is_own"] = policies.is_staff_of(request.user, institution)
    if institution.status == Institution.Status.FILED and policies.suspends(request.user, institution):
        context["suspend_form"] = SuspendForm()
    context["may_lift_suspension"] = (institution.status == Institution.Status.SUSPENDED
                                      and policies.suspends(request.user, institution))
    context["opens_targeted"] = policies.supervises(request.user, institution)
    return render(request, "institutions/institution_detail.html", context)


@login_required
@require_POST
def suspend(request, pk: int):
    institution = get_object_or_404(Institution.objects.visible_to(request.user), pk=pk)
    require(policies.suspends(request.user, institution))
    form = SuspendForm(request.POST)
    if institution.status != Institution.Status.FILED:
        form.add_error(None, _("Only a filed institution can be suspended."))
    elif form_write(form, services.institution_suspend, institution=institution, actor=request.user):
        messages.success(request, _("The institution is suspended; the public register shows it as suspended."))
        return redirect("institutions:detail", pk=institution.pk)
    context = {**_institution_context(institution), "is_own": False, "suspend_form": form}
    return render(request, "institutions/institution_detail.html", context, status=400)


@login_required
@require_POST
def lift_suspension(request, pk: int):
    """The filing county lifts a suspension: the institution is filed again."""
    institution = get_object_or_404(Institution.objects.visible_to(request.user), pk=pk)
    require(policies.suspends(request.user, institution))
    if institution.status == Institution.Status.SUSPENDED:
        services.institution_lift_suspension(institution=institution, actor=request.user)
        messages.success(request, _("The suspension is lifted; the institution is filed again."))
    return redirect("institutions:detail", pk=institution.pk)


def _submit(request, form, service, message: str, done: str):
    """POST of an officials' record form: 403 without the form (the role may only read), the service's
    errors onto the form, else a message and a redirect. None: show the page (again)."""
    if request.method != "POST":
        return None
    if form is None:
        raise PermissionDenied
    if form_write(form, service, actor=request.user):
        messages.success(request, message)
        return redirect(done)
    return None


def _page_with_form(request, template: str, form, context: dict):
    return render(request, template, {"form": form, **context}, status=400 if form is not None and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def mentoring(request):
    """Mentoring pairs (帮扶结对) of the official's area; city and province officials set up new ones."""
    user = request.user
    require(policies.is_official_or_admin(user), outside_area=True)
    candidates = (Institution.objects.visible_to(user).filter(status=Institution.Status.FILED)
                  .select_related("region").order_by("region_id", "name"))
    form = MentoringPairForm(request.POST or None, institutions=candidates) if policies.oversees_cities(user) else None
    done = _submit(request, form, services.mentoring_pair_create, _("Mentoring pair set up."), "institutions:mentoring")
    if done:
        return done
    pairs = (MentoringPair.objects.visible_to(user).select_related("mentor__region", "mentee__region")
             .order_by("-started_on", "pk")[:500])
    return _page_with_form(request, "institutions/mentoring.html", form, {"pairs": pairs})


@login_required
def staff_registry(request):
    """Staff of the official's area registered at several institutions at once, and staff whose
    certificates have expired or expire within 30 days: two queries for each list."""
    require(policies.is_official_or_admin(request.user), outside_area=True)
    today = timezone.localdate()
    due = certificates_due(StaffMember.objects.visible_to(request.user), today)[:500]
    return render(request, "institutions/staff_registry.html", {
        "doubles": double_registrations(user=request.user, on=today), "due": _staff_rows(due, today)})


# --- Public register ------------------------------------------------------------------------------

def register(request):
    """Anonymous search of filed institutions; no personal data is ever selected into the page."""
    form = RegisterFilterForm(request.GET or None)
    queryset = (form.apply(Institution.objects.publicly_listed()).with_open_places()
                .select_related("region__parent").order_by("name", "pk"))
    regions, current_region = _region_choices("", form.region_code())
    return render(request, "institutions/register.html", {
        "form": form, "page": _page(request, queryset), "regions": regions, "current_region": current_region,
        "querystring": _querystring_without_page(request),
    })


def register_detail(request, pk: int):
    institution = get_object_or_404(
        Institution.objects.publicly_listed().select_related("region__parent").prefetch_related(
            Prefetch("classes", queryset=InstitutionClass.objects.filter(closed_on__isnull=True)
                     .order_by("class_type", "name"), to_attr="open_classes")),
        pk=pk)
    return render(request, "institutions/register_detail.html", {
        "institution": institution,
        "total_places": sum(c.places for c in institution.open_classes),
    })


@login_required
@require_http_methods(["GET", "POST"])
def guidance_centres(request):
    """The guidance centres of the official's area; city and province officials record new ones."""
    user = request.user
    require(policies.is_official_or_admin(user), outside_area=True)
    cities = Region.objects.overseen_by(user).filter(level=Region.Level.CITY).order_by("code")
    form = GuidanceCentreForm(request.POST or None, cities=cities) if policies.oversees_cities(user) else None
    done = _submit(request, form, services.guidance_centre_create, _("Guidance centre recorded."),
                   "institutions:guidance_centres")
    if done:
        return done
    centres = GuidanceCentre.objects.serving(user).select_related("city").order_by("city_id", "name")
    return _page_with_form(request, "institutions/guidance_centres.html", form, {"centres": centres})


# --- Onboarding an existing province ---------------------------------------------------------------

class OnboardingForm(forms.Form):
    province = forms.ModelChoiceField(queryset=Region.objects.none(), label=gettext_lazy("Province"),
                                      empty_label=None)
    file = forms.FileField(label=gettext_lazy("Spreadsheet (CSV or XLSX)"))

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces


def _onboarding_provinces(request):
    from .onboarding import provinces_for

    provinces = provinces_for(request.user)
    if not provinces.exists():
        raise Http404
    return provinces


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request):
    """Administrators and provincial officials import the institutions filed in the national system."""
    from django.conf import settings
    from django.db import transaction

    from portal.dispatch import dispatch_on_commit

    from . import onboarding as importer
    from .tasks import onboarding_check_run

    provinces = _onboarding_provinces(request)
    form = OnboardingForm(request.POST or None, request.FILES or None, provinces=provinces)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            form.add_error("file", _("The file is too large."))
        else:
            try:
                with transaction.atomic():
                    job = importer.onboarding_job_create(province=form.cleaned_data["province"], upload=upload,
                                                         actor=request.user)
                    dispatch_on_commit(onboarding_check_run, job.pk)
                return redirect("institutions:onboarding_job", pk=job.pk)
            except ValidationError as exc:
                form.add_error("file", exc.messages)
    jobs = OnboardingJob.objects.visible_to(request.user).defer("data").select_related("province")[:10]
    return render(request, "institutions/onboarding.html", {
        "form": form, "jobs": jobs, "headers": importer.HEADERS, "help_lines": importer.HELP_LINES})


def _onboarding_job(request, pk):
    return get_object_or_404(OnboardingJob.objects.visible_to(request.user).defer("data")
                             .select_related("province"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def onboarding_job(request, pk):
    from django.db import transaction

    from portal.dispatch import dispatch_on_commit

    from .onboarding import onboarding_confirm
    from .tasks import onboarding_import_run

    job = _onboarding_job(request, pk)
    if request.method == "POST":
        try:
            with transaction.atomic():
                onboarding_confirm(job=job, actor=request.user)
                dispatch_on_commit(onboarding_import_run, job.pk)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        return redirect("institutions:onboarding_job", pk=job.pk)
    return render(request, "institutions/onboarding_job.html", {"job": job})


@login_required
def onboarding_progress(request, pk):
    return render(request, "institutions/_onboarding_progress.html", {"job": _onboarding_job(request, pk)})


@login_required
def onboarding_template(request):
    from django.http import HttpResponse

    from .onboarding import template_csv

    _onboarding_provinces(request)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="onboarding-template.csv"'
    return response
