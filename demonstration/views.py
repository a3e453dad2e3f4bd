"""Pages of demonstration-city creation: the year's creations and ranking with the history of past years; a
creation with its figures and gaps; one criterion, where the city uploads evidence and writes its note and the
province scores; the standard and its versions; evidence files.

Every lookup goes through `visible_to(user)`: outside the user's area an object is a 404. Every write is one
service call; a refusal comes back as a message on the page. A fixed number of queries per page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policies
from accounts.policies import require
from portal.forms import add_service_errors, flash_action, flash_service_errors
from portal.uploads import private_file_response
from regions import codes
from regions.models import Region

from . import selectors, services
from .forms import CriterionRowFormSet, EvidenceForm, NoteForm, ReturnForm, ScoreForm, StandardVersionForm, SubmitForm
from .models import Creation, CreationEvidence, CreationStandard, Criterion, CriterionEntry

HISTORY_YEARS = 5


def takes_part(user) -> bool:
    """Who follows creation: the province's and the cities' officials, and administrators."""
    return policies.oversees_cities(user)


def _require_part(user) -> None:
    require(takes_part(user), _("Demonstration-city creation is followed by province and city officials."))


def _year(request) -> int:
    raw = request.GET.get("year", "")
    today = timezone.localdate().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= today + 1 else today


def _province(user, creations) -> str:
    if policies.is_official(user):
        return codes.province_of(user.region_id) or ""
    return codes.province_of(creations[0].city_id) if creations else ""


@login_required
@require_GET
def index(request):
    """The year's creations of the user's area with their figures and ranks, and the past years' results."""
    user = request.user
    _require_part(user)
    year = _year(request)
    years = list(range(year - HISTORY_YEARS + 1, year + 1))
    creations = list(selectors.with_figures(Creation.objects.visible_to(user).filter(year__in=years))
                     .select_related("city", "standard").order_by("-year", "city_id"))
    province = _province(user, creations)
    ranks = {row.pk: (row.rank, row.ranked) for row in selectors.ranking_for(years=years, user=user,
                                                                                province=province)}
    for c in creations:
        c.rank, c.ranked = ranks.get(c.pk, (None, None))
    current = [c for c in creations if c.year == year]
    current.sort(key=lambda c: (c.rank is None, c.rank or 0, c.city_id))
    history = sorted((c for c in creations if c.year < year),
                     key=lambda c: (-c.year, c.rank is None, c.rank or 0, c.city_id))
    own_city = user.region_id if policies.official_level(user) == codes.CITY else None
    is_province = policies.official_level(user) == codes.PROVINCE or policies.is_admin(user)
    # The province follows who has not started: its cities without a creation this year (one query).
    not_started = list(Region.objects.filter(level=Region.Level.CITY, code__startswith=province)
                       .exclude(code__in=[c.city_id for c in current]).order_by("code")
                       .values_list("name", flat=True)) if is_province and province else []
    return render(request, "demonstration/index.html", {
        "year": year, "current": current, "history": history, "years": sorted({c.year for c in creations} | {year},
                                                                                reverse=True),
        "may_open": own_city is not None and not any(c.city_id == own_city for c in current)
        and year == timezone.localdate().year,
        "is_province": is_province, "not_started": not_started,
    })


@login_required
@require_POST
def open_creation(request):
    """A city official opens this year's creation of their own city."""
    user = request.user
    _require_part(user)
    try:
        creation = services.creation_open(city=user.region_id or "", year=timezone.localdate().year, actor=user)
    except ValidationError as exc:
        flash_service_errors(request, exc)
        return redirect("demonstration:index")
    messages.success(request, _("This year's creation is open: upload evidence against each criterion."))
    return redirect("demonstration:creation", pk=creation.pk)


def _creation(request, pk: int) -> Creation:
    return get_object_or_404(Creation.objects.visible_to(request.user).select_related("city", "standard"), pk=pk)


def _gaps(creation: Creation, entries: list[CriterionEntry], evidence_counts: dict[int, int]) -> dict:
    met_share = creation.standard.met_percent
    return {
        "no_evidence": [e for e in entries if not evidence_counts.get(e.criterion_id)],
        "low_scores": [e for e in entries if e.points is not None
                       and e.points * 100 < e.criterion.max_points * met_share],
        "comments": [e for e in entries if e.comment],
    }


@login_required
@require_GET
def creation_detail(request, pk: int):
    creation = _creation(request, pk)
    user = request.user
    figures = selectors.with_figures(Creation.objects.filter(pk=creation.pk)).get()
    entries = list(creation.entries.select_related("criterion__group").order_by("criterion__order"))
    evidence_counts = dict(CreationEvidence.objects.filter(creation=creation).order_by().values("criterion")
                           .annotate(n=Count("pk")).values_list("criterion", "n"))
    for e in entries:
        e.evidence_count = evidence_counts.get(e.criterion_id, 0)
    assembles = policies.assembles_creation(user, creation.city_id)
    scores = policies.scores_creation(user, creation.city_id)
    submitted = creation.status == Creation.Status.SUBMITTED
    rank = next((r for r in selectors.ranking(year=creation.year, province=codes.province_of(creation.city_id))
                 if r.pk == creation.pk), None) if creation.status == Creation.Status.SCORED else None
    return render(request, "demonstration/creation_detail.html", {
        "creation": creation, "figures": figures, "entries": entries, "rank": rank,
        "gaps": _gaps(creation, entries, evidence_counts),
        "assembles": assembles, "scores": scores,
        "submit_form": SubmitForm(initial={"note": creation.note}) if assembles and creation.is_editable else None,
        "return_form": ReturnForm() if scores and submitted else None,
        "may_finish": scores and submitted,
    })


@login_required
@require_GET
def criterion_detail(request, pk: int, criterion_pk: int):
    creation = _creation(request, pk)
    criterion = get_object_or_404(Criterion.objects.select_related("group"), pk=criterion_pk,
                                  standard_id=creation.standard_id)
    user = request.user
    entry = CriterionEntry.objects.filter(creation=creation, criterion=criterion).select_related("scored_by").first()
    evidence = list(CreationEvidence.objects.filter(creation=creation, criterion=criterion)
                    .select_related("uploaded_by").order_by("uploaded_at", "pk"))
    assembles = policies.assembles_creation(user, creation.city_id) and creation.is_editable
    scores = policies.scores_creation(user, creation.city_id) and creation.status == Creation.Status.SUBMITTED
    return render(request, "demonstration/criterion_detail.html", {
        "creation": creation, "criterion": criterion, "entry": entry, "evidence": evidence,
        "assembles": assembles, "scores": scores,
        "evidence_form": EvidenceForm() if assembles else None,
        "note_form": NoteForm(initial={"note": entry.note if entry else ""}) if assembles else None,
        "score_form": ScoreForm(max_points=criterion.max_points, initial={
            "points": entry.points if entry else None, "comment": entry.comment if entry else ""}) if scores else None,
    })


def _assembling(request, pk: int) -> Creation:
    creation = _creation(request, pk)
    require(policies.assembles_creation(request.user, creation.city_id),
            _("Only the city's own officials assemble its creation."))
    return creation


def _reviewing(request, pk: int) -> Creation:
    creation = _creation(request, pk)
    require(policies.scores_creation(request.user, creation.city_id),
            _("Only the province's officials review a city's creation."))
    return creation


def _criterion_action(request, pk: int, criterion_pk: int, may=_assembling):
    creation = may(request, pk)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, standard_id=creation.standard_id)
    return creation, criterion, redirect("demonstration:criterion", pk=creation.pk, criterion_pk=criterion.pk)


@login_required
@require_POST
def evidence_upload(request, pk: int, criterion_pk: int):
    creation, criterion, to = _criterion_action(request, pk, criterion_pk)
    flash_action(request, lambda d: services.evidence_add(creation=creation, criterion=criterion, file=d["file"],
                                                          actor=request.user),
                 _("Evidence uploaded."), form=EvidenceForm(request.POST, request.FILES))
    return to


@login_required
@require_POST
def note_save(request, pk: int, criterion_pk: int):
    creation, criterion, to = _criterion_action(request, pk, criterion_pk)
    flash_action(request, lambda d: services.entry_note_set(creation=creation, criterion=criterion, note=d["note"],
                                                            actor=request.user),
                 _("Note saved."), form=NoteForm(request.POST))
    return to


@login_required
@require_POST
def score_save(request, pk: int, criterion_pk: int):
    creation, criterion, to = _criterion_action(request, pk, criterion_pk, may=_reviewing)
    flash_action(request, lambda d: services.entry_score(creation=creation, criterion=criterion, points=d["points"],
                                                         comment=d["comment"], actor=request.user),
                 _("Score saved."), form=ScoreForm(request.POST, max_points=criterion.max_points))
    return redirect("demonstration:creation", pk=creation.pk)


@login_required
@require_POST
def creation_submit(request, pk: int):
    creation = _assembling(request, pk)
    flash_action(request, lambda d: services.creation_submit(creation=creation, note=d["note"], actor=request.user),
                 _("Submitted to the province for review."), form=SubmitForm(request.POST))
    return redirect("demonstration:creation", pk=creation.pk)


@login_required
@require_POST
def creation_return(request, pk: int):
    creation = _reviewing(request, pk)
    flash_action(request, lambda d: services.creation_return(creation=creation, comment=d["comment"],
                                                             actor=request.user),
                 _("Returned to the city for more evidence."), form=ReturnForm(request.POST))
    return redirect("demonstration:creation", pk=creation.pk)


@login_required
@require_POST
def creation_finish(request, pk: int):
    creation = _reviewing(request, pk)
    flash_action(request, lambda: services.creation_finish(creation=creation, actor=request.user),
                 _("Scoring finished: the result enters the year's ranking."))
    return redirect("demonstration:creation", pk=creation.pk)


@login_required
@require_GET
def evidence_file(request, pk: int):
    """Serves a document only to who may see its creation, and logs the view."""
    evidence = get_object_or_404(CreationEvidence.objects.visible_to(request.user), pk=pk)
    services.evidence_record_view(evidence=evidence, actor=request.user)
    return private_file_response(evidence)


@login_required
@require_POST
def evidence_remove(request, pk: int):
    evidence = get_object_or_404(CreationEvidence.objects.visible_to(request.user).select_related("creation",
                                                                                                 "criterion"), pk=pk)
    require(policies.assembles_creation(request.user, evidence.creation.city_id),
            _("Only the city's own officials assemble its creation."))
    to = redirect("demonstration:criterion", pk=evidence.creation_id, criterion_pk=evidence.criterion_id)
    flash_action(request, lambda: services.evidence_remove(evidence=evidence, actor=request.user),
                 _("Evidence removed."))
    return to


@login_required
@require_GET
def standards(request):
    """The creation standard: its versions, and the criteria of one (the latest unless asked)."""
    _require_part(request.user)
    versions = list(CreationStandard.objects.visible_to(request.user).annotate(
        criteria_count=Count("criteria")).order_by("code", "-version"))
    wanted = request.GET.get("version", "")
    chosen = next((v for v in versions if str(v.pk) == wanted), versions[0] if versions else None)
    criteria = list(chosen.criteria.select_related("group").order_by("order")) if chosen else []
    return render(request, "demonstration/standards.html", {
        "versions": versions, "chosen": chosen, "criteria": criteria,
        "total": sum((c.max_points for c in criteria), 0),
        "may_edit": policies.edits_creation_standard(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def standard_new_version(request):
    """A new version of the creation standard, from a copy of the latest: edit or remove criteria, change the
    points and the met line. Creations already opened keep the version they were opened with."""
    user = request.user
    require(policies.edits_creation_standard(user),
            _("Only provincial officials and administrators edit the creation standard."))
    latest = services.standard_latest()
    if latest is None:
        services.standards_ensure_shipped()
        latest = services.standard_latest()
    groups = list(latest.groups.order_by("order"))
    criteria = list(latest.criteria.select_related("group").order_by("order"))
    form = StandardVersionForm(request.POST or None, initial={
        "name": latest.name, "edition": latest.edition, "notes": latest.notes, "met_percent": latest.met_percent,
        "is_working_definition": latest.is_working_definition})
    rows = CriterionRowFormSet(request.POST or None, prefix="criteria", initial=[
        {"group": c.group.code, "code": c.code, "text": c.text, "max_points": c.max_points,
         "evidence_required": c.evidence_required} for c in criteria])
    if request.method == "POST" and form.is_valid() & rows.is_valid():
        kept = rows.kept()
        payload = [{"code": g.code, "name": g.name,
                    "criteria": [{k: r[k] for k in ("code", "text", "max_points", "evidence_required")}
                                 for r in kept if r["group"] == g.code]} for g in groups]
        try:
            made = services.standard_create_version(code=latest.code, groups=[g for g in payload if g["criteria"]],
                                                    actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Version %(version)d of the creation standard saved.") % {
                "version": made.version})
            return redirect(f"{reverse('demonstration:standards')}?version={made.pk}")
    group_names = {g.code: g.name for g in groups}
    for row in rows:
        row.group_name = group_names.get(row["group"].value(), "")
    return render(request, "demonstration/standard_new_version.html",
                  {"form": form, "rows": rows, "latest": latest},
                  status=400 if request.method == "POST" else 200)
