"""Pages of supervision after filing: the area's queue, rounds and their draw, an inspection recorded on a
phone, rectification answered by the institution, the pool of inspectors, evidence files.

Every lookup goes through `visible_to(user)`: outside the user's area an object is a 404. Every write is
one service call; a refusal comes back as a message on the page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policies
from accounts.models import User
from accounts.policies import require
from institutions.models import Institution
from portal.forms import add_service_errors, flash_action, flash_service_errors, form_write
from portal.uploads import private_file_response
from regions.models import Region

from . import services
from .forms import (
    AnswerForm,
    AssignForm,
    ChecklistItemForm,
    ChecklistItemFormSet,
    ChecklistVersionForm,
    DecideForm,
    InspectorForm,
    ItemForm,
    ObjectionForm,
    RoundForm,
    SignOffForm,
    SuspensionDecideForm,
    SuspensionNoticeForm,
    TargetedForm,
)
from .models import (
    Checklist,
    Evidence,
    Inspection,
    InspectionRound,
    Inspector,
    ItemRecord,
    RectificationOrder,
    RectificationResponse,
    SuspensionNotice,
)

LIST_LIMIT = 50


def _pool_users(user):
    """The inspectors a county or city official may assign: the active pool of their area."""
    return (User.objects.filter(inspector__in=Inspector.objects.visible_to(user).active())
            .select_related("region").order_by("username"))


# --- The queue ------------------------------------------------------------------------------------

@login_required
@require_GET
def home(request):
    """Officials: what needs doing in the area (overdue verifications first), the inspections assigned to
    the user, overdue rectification, the rounds. Staff: their institution's inspections and orders."""
    user = request.user
    today = timezone.localdate()
    base = Inspection.objects.visible_to(user).select_related("institution__region", "rectification")
    if policies.is_institution_staff(user):
        require(policies.is_linked_staff(user), outside_area=True)
        return render(request, "supervision/home_staff.html", {
            "inspections": base.order_by("-signed_off_at")[:LIST_LIMIT],
            "notices": SuspensionNotice.objects.visible_to(user).select_related("inspection")
            .filter(status__in=SuspensionNotice.PENDING),
            "today": today,
        })
    require(policies.is_official_or_admin(user), outside_area=True)
    area_inspections = base.in_area_of(user, "institution__region__code")
    counts = area_inspections.aggregate(
        open=Count("pk", filter=Q(status=Inspection.Status.ASSIGNED)),
        overdue=Count("pk", filter=Q(status=Inspection.Status.ASSIGNED, due_on__lt=today)),
        verifications_overdue=Count("pk", filter=Q(status=Inspection.Status.ASSIGNED, due_on__lt=today,
                                                   kind=Inspection.Kind.VERIFICATION)),
        rectification_overdue=Count("pk", filter=Q(rectification__due_on__lt=today) & ~Q(
            rectification__status=RectificationOrder.Status.ACCEPTED)),
    )
    return render(request, "supervision/home_official.html", {
        "counts": counts,
        "mine": base.filter(inspectors=user).exclude(status=Inspection.Status.CLOSED).order_by("due_on", "pk"),
        "open": area_inspections.filter(status=Inspection.Status.ASSIGNED).order_by("due_on", "pk")[:LIST_LIMIT],
        "rectification": area_inspections.filter(status=Inspection.Status.SIGNED_OFF)
        .order_by("rectification__due_on", "pk")[:LIST_LIMIT],
        "rounds": InspectionRound.objects.visible_to(user).select_related("region")[:20],
        "plans": policies.supervises_cases(user),
        "today": today,
    })


# --- Rounds ---------------------------------------------------------------------------------------

def _plannable_regions(user):
    """The user's own city or county, and a city's counties."""
    if not policies.supervises_cases(user):
        return Region.objects.none()
    return Region.objects.filter(Q(code=user.region_id) | Q(parent_id=user.region_id, level="county")).order_by(
        "code")


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request):
    user = request.user
    require(policies.supervises_cases(user), _("Only city and county commissions plan inspection rounds."))
    form = RoundForm(request.POST or None, regions=_plannable_regions(user),
                     initial={"region": user.region_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_plan(region_code=data["region"].code, name=data["name"],
                                         checklist=data["checklist"], share_percent=data["share_percent"],
                                         risk_weighted=data["risk_weighted"], due_on=data["due_on"],
                                         inspectors_per_inspection=data["inspectors_per_inspection"],
                                         seed=data["seed"], actor=user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Round planned: make the draw."))
            return redirect("supervision:round", pk=round_.pk)
    return render(request, "supervision/round_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def round_detail(request, pk: int):
    round_ = get_object_or_404(InspectionRound.objects.visible_to(request.user).select_related(
        "region", "checklist", "created_by"), pk=pk)
    draws = list(round_.draws.select_related("created_by").order_by("-number"))
    current = next((d for d in draws if d.is_current), None)
    rows = []
    if current:
        institutions = Institution.objects.in_bulk([r["institution"] for r in current.result])
        inspectors = {i.pk: i for i in Inspector.objects.filter(
            pk__in={p for r in current.result for p in r["inspectors"]}).select_related("user")}
        inspections = {i.institution_id: i for i in round_.inspections.all()}
        rows = [{"institution": institutions.get(r["institution"]), "inspectors": [inspectors.get(p) for p in
                                                                                 r["inspectors"]],
                 "inspection": inspections.get(r["institution"])} for r in current.result]
    return render(request, "supervision/round_detail.html", {
        "round": round_, "draws": draws, "current": current, "rows": rows,
        "replayed": services.draw_replay(current) if current else None,
        "may_plan": policies.plans_inspections(request.user, round_.region_id),
    })


def _planned_round(request, pk: int) -> InspectionRound:
    """A round of the user's area that the user may plan (draw, start)."""
    round_ = get_object_or_404(InspectionRound.objects.visible_to(request.user), pk=pk)
    require(policies.plans_inspections(request.user, round_.region_id),
            _("Only the city or county commission of the area plans its inspection rounds."))
    return round_


@login_required
@require_POST
def round_draw(request, pk: int):
    flash_action(request, lambda: services.round_draw(round_=_planned_round(request, pk), actor=request.user),
                 lambda made: _("Draw %(n)d made and recorded.") % {"n": made[0].number} if made[1] else
                 _("The inputs have not changed: re-running the draw gives the same list."))
    return redirect("supervision:round", pk=pk)


@login_required
@require_POST
def round_start(request, pk: int):
    flash_action(request, lambda: services.round_start(round_=_planned_round(request, pk), actor=request.user),
                 lambda inspections: _("%(n)d inspections assigned to the drawn inspectors.") % {
                     "n": len(inspections)})
    return redirect("supervision:round", pk=pk)


# --- An inspection --------------------------------------------------------------------------------

def _visible_inspection(request, pk: int) -> Inspection:
    return get_object_or_404(Inspection.objects.visible_to(request.user).select_related(
        "institution__region", "checklist", "round", "signed_off_by"), pk=pk)


@login_required
@require_GET
def inspection_detail(request, pk: int):
    """The inspector records item by item (a phone is enough); the institution answers the order; the county
    assigns, and after an immediate-risk finding gives notice of suspension."""
    inspection = _visible_inspection(request, pk)
    user = request.user
    records = {r.item_id: r for r in inspection.records.prefetch_related("evidence")}
    items = [{"item": item, "record": records.get(item.pk),
              "form": ItemForm(prefix=f"i{item.pk}", initial={
                  "outcome": records[item.pk].outcome if item.pk in records else None,
                  "note": records[item.pk].note if item.pk in records else ""})}
             for item in inspection.checklist.items.all()]
    order = RectificationOrder.objects.filter(inspection=inspection).prefetch_related(
        Prefetch("responses", queryset=RectificationResponse.objects.prefetch_related("evidence")
                 .order_by("submitted_at"))).first()
    is_inspector = policies.inspects(user, inspection)
    is_open = inspection.status == Inspection.Status.ASSIGNED
    supervises = policies.supervises(user, inspection.institution)
    may_suspend = policies.suspends(user, inspection.institution)
    immediate = any(r.outcome == ItemRecord.Outcome.FINDING and r.item.immediate_risk
                    for r in inspection.records.select_related("item"))
    notices = list(inspection.suspension_notices.order_by("-issued_on", "-pk"))
    return render(request, "supervision/inspection_detail.html", {
        "inspection": inspection, "items": items, "order": order, "notices": notices,
        "inspectors": inspection.inspectors.all(),
        "recorded": len(records), "is_inspector": is_inspector, "is_open": is_open,
        "is_staff": policies.is_staff_of(user, inspection.institution_id),
        "sign_off_form": SignOffForm(initial={"mode": inspection.mode}) if is_inspector and is_open else None,
        "assign_form": AssignForm(pool=_pool_users(user), initial={"mode": inspection.mode}) if (
            supervises and is_open and inspection.kind != Inspection.Kind.RANDOM) else None,
        "answer_form": AnswerForm() if order and order.status == RectificationOrder.Status.OPEN else None,
        "decide_form": DecideForm() if is_inspector and order and order.status == RectificationOrder.Status.ANSWERED
        else None,
        "suspension_form": SuspensionNoticeForm() if immediate and may_suspend
        and not any(n.is_pending for n in notices) else None,
        "may_suspend": may_suspend,
        "objection_form": ObjectionForm(), "suspension_decide_form": SuspensionDecideForm(),
        "objection_days": settings.SUPERVISION_OBJECTION_DAYS,
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def item_record(request, pk: int, item_pk: int):
    inspection = _visible_inspection(request, pk)
    item = get_object_or_404(inspection.checklist.items, pk=item_pk)
    require(policies.inspects(request.user, inspection),
            _("Only the inspectors assigned to this inspection record it."))
    form = ItemForm(request.POST, request.FILES, prefix=f"i{item.pk}")
    anchor = f"{reverse('supervision:inspection', args=[pk])}#item-{item.pk}"
    if not form.is_valid():
        messages.error(request, _("Item %(code)s: choose an outcome.") % {"code": item.code})
        return redirect(anchor)
    try:
        record = services.item_record(inspection=inspection, item=item, outcome=form.cleaned_data["outcome"],
                                      note=form.cleaned_data["note"], actor=request.user)
        if form.cleaned_data["photo"]:
            services.evidence_add(record=record, file=form.cleaned_data["photo"], actor=request.user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
    else:
        messages.success(request, _("Item %(code)s recorded.") % {"code": item.code})
    return redirect(anchor)


@login_required
@require_POST
def sign_off(request, pk: int):
    inspection = _visible_inspection(request, pk)
    require(policies.inspects(request.user, inspection),
            _("Only the inspectors assigned to this inspection record it."))
    form = SignOffForm(request.POST)

    def call(d):
        signed = services.inspection_sign_off(inspection=inspection, actor=request.user, mode=d["mode"],
                                              summary=d["summary"])
        if signed.result == Inspection.Result.FINDINGS:
            messages.info(request, _("The institution has its rectification order."))

    flash_action(request, call, _("Signed off."), form=form)
    return redirect("supervision:inspection", pk=pk)


@login_required
@require_POST
def assign(request, pk: int):
    inspection = _visible_inspection(request, pk)
    require(policies.supervises(request.user, inspection.institution),
            _("Only the county or city commission of the institution's area assigns inspectors."))
    form = AssignForm(request.POST, pool=_pool_users(request.user))

    def call(d):
        services.inspection_assign(inspection=inspection, inspectors=list(d["inspectors"]),
                                   mode=d["mode"], actor=request.user)

    flash_action(request, call, _("Inspectors assigned."), form=form)
    return redirect("supervision:inspection", pk=pk)


@login_required
@require_POST
def rectification_answer(request, pk: int):
    order = get_object_or_404(RectificationOrder.objects.visible_to(request.user).select_related("inspection"),
                              pk=pk)
    require(policies.is_staff_of(request.user, order.inspection.institution_id),
            _("Only the institution's own staff answer its rectification order."))
    form = AnswerForm(request.POST, request.FILES)

    def call(d):
        file = d["file"]
        services.rectification_answer(order=order, text=d["text"], actor=request.user,
                                      files=[file] if file else [])

    flash_action(request, call, _("Answer sent to the inspector."), form=form)
    return redirect("supervision:inspection", pk=order.inspection_id)


@login_required
@require_POST
def rectification_decide(request, pk: int):
    order = get_object_or_404(RectificationOrder.objects.visible_to(request.user).select_related("inspection"),
                              pk=pk)
    require(policies.inspects(request.user, order.inspection), _("Only the inspectors of the inspection decide."))
    form = DecideForm(request.POST)

    def call(d):
        services.rectification_decide(order=order, accept=d["decision"] == "accept",
                                      note=d["note"], actor=request.user)

    flash_action(request, call, _("Decision recorded."), form=form)
    return redirect("supervision:inspection", pk=order.inspection_id)


@login_required
@require_POST
def suspension_notice(request, pk: int):
    inspection = _visible_inspection(request, pk)
    require(policies.suspends(request.user, inspection.institution),
            _("Only the county health commission the institution filed with may suspend it."))
    form = SuspensionNoticeForm(request.POST)

    def call(d):
        services.suspension_notice_issue(inspection=inspection, reason=d["reason"],
                                         actor=request.user)

    flash_action(request, call, _("Notice of suspension given: the institution may object."), form=form)
    return redirect("supervision:inspection", pk=pk)


@login_required
@require_POST
def suspension_object(request, pk: int):
    notice = get_object_or_404(SuspensionNotice.objects.visible_to(request.user).select_related("inspection"), pk=pk)
    require(policies.is_staff_of(request.user, notice.inspection.institution_id),
            _("Only the institution's own staff object to its suspension notice."))
    form = ObjectionForm(request.POST)

    def call(d):
        services.suspension_notice_object(notice=notice, objection=d["objection"],
                                          actor=request.user)

    flash_action(request, call, _("Objection sent to the county."), form=form)
    return redirect("supervision:inspection", pk=notice.inspection_id)


@login_required
@require_POST
def suspension_decide(request, pk: int):
    notice = get_object_or_404(SuspensionNotice.objects.visible_to(request.user).select_related(
        "inspection__institution"), pk=pk)
    require(policies.suspends(request.user, notice.inspection.institution),
            _("Only the county health commission the institution filed with may suspend it."))
    form = SuspensionDecideForm(request.POST)

    def call(d):
        services.suspension_notice_decide(notice=notice, suspend=d["decision"] == "suspend",
                                          note=d["note"], actor=request.user)

    flash_action(request, call, _("Decision recorded."), form=form)
    return redirect("supervision:inspection", pk=notice.inspection_id)


@login_required
@require_GET
def evidence_file(request, pk: int):
    """Serves an evidence file only to who may see its inspection (never the public), and logs the view."""
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    services.evidence_record_view(evidence=evidence, actor=request.user)
    return private_file_response(evidence)


# --- Targeted inspections, the pool, checklists --------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def targeted_new(request, pk: int):
    institution = get_object_or_404(Institution.objects.visible_to(request.user), pk=pk)
    require(policies.supervises(request.user, institution),
            _("Only the county or city commission of the institution's area opens a targeted inspection."))
    form = TargetedForm(request.POST or None, pool=_pool_users(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_open_targeted(
                institution=institution, actor=request.user, source=data["source"], reason=data["reason"],
                source_reference=data["source_reference"], checklist=data["checklist"],
                inspectors=list(data["inspectors"]))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Targeted inspection opened."))
            return redirect("supervision:inspection", pk=inspection.pk)
    return render(request, "supervision/targeted_new.html", {"form": form, "institution": institution},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def inspectors(request):
    user = request.user
    require(policies.is_official_or_admin(user), outside_area=True)
    form = None
    planner = policies.supervises_cases(user)
    require(planner or request.method == "GET", _("Only city and county commissions keep an inspector pool."))
    if planner:
        officials = (User.objects.visible_to(user).in_area_of(user).filter(is_active=True)
                     .exclude(inspector__is_active=True).select_related("region").order_by("username"))
        form = InspectorForm(request.POST or None, officials=officials,
                             institutions=Institution.objects.visible_to(user).publicly_listed().order_by("name"))
        if request.method == "POST" and form_write(form, services.inspector_register, actor=user):
            messages.success(request, _("Inspector registered in the pool."))
            return redirect("supervision:inspectors")
    pool = Inspector.objects.visible_to(user).select_related("user", "region", "affiliation").order_by(
        "-is_active", "region_id", "user__username")
    return render(request, "supervision/inspectors.html", {"pool": pool, "form": form},
                  status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def inspector_withdraw(request, pk: int):
    inspector = get_object_or_404(Inspector.objects.visible_to(request.user), pk=pk)
    require(policies.plans_inspections(request.user, inspector.region_id),
            _("Only the city or county commission of the official's area keeps its inspector pool."))
    flash_action(request, lambda: services.inspector_withdraw(inspector=inspector, actor=request.user),
                 _("Inspector withdrawn from the pool."))
    return redirect("supervision:inspectors")


@login_required
@require_GET
def checklists(request):
    """Every checklist version with its items: the standard inspections are held to."""
    require(policies.is_official_or_admin(request.user) or policies.is_linked_staff(request.user),
            outside_area=True)
    versions = Checklist.objects.visible_to(request.user).prefetch_related("items").order_by("code", "-version")
    return render(request, "supervision/checklists.html",
                  {"checklists": versions, "can_write": policies.is_official_or_admin(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def checklist_new_version(request, code: str):
    """A new version of a checklist, starting from a copy of its latest version's items. Inspections already
    opened keep the version they used (the service never touches older versions)."""
    user = request.user
    require(policies.is_official_or_admin(user), _("Only officials and administrators write checklists."))
    latest = get_object_or_404(Checklist.objects.visible_to(user).latest_versions(), code=code)
    form = ChecklistVersionForm(request.POST or None, initial={
        "name": latest.name, "notes": latest.notes, "is_working_definition": latest.is_working_definition})
    items = ChecklistItemFormSet(request.POST or None, prefix="items", initial=[
        {f: getattr(i, f) for f in ChecklistItemForm.Meta.fields} for i in latest.items.all()])
    if request.method == "POST" and form.is_valid() & items.is_valid():
        try:
            made = services.checklist_create_version(code=latest.code, items=items.items(), actor=user,
                                                     **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Version %(version)d of %(name)s saved.") % {
                "version": made.version, "name": made.name})
            return redirect(f"{reverse('supervision:checklists')}#checklist-{made.pk}")
    failed = request.method == "POST"
    return render(request, "supervision/checklist_new_version.html",
                  {"form": form, "items": items, "latest": latest}, status=400 if failed else 200)
