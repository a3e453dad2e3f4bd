"""Complaint pages: filing and following one (anyone), the county's queue and answer (officials)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policies
from accounts.policies import require
from institutions.models import Institution
from portal.forms import add_service_errors, flash_service_errors, form_write

from . import services
from .forms import AnswerForm, ComplaintForm, LookupForm, QueueFilterForm
from .models import Complaint
from .throttling import ComplaintLookupThrottle, ComplaintThrottle, allowed

FILED_SESSION_KEY = "complaint_filed"


def _too_many(request, template: str, context: dict):
    context = {**context, "throttled": True}
    return render(request, template, context, status=429)


@require_http_methods(["GET", "POST"])
def submit(request, institution_pk: int):
    """Anyone files a complaint about an institution of the public register."""
    institution = get_object_or_404(Institution.objects.publicly_listed().select_related("region"), pk=institution_pk)
    form = ComplaintForm(request.POST or None)
    context = {"institution": institution, "form": form, "days": settings.COMPLAINT_ANSWER_WORKING_DAYS}
    if request.method == "POST":
        if not allowed(ComplaintThrottle, request):
            return _too_many(request, "complaints/complaint_form.html", context)
        if form.is_valid() and not form.is_robot():
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            try:
                filed = services.complaint_submit(institution=institution, actor=request.user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                request.session[FILED_SESSION_KEY] = [filed.complaint.reference, filed.token]
                return redirect("complaints:filed")
        elif form.is_valid():  # the hidden field was filled in: answer as if filed, keep nothing
            return redirect("complaints:track")
    return render(request, "complaints/complaint_form.html", context, status=400 if form.errors else 200)


def filed(request):
    """The reference and secret code, shown once after filing."""
    reference, token = request.session.pop(FILED_SESSION_KEY, [None, None])
    if reference is None:
        return redirect("complaints:track")
    complaint = Complaint.objects.select_related("institution").get(reference=reference)
    return render(request, "complaints/complaint_filed.html", {"complaint": complaint, "token": token})


@require_http_methods(["GET", "POST"])
def track(request):
    """The complainant follows the complaint with its reference and secret code: status and answer only."""
    form = LookupForm(request.POST or None, initial={"reference": request.GET.get("reference", "")})
    context = {"form": form, "complaint": None}
    if request.method == "POST":
        if not allowed(ComplaintLookupThrottle, request):
            return _too_many(request, "complaints/complaint_track.html", context)
        if form.is_valid():
            context["complaint"] = services.complaint_lookup(**form.cleaned_data)
            if context["complaint"] is None:
                form.add_error(None, _("No complaint has this reference and secret code."))
    return render(request, "complaints/complaint_track.html", context, status=400 if form.errors else 200)


@login_required
def queue(request):
    """The complaints of the official's area; a county's own, oldest deadline first, overdue ones flagged."""
    require(policies.is_official_or_admin(request.user), outside_area=True)
    form = QueueFilterForm(request.GET or None)
    complaints = Complaint.objects.visible_to(request.user).select_related("institution", "county")
    if form.is_valid():
        if form.cleaned_data["status"]:
            complaints = complaints.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["overdue"]:
            complaints = complaints.overdue()
    today = timezone.localdate()
    counts = Complaint.objects.visible_to(request.user).aggregate(
        open=Count("pk", filter=Q(status=Complaint.Status.RECEIVED)),
        overdue=Count("pk", filter=Q(status=Complaint.Status.RECEIVED, due_on__lt=today)))
    complaints = complaints.order_by("status", "due_on", "pk")[:500]
    return render(request, "complaints/complaint_queue.html", {
        "form": form, "complaints": complaints, "counts": counts, "today": today,
        "is_reviewer": policies.is_reviewer(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    """A complaint as officials of its area see it; the county handling it answers here."""
    complaint = get_object_or_404(Complaint.objects.visible_to(request.user).select_related(
        "institution__region", "county", "answered_by", "inspection"), pk=pk)
    handles = policies.handles_complaint(request.user, complaint)
    form = AnswerForm(request.POST or None) if handles and complaint.status == Complaint.Status.RECEIVED else None
    if request.method == "POST":
        require(form is not None, _("Only the county health commission handling the complaint answers it."))
        if form_write(form, services.complaint_answer, complaint=complaint, actor=request.user):
            messages.success(request, _("Answer sent: the complainant sees it on the lookup page."))
            return redirect("complaints:detail", pk=complaint.pk)
    return render(request, "complaints/complaint_detail.html", {
        "complaint": complaint, "handles": handles, "form": form},
        status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def open_inspection(request, pk: int):
    """The county handling the complaint opens a targeted inspection of the institution after it."""
    complaint = get_object_or_404(Complaint.objects.visible_to(request.user), pk=pk)
    try:
        complaint = services.complaint_open_inspection(complaint=complaint, actor=request.user,
                                                       reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("Targeted inspection opened; assign its inspectors on the inspection page."))
    return redirect("complaints:detail", pk=complaint.pk)


@login_required
@require_GET
def contact(request, pk: int):
    """The complainant's contact: the county handling the complaint only (anyone else: 404). Audited."""
    complaint = get_object_or_404(Complaint.objects.visible_to(request.user).select_related("county"), pk=pk)
    contact = services.complaint_contact_read(complaint=complaint, actor=request.user)
    return render(request, "complaints/complaint_contact.html", {"complaint": complaint, "contact": contact})
