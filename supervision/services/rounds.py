"""Inspection rounds: planning, the reproducible random draw and its inputs, starting the inspections."""

from __future__ import annotations

import datetime
import math
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require_in_area
from audit.services import audit_record
from institutions.models import Institution, MentoringPair
from regions import codes

from .. import draw as draw_module
from ..models import (
    Checklist,
    Draw,
    Inspection,
    InspectionRound,
    Inspector,
)
from .common import _state_error


def _ensure_planner(actor, region_code: str) -> None:
    require_in_area(policies.plans_inspections(actor, region_code),
                    _("Only the city or county commission of the area plans its inspection rounds."),
                    user=actor, region=region_code)


@transaction.atomic
def round_plan(*, region_code: str, name: str, checklist: Checklist, share_percent: int, due_on: datetime.date,
               actor, risk_weighted: bool = False, inspectors_per_inspection: int = 2,
               seed: int | None = None) -> InspectionRound:
    """Plans a round for a city or county. The seed is fixed now (given, e.g. from a public lottery, or
    drawn from the system's secure generator) and recorded. Not idempotent: each call plans a round."""
    _ensure_planner(actor, region_code)
    if codes.level_of(region_code) not in (codes.CITY, codes.COUNTY):
        raise ValidationError({"region": _("A round covers a city or a county.")})
    if due_on <= timezone.localdate():
        raise ValidationError({"due_on": _("The inspections are due after today.")})
    if seed is not None and not (0 <= seed < 2**63):
        raise ValidationError({"seed": _("The seed is a whole number from 0 to 2⁶³ − 1.")})
    round_ = InspectionRound(region_id=region_code, name=name.strip(), checklist=checklist,
                             share_percent=share_percent, risk_weighted=risk_weighted,
                             inspectors_per_inspection=inspectors_per_inspection, due_on=due_on,
                             seed=secrets.randbits(63) if seed is None else seed, created_by=actor)
    round_.full_clean()
    round_.save()
    audit_record(actor=actor, action="inspection_round.plan", target=round_,
                 after={"name": round_.name, "share_percent": share_percent, "risk_weighted": risk_weighted,
                        "checklist": checklist.pk, "seed": round_.seed, "due_on": str(due_on)})
    return round_


def risk_weights(institution_ids: list[int], on: datetime.date) -> dict[int, int]:
    """Weight of each institution in a risk-weighted draw *(working definition)*: 1, plus points for
    findings of the last 3 years by risk level, for complaints of the last year and for a filing of the
    last year (SUPERVISION_DRAW_WEIGHTS). Two queries whatever the number of institutions."""
    w = settings.SUPERVISION_DRAW_WEIGHTS
    since = on.replace(year=on.year - 3) if (on.month, on.day) != (2, 29) else on.replace(year=on.year - 3, day=28)
    findings = (Inspection.objects.filter(institution_id__in=institution_ids, signed_off_at__isnull=False,
                                          inspected_on__gt=since)
                .values("institution_id")
                .annotate(h=Sum("findings_high"), m=Sum("findings_medium"), lo=Sum("findings_low")))
    weights = dict.fromkeys(institution_ids, 1)
    for row in findings:
        weights[row["institution_id"]] += (row["h"] * w.get("finding_high", 3) + row["m"] * w.get("finding_medium", 2)
                                           + row["lo"] * w.get("finding_low", 1))
    year_ago = on - datetime.timedelta(days=365)
    for pk in Institution.objects.filter(pk__in=institution_ids, filed_on__gt=year_ago).values_list("pk", flat=True):
        weights[pk] += w.get("new_filing", 2)
    for pk, n in complaint_counts(institution_ids, since=year_ago).items():
        weights[pk] += n * w.get("complaint", 2)
    return weights


def complaint_counts(institution_ids: list[int], *, since: datetime.date) -> dict[int, int]:
    """Complaints per institution since a date, from the complaints app when it is installed."""
    from django.apps import apps

    if not apps.is_installed("complaints"):
        return {}
    Complaint = apps.get_model("complaints", "Complaint")
    rows = (Complaint.objects.filter(institution_id__in=institution_ids, received_on__gt=since)
            .values("institution_id").annotate(n=Count("pk")))
    return {r["institution_id"]: r["n"] for r in rows}


def round_inputs(round_: InspectionRound, on: datetime.date | None = None) -> dict:
    """The inputs of the round's draw as the registry stands today: filed institutions of the area
    (suspended ones are not drawn: they are not operating), the active pool of the area, and each
    inspector's conflicts (the affiliated institution and its active mentoring partners)."""
    on = on or timezone.localdate()
    eligible = list(Institution.objects.under(round_.region_id).active_on(on)
                    .filter(status=Institution.Status.FILED).order_by("pk").values_list("pk", flat=True))
    weights = risk_weights(eligible, on) if round_.risk_weighted else dict.fromkeys(eligible, 1)
    pool = list(Inspector.objects.active().filter(region__code__startswith=round_.region_id)
                .order_by("pk").values_list("pk", "affiliation_id"))
    affiliations = {a for _pk, a in pool if a}
    partners: dict[int, set[int]] = {a: {a} for a in affiliations}
    pairs = MentoringPair.objects.filter(ended_on__isnull=True).filter(
        Q(mentor_id__in=affiliations) | Q(mentee_id__in=affiliations)).values_list("mentor_id", "mentee_id")
    for mentor, mentee in pairs:
        if mentor in partners:
            partners[mentor].add(mentee)
        if mentee in partners:
            partners[mentee].add(mentor)
    conflicts = {str(pk): sorted(partners[a]) for pk, a in pool if a}
    return {
        "region": round_.region_id,
        "on": str(on),
        "share_percent": round_.share_percent,
        "risk_weighted": round_.risk_weighted,
        "count": math.ceil(len(eligible) * round_.share_percent / 100),
        "institutions": [[pk, weights[pk]] for pk in eligible],
        "inspectors": [pk for pk, _a in pool],
        "conflicts": conflicts,
        "per_inspection": round_.inspectors_per_inspection,
    }


def _comparable(inputs: dict) -> dict:
    """The inputs without the day they were read: the same registry on another day is the same draw."""
    return {k: v for k, v in inputs.items() if k != "on"}


@transaction.atomic
def round_draw(*, round_: InspectionRound, actor) -> tuple[Draw, bool]:
    """Draws the round from its recorded seed and today's inputs. Returns (draw, created).

    Re-running with unchanged inputs returns the current draw, writes nothing and gives the same list.
    Changed inputs (an institution filed or cancelled, an inspector added, a new mentoring pair) make a
    new audited draw; the previous one stays on record, no longer current. Refused once the round's
    inspections are assigned.
    """
    _ensure_planner(actor, round_.region_id)
    round_ = InspectionRound.objects.select_for_update().get(pk=round_.pk)
    if round_.status == InspectionRound.Status.STARTED:
        raise _state_error(_("The inspections of this round are already assigned: the draw is final."))
    inputs = round_inputs(round_)
    digest = draw_module.inputs_hash(_comparable(inputs))
    current = round_.draws.filter(is_current=True).first()
    if current is not None and current.inputs_hash == digest:
        return current, False
    if inputs["count"] and not inputs["inspectors"]:
        raise ValidationError({"inspectors": _("The area's inspector pool is empty: register inspectors first.")})
    result = draw_module.draw(round_.seed, inputs)
    short = [r["institution"] for r in result if len(r["inspectors"]) < round_.inspectors_per_inspection]
    if short:
        raise ValidationError({"inspectors": _(
            "Not enough inspectors without a conflict for %(n)d drawn institutions: register more inspectors "
            "or ask for fewer per inspection.") % {"n": len(short)}})
    if current is not None:
        Draw.objects.filter(pk=current.pk).update(is_current=False)
    number = (current.number + 1) if current else 1
    drawn = Draw.objects.create(round=round_, number=number, seed=round_.seed, inputs=inputs, inputs_hash=digest,
                                result=result, created_by=actor)
    InspectionRound.objects.filter(pk=round_.pk).update(status=InspectionRound.Status.DRAWN,
                                                        updated_at=timezone.now())
    audit_record(actor=actor, action="inspection_round.draw", target=drawn,
                 before={"draw": current.number, "inputs_hash": current.inputs_hash} if current else None,
                 after={"draw": number, "seed": round_.seed, "inputs_hash": digest,
                        "institutions": [r["institution"] for r in result]})
    return drawn, True


def draw_replay(drawn: Draw) -> bool:
    """Runs the pure draw again from the recorded seed and inputs: True when it gives the recorded list."""
    return draw_module.draw(drawn.seed, drawn.inputs) == drawn.result


@transaction.atomic
def round_start(*, round_: InspectionRound, actor) -> list[Inspection]:
    """Assigns the inspections of the current draw (random inspections, due on the round's date). Guarded:
    a repeat is refused and assigns nothing twice."""
    _ensure_planner(actor, round_.region_id)
    if not InspectionRound.objects.filter(pk=round_.pk, status=InspectionRound.Status.DRAWN).update(
            status=InspectionRound.Status.STARTED, updated_at=timezone.now()):
        raise _state_error(_("Only a drawn round that has not started can assign its inspections."))
    round_.refresh_from_db()
    drawn = round_.draws.get(is_current=True)
    users = dict(Inspector.objects.filter(pk__in={i for r in drawn.result for i in r["inspectors"]})
                 .values_list("pk", "user_id"))
    inspections = []
    for row in drawn.result:
        inspection = Inspection.objects.create(institution_id=row["institution"], kind=Inspection.Kind.RANDOM,
                                               round=round_, checklist=round_.checklist, due_on=round_.due_on)
        inspection.inspectors.set([users[i] for i in row["inspectors"]])
        inspections.append(inspection)
    audit_record(actor=actor, action="inspection_round.start", target=round_,
                 after={"draw": drawn.number, "inspections": [i.pk for i in inspections]})
    return inspections
