"""The page of one mentoring pair (帮扶结对): its goals, visits, outcome and the mentee's scorecard before and
after. Everyone who may see the pair reads it (`MentoringPair.visible_to`: both institutions' staff, the
officials of their areas); the mentor's staff record visits, the officials steering it set goals and close
it. The permission is checked before the form is read; the services decide the rest.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policies
from accounts.policies import require
from institutions.models import MentoringPair
from portal.forms import form_write

from . import services
from .forms import CloseForm, GoalForm, VisitForm
from .models import Goal, Outcome
from .selectors import mentee_scorecards


def _pair(request, pk: int) -> MentoringPair:
    return get_object_or_404(MentoringPair.objects.visible_to(request.user)
                             .select_related("mentor__region", "mentee__region"), pk=pk)


def _render(request, pair: MentoringPair, *, status: int = 200, **forms):
    user = request.user
    active = pair.ended_on is None
    may_visit = active and policies.records_visits_of(user, pair)
    may_steer = active and policies.steers_pair(user, pair)
    goals = list(pair.goals.order_by("pk"))
    context = {
        "pair": pair, "goals": goals, "active": active,
        "visits": list(pair.visits.select_related("recorded_by").order_by("-visited_on", "-pk")[:200]),
        "outcome": Outcome.objects.filter(pair=pair).select_related("closed_by").first(),
        "scorecards": mentee_scorecards(pair, user=user),
        "may_visit": may_visit, "may_steer": may_steer,
        "visit_form": forms.get("visit_form") or (VisitForm() if may_visit else None),
        "goal_form": forms.get("goal_form") or (GoalForm() if may_steer else None),
        "close_form": forms.get("close_form") or (CloseForm(pair=pair) if may_steer else None),
        "is_mentor_staff": policies.is_staff_of(user, pair.mentor_id),
    }
    return render(request, "mentoring/pair_detail.html", context, status=status)


@login_required
@require_GET
def pair_detail(request, pk: int):
    return _render(request, _pair(request, pk))


def _write(request, pair, form, service, message: str, form_name: str, **kwargs):
    if form_write(form, service, actor=request.user, pair=pair, **kwargs):
        messages.success(request, message)
        return redirect("mentoring:pair", pk=pair.pk)
    pair.refresh_from_db()
    return _render(request, pair, status=400, **{form_name: form})


@login_required
@require_POST
def visit_add(request, pk: int):
    pair = _pair(request, pk)
    require(policies.records_visits_of(request.user, pair), _("Only the mentor institution's staff record visits."))
    return _write(request, pair, VisitForm(request.POST), services.visit_record, _("Visit recorded."), "visit_form")


@login_required
@require_POST
def goal_add(request, pk: int):
    pair = _pair(request, pk)
    require(policies.steers_pair(request.user, pair), _("Only the officials steering the pair set its goals."))
    return _write(request, pair, GoalForm(request.POST), services.goal_add, _("Goal set."), "goal_form")


@login_required
@require_POST
def goal_mark(request, pk: int, goal_pk: int):
    pair = _pair(request, pk)
    require(policies.steers_pair(request.user, pair), _("Only the officials steering the pair mark its goals."))
    goal = get_object_or_404(Goal.objects.filter(pair=pair), pk=goal_pk)
    try:
        services.goal_mark(goal=goal, reached=request.POST.get("reached") == "1", actor=request.user)
    except services.Conflict as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("mentoring:pair", pk=pair.pk)
    messages.success(request, _("Goal updated."))
    return redirect("mentoring:pair", pk=pair.pk)


@login_required
@require_POST
def pair_close(request, pk: int):
    pair = _pair(request, pk)
    require(policies.steers_pair(request.user, pair), _("Only the officials steering the pair close it."))
    form = CloseForm(request.POST, pair=pair)
    return _write(request, pair, form, services.pair_close, _("Pair closed with its outcome."), "close_form")
