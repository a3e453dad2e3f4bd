"""Pages: class lists, enrol / move / withdraw, child record, due list, import, export, reports.

Staff pages show their own institution only; anyone else gets a 404 (never a 403 that leaks
existence). Officials' pages (occupancy, reporting) carry counts only, never a child's name.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import policies
from accounts.policies import require
from institutions.models import Institution
from portal.forms import add_service_errors, flash_action, form_write

from . import exporting, importing, requests, selectors, services
from .forms import (
    ConsentForm,
    EnrolExistingForm,
    EnrolForm,
    ExportForm,
    GuardianRequestAnswerForm,
    GuardianRequestForm,
    ImportForm,
    MoveForm,
    WithdrawForm,
)
from .models import Child, Enrolment, EnrolmentReport, ExportApproval, GuardianRequest, ImportJob


def _institution(request) -> Institution:
    require(policies.is_linked_staff(request.user), outside_area=True)
    return request.user.institution


def _official_region(request) -> str:
    user = request.user
    require(policies.is_official_or_admin(user), outside_area=True)
    return (request.GET.get("region", "13")[:9] or "13") if policies.is_admin(user) else user.region_id


@login_required
def classes(request):
    institution = _institution(request)
    today = timezone.localdate()
    class_list = selectors.class_lists(institution, today)
    for k in class_list:
        k.enrolled = len(k.current)
        k.percent = min(100, int(k.enrolled * 100 / k.places)) if k.places else 0
    return render(request, "enrolments/classes.html", {
        "institution": institution, "classes": class_list, "today": today,
        "due_count": len(selectors.due_enrolments(institution, today)),
        "total_enrolled": sum(k.enrolled for k in class_list), "total_places": sum(k.places for k in class_list)})


@login_required
def enrol(request):
    institution = _institution(request)
    form = EnrolForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                child = services.child_register(
                    institution=institution, name=data["name"], sex=data["sex"], date_of_birth=data["date_of_birth"],
                    document_type=data["document_type"], document_number=data["document_number"],
                    guardians=[{"name": data["guardian_name"], "relation": data["guardian_relation"],
                                "phone": data["guardian_phone"]}], consent=form.consent(), actor=request.user)
                services.enrolment_create(child=child, klass=data["klass"], care_form=data["care_form"],
                                          start_date=data["start_date"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(child)s is enrolled in class %(class)s.")
                             % {"child": child.name, "class": data["klass"].name})
            return redirect("enrolments:classes")
    return render(request, "enrolments/enrol.html", {"form": form, "institution": institution},
                  status=400 if form.errors else 200)


def _own_enrolment(request, pk) -> Enrolment:
    return get_object_or_404(Enrolment.objects.visible_to(request.user).select_related("child", "klass", "institution"),
                             pk=pk)


@login_required
def move(request, pk):
    institution = _institution(request)
    enrolment = _own_enrolment(request, pk)
    form = MoveForm(request.POST or None, institution=institution, initial={"on": timezone.localdate()})
    if request.method == "POST" and form_write(form, services.enrolment_move_class, enrolment=enrolment,
                                               actor=request.user):
        messages.success(request, _("%(child)s moves to class %(class)s.")
                         % {"child": enrolment.child.name, "class": form.cleaned_data["klass"].name})
        return redirect("enrolments:classes")
    return render(request, "enrolments/move.html", {"form": form, "enrolment": enrolment})


@login_required
def withdraw(request, pk):
    _institution(request)
    enrolment = _own_enrolment(request, pk)
    form = WithdrawForm(request.POST or None, initial={"end_date": timezone.localdate()})
    if request.method == "POST" and form_write(form, services.enrolment_end, enrolment=enrolment, actor=request.user):
        messages.success(request, _("%(child)s is withdrawn.") % {"child": enrolment.child.name})
        return redirect("enrolments:classes")
    return render(request, "enrolments/withdraw.html", {"form": form, "enrolment": enrolment})


@login_required
def child_detail(request, pk):
    child = get_object_or_404(Child.objects.visible_to(request.user).select_related("institution"), pk=pk)
    with transaction.atomic():
        services.child_record_view(child=child, actor=request.user)
    history = (child.enrolments.select_related("klass").order_by("-start_date", "-pk"))
    return render(request, "enrolments/child_detail.html", {
        "child": child, "number": child.document_number(), "guardians": child.guardians.all(),
        "history": history, "child_age": child.age_in_months(timezone.localdate()),
        "consent_form": ConsentForm(child=child) if not child.consent_recorded and not child.erased_at else None})


@login_required
@require_POST
def consent_record(request, pk):
    """Records a guardian's consent for a child kept before consent was recorded."""
    child = get_object_or_404(Child.objects.visible_to(request.user), pk=pk)
    form = ConsentForm(request.POST, child=child)
    flash_action(request, lambda _data: services.child_consent_record(child=child, consent=form.consent(),
                                                                      actor=request.user),
                 _("The guardian's consent is recorded."), form=form)
    return redirect("enrolments:child", pk=child.pk)


@login_required
def enrol_existing(request, pk):
    institution = _institution(request)
    child = get_object_or_404(Child.objects.visible_to(request.user).filter(institution=institution), pk=pk)
    form = EnrolExistingForm(request.POST or None, institution=institution,
                             initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form_write(form, services.enrolment_create, child=child, actor=request.user):
        messages.success(request, _("%(child)s is enrolled in class %(class)s.")
                         % {"child": child.name, "class": form.cleaned_data["klass"].name})
        return redirect("enrolments:child", pk=child.pk)
    return render(request, "enrolments/enrol_existing.html", {"form": form, "child": child})


@login_required
def due(request):
    institution = _institution(request)
    today = timezone.localdate()
    notices = selectors.due_enrolments(institution, today)
    return render(request, "enrolments/due.html", {"notices": notices, "today": today})


def _download(content: bytes, fmt: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(content,
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="enrolments-{stamp}.{fmt}"'
    return response


@login_required
def export(request):
    """Asks what a download of children's records is for, then downloads it (watermarked and logged), or,
    above the threshold, asks a colleague to approve it; lists the institution's approval requests."""
    institution = _institution(request)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            content, _rows = exporting.export_download(institution=institution, fmt=data["format"],
                                                       purpose=data["purpose"], actor=request.user)
        except exporting.ApprovalNeeded as exc:
            exporting.export_approval_request(institution=institution, fmt=data["format"], purpose=data["purpose"],
                                              actor=request.user)
            messages.info(request, " ".join(exc.messages) + " " + _("Your request is waiting for approval."))
            return redirect("enrolments:export")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _download(content, data["format"])
    approvals = (ExportApproval.objects.filter(institution=institution).select_related("requested_by", "decided_by")
                 [:20])
    return render(request, "enrolments/export.html", {
        "form": form, "rows": exporting.export_rows_count(institution), "approvals": approvals,
        "threshold": settings.CHILD_EXPORT_APPROVAL_ROWS, "per_hour": settings.PERSONAL_DATA_EXPORTS_PER_HOUR},
        status=400 if form.errors else 200)


def _approval(request, pk) -> ExportApproval:
    institution = _institution(request)
    return get_object_or_404(ExportApproval.objects.select_related("institution"), pk=pk, institution=institution)


@login_required
@require_POST
def export_decide(request, pk):
    approval = _approval(request, pk)
    flash_action(request, lambda: exporting.export_approval_decide(
        approval=approval, approve=request.POST.get("approve") == "1", actor=request.user), _("Decision recorded."))
    return redirect("enrolments:export")


@login_required
@require_POST
def export_fetch(request, pk):
    approval = _approval(request, pk)
    try:
        content, _rows = exporting.export_approved_download(approval=approval, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("enrolments:export")
    return _download(content, approval.format)


@login_required
def import_template(request, fmt):
    _institution(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "xlsx":
        response = HttpResponse(importing.template_xlsx(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="enrolment-template.{fmt}"'
    return response


@login_required
def import_upload(request):
    institution = _institution(request)
    form = ImportForm(request.POST or None, request.FILES or None, institution=institution,
                      max_bytes=settings.UPLOAD_MAX_BYTES)
    if request.method == "POST" and form.is_valid():
        try:
            job = importing.import_job_submit(institution=institution, upload=form.cleaned_data["file"],
                                              klass=form.cleaned_data["klass"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("enrolments:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(institution=institution).defer("data").order_by("-created_at")[:10]
    return render(request, "enrolments/import.html", {"form": form, "jobs": jobs,
                                                      "headers": importing.HEADERS,
                                                      "help_lines": importing.HELP_LINES})


def _job(request, pk) -> ImportJob:
    institution = _institution(request)
    return get_object_or_404(ImportJob.objects.defer("data"), pk=pk, institution=institution)


@login_required
def import_job(request, pk):
    return render(request, "enrolments/import_job.html", {"job": _job(request, pk)})


@login_required
def import_progress(request, pk):
    """The progress fragment htmx polls every second until the job is finished."""
    return render(request, "enrolments/_import_progress.html", {"job": _job(request, pk)})


# --- Periodic report ------------------------------------------------------------------------------

@login_required
def reports(request):
    institution = _institution(request)
    today = timezone.localdate()
    setting = services.reporting_setting(institution.region_id)
    periods = services.recent_periods(setting, today, count=4)
    existing = {r.period_start: r for r in EnrolmentReport.objects.filter(
        institution=institution, period_start__in=[p[0] for p in periods])}
    expected = services.expected_institutions
    from institutions.models import InstitutionClass

    from .models import CareForm

    for r in existing.values():
        r.figure_rows = [(InstitutionClass.ClassType(ct).label, CareForm(cf).label, n)
                         for ct, forms in sorted(r.figures.items()) for cf, n in sorted(forms.items())]
    rows = []
    for start, end in periods:
        due_on = end + datetime.timedelta(days=setting.grace_days)
        is_expected = expected(start, end).filter(pk=institution.pk).exists()
        rows.append({"start": start, "end": end, "due_on": due_on, "report": existing.get(start),
                     "expected": is_expected})
    return render(request, "enrolments/reports.html", {"rows": rows, "setting": setting, "today": today})


@login_required
@require_POST
def report_action(request, action):
    institution = _institution(request)
    try:
        if action == "prepare":
            start = datetime.date.fromisoformat(request.POST.get("period_start", ""))
            report = services.report_prepare(institution=institution, period_start=start, actor=request.user)
        else:
            report = get_object_or_404(EnrolmentReport.objects.visible_to(request.user),
                                       pk=request.POST.get("report"))
            if action == "confirm":
                services.report_confirm(report=report, actor=request.user)
            elif action == "submit":
                services.report_submit(report=report, actor=request.user)
            else:
                raise Http404
    except ValueError:
        messages.error(request, _("Choose a period."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Report for %(start)s to %(end)s: %(status)s.") % {
            "start": report.period_start, "end": report.period_end,
            "status": EnrolmentReport.Status(EnrolmentReport.objects.get(pk=report.pk).status).label})
    return redirect("enrolments:reports")


@login_required
def reporting(request):
    """Officials: who has reported for a period, who is late, who was not expected."""
    region_code = _official_region(request)
    today = timezone.localdate()
    setting = services.reporting_setting(region_code)
    periods = services.recent_periods(setting, today, count=8)
    chosen = request.GET.get("period")
    start, end = periods[0]
    for p in periods:
        if p[0].isoformat() == chosen:
            start, end = p
    due_on = end + datetime.timedelta(days=setting.grace_days)
    rows = selectors.report_completeness(region_code, start, end)
    total = selectors.total_row(rows, region_code, _("Total"))
    statuses = selectors.report_status_list(region_code, start, end, due_on, today)
    return render(request, "enrolments/reporting.html", {
        "rows": rows, "total": total, "statuses": statuses, "periods": periods, "start": start, "end": end,
        "due_on": due_on, "setting": setting})


@login_required
def occupancy(request):
    """Officials: places, enrolled children and utilisation per area — counts only."""
    region_code = _official_region(request)
    today = timezone.localdate()
    rows = selectors.occupancy_by_area(region_code, today)
    total = selectors.total_row(rows, region_code, _("Total"))
    return render(request, "enrolments/occupancy.html", {"rows": rows, "total": total, "today": today})


# --- Guardians' requests ----------------------------------------------------------------------------

@login_required
def guardian_requests(request):
    """The institution's guardians' requests, open ones first by answer day, overdue ones flagged; and the
    form that records a new one."""
    institution = _institution(request)
    today = timezone.localdate()
    form = GuardianRequestForm(request.POST or None, institution=institution, initial={"requested_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = requests.guardian_request_record(
                child=data["child"], kind=data["kind"], requested_on=data["requested_on"],
                requester_name=data["requester_name"], requester_relation=data["requester_relation"],
                details=data["details"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Request recorded; answer by %(date)s.") % {"date": recorded.due_on})
            return redirect("enrolments:guardian_request", pk=recorded.pk)
    rows = list(GuardianRequest.objects.visible_to(request.user).filter(institution=institution)
                .select_related("child")[:200])
    for r in rows:
        r.overdue = r.is_overdue(today)
    return render(request, "enrolments/guardian_requests.html", {"form": form, "rows": rows, "today": today},
                  status=400 if form.errors else 200)


@login_required
def guardian_request(request, pk):
    institution = _institution(request)
    item = get_object_or_404(GuardianRequest.objects.visible_to(request.user).select_related("child", "answered_by"),
                             pk=pk, institution=institution)
    form = GuardianRequestAnswerForm(request.POST or None, kind=item.kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        corrections = {k: data.get(k) for k in services.CORRECTABLE if data.get(k)}
        try:
            requests.guardian_request_answer(request=item, answer=data["answer"], corrections=corrections,
                                             actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The answer is recorded."))
            return redirect("enrolments:guardian_request", pk=item.pk)
    return render(request, "enrolments/guardian_request.html", {
        "item": item, "form": form if item.status == GuardianRequest.Status.OPEN else None,
        "overdue": item.is_overdue(timezone.localdate())}, status=400 if form.errors else 200)
