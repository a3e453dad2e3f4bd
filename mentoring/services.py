"""Writes of a mentoring pair's work: goals, visits and the close with its outcome.

Who: the mentor institution's staff record visits (`policies.records_visits_of`); the officials who may
set such a pair up — the city or province holding both institutions — set goals, mark them and close the
pair (`policies.steers_pair`). A closed pair takes nothing more: each write locks the pair's row and
refuses with a `Conflict` once it has ended, and closing is a guarded UPDATE (only while `ended_on` is
empty), so a double click or two officials at once close it once.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require_visible
from audit.services import audit_record
from institutions.models import MentoringPair
from portal.constraints import explains_constraints
from portal.exceptions import Conflict

from .models import MAX_GOALS, Goal, Outcome, Visit


def _locked_active(pair: MentoringPair) -> MentoringPair:
    """The pair's row, locked for this transaction; a Conflict once the pair has ended."""
    locked = MentoringPair.objects.select_for_update().select_related("mentor", "mentee").get(pk=pair.pk)
    if locked.ended_on is not None:
        raise Conflict(_("This mentoring pair ended on %(date)s: it takes no more changes.")
                       % {"date": locked.ended_on.isoformat()})
    return locked


def _audit(pair: MentoringPair, **kwargs) -> None:
    audit_record(region_code=pair.mentee.region_id, institution_id=pair.mentee_id, **kwargs)


@explains_constraints
@transaction.atomic
def goal_add(*, pair: MentoringPair, text: str, actor) -> Goal:
    """A goal of an active pair, set by the officials who steer it (a few per pair: at most MAX_GOALS)."""
    require_visible(policies.steers_pair(actor, pair),
                    _("Only the officials of the city or province holding both institutions set the pair's goals."),
                    user=actor, obj=pair)
    pair = _locked_active(pair)
    if pair.goals.count() >= MAX_GOALS:
        raise ValidationError({"text": _("A pair works towards a few goals: at most %(n)s.") % {"n": MAX_GOALS}})
    goal = Goal(pair=pair, text=(text or "").strip(), set_by=actor)
    goal.full_clean()
    goal.save()
    _audit(pair, actor=actor, action="mentoring.goal_add", target=goal, after={"pair": pair.pk, "text": goal.text})
    return goal


@transaction.atomic
def goal_mark(*, goal: Goal, reached: bool, actor) -> Goal:
    """Marks a goal of an active pair reached (or not yet). A repeat changes nothing and records nothing."""
    require_visible(policies.steers_pair(actor, goal.pair),
                    _("Only the officials of the city or province holding both institutions mark the pair's goals."),
                    user=actor, obj=goal.pair)
    pair = _locked_active(goal.pair)
    changed = Goal.objects.filter(pk=goal.pk, reached=not reached).update(reached=reached)
    goal.refresh_from_db()
    if changed:
        _audit(pair, actor=actor, action="mentoring.goal_mark", target=goal, before={"reached": not reached},
               after={"reached": reached})
    return goal


@explains_constraints
@transaction.atomic
def visit_record(*, pair: MentoringPair, visited_on: datetime.date, visitors: str, actor, notes: str = "",
                 changes: str = "") -> Visit:
    """A visit of the mentor to the mentee, recorded by the mentor's staff, on a day of the pair (from its
    start to today)."""
    require_visible(policies.records_visits_of(actor, pair),
                    _("Only the mentor institution's staff record the pair's visits."), user=actor, obj=pair)
    pair = _locked_active(pair)
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("The date is in the future.")})
    if visited_on < pair.started_on:
        raise ValidationError({"visited_on": _("The pair started on %(date)s: a visit is on or after it.")
                               % {"date": pair.started_on.isoformat()}})
    visit = Visit(pair=pair, visited_on=visited_on, visitors=(visitors or "").strip(), notes=notes.strip(),
                  changes=changes.strip(), recorded_by=actor)
    visit.full_clean()
    visit.save()
    _audit(pair, actor=actor, action="mentoring.visit_record", target=visit,
           after={"pair": pair.pk, "visited_on": visited_on.isoformat(), "visitors": visit.visitors})
    return visit


@explains_constraints
@transaction.atomic
def pair_close(*, pair: MentoringPair, ended_on: datetime.date, result: str, summary: str, actor,
               reached_goals=None) -> Outcome:
    """Ends the pair with its outcome (improved, partly, not improved) and a summary; `reached_goals`
    (goals or ids of this pair), when given, are the goals reached — the others are marked not reached.

    The end date is between the pair's start (or its last visit) and today. Guarded: only a pair that has
    not ended is closed; the second of two closes is told the pair ended meanwhile."""
    require_visible(policies.steers_pair(actor, pair),
                    _("Only the officials of the city or province holding both institutions close the pair."),
                    user=actor, obj=pair)
    pair = _locked_active(pair)
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("The date is in the future.")})
    last_visit = pair.visits.order_by("-visited_on").values_list("visited_on", flat=True).first()
    earliest = max(pair.started_on, last_visit) if last_visit else pair.started_on
    if ended_on < earliest:
        raise ValidationError({"ended_on": _("The pair ends on or after %(date)s (its start or last visit).")
                               % {"date": earliest.isoformat()}})
    outcome = Outcome(pair=pair, result=result, summary=(summary or "").strip(), closed_by=actor)
    outcome.full_clean(exclude=["pair"])
    if not MentoringPair.objects.filter(pk=pair.pk, ended_on__isnull=True).update(ended_on=ended_on,
                                                                                   updated_at=timezone.now()):
        raise Conflict(_("This mentoring pair was closed meanwhile."))
    outcome.save()
    if reached_goals is not None:
        reached_ids = {getattr(g, "pk", g) for g in reached_goals}
        goals = pair.goals.all()
        goals.filter(pk__in=reached_ids).update(reached=True)
        goals.exclude(pk__in=reached_ids).update(reached=False)
    pair.ended_on = ended_on
    _audit(pair, actor=actor, action="mentoring.close", target=outcome,
           after={"pair": pair.pk, "ended_on": ended_on.isoformat(), "result": result,
                  "goals_reached": sorted(pair.goals.filter(reached=True).values_list("pk", flat=True))})
    return outcome
