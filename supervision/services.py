"""Every write of supervision after filing: checklists, the inspector pool, rounds and draws,
inspections, rectification, notices. One function per act, in one transaction, with its audit row.

Other apps call in here rather than writing supervision rows themselves: the filings lifecycle through
the `filings.signals.filing_approved` signal (receivers.py), complaints through
`inspection_open_targeted(..., source="complaint", source_reference=<reference number>)`.
"""

from __future__ import annotations

import datetime
import math
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require, require_in_area, require_visible
from audit.services import audit_record
from filings.models import Notification
from filings.services.notifications import notify_institution_staff
from filings.workdays import add_working_days
from institutions import services as institution_services
from institutions.models import Institution, MentoringPair
from portal.dispatch import dispatch_on_commit
from portal.exceptions import Conflict
from portal.uploads import check_upload
from regions import codes

from . import draw as draw_module
from .models import (
    RISK_ORDER,
    Checklist,
    ChecklistItem,
    Draw,
    Evidence,
    Inspection,
    InspectionRound,
    Inspector,
    ItemRecord,
    NonComplianceNotice,
    RectificationOrder,
    RectificationResponse,
    Risk,
    SuspensionNotice,
)

PHOTO_TYPES = ("image/jpeg", "image/png")


def _state_error(message: str) -> Conflict:
    return Conflict(message, code="state")


def _notify_institution(inspection: Inspection, event: str, message) -> None:
    """Tells the inspected institution's staff, where they already read their filings' notifications; the
    e-mail leaves through the outbox in the caller's transaction. `message` is called in the portal's
    language, the language the e-mail is written in."""
    with translation.override(settings.LANGUAGE_CODE):
        text = str(message())
    notify_institution_staff(institution_id=inspection.institution_id, event=event, message=text,
                             link=reverse("supervision:inspection", args=[inspection.pk]))


# --- Checklists -----------------------------------------------------------------------------------

@transaction.atomic
def checklist_create_version(*, code: str, name: str, items: list[dict], actor, notes: str = "",
                             is_working_definition: bool = False) -> Checklist:
    """A new version of checklist `code` (version 1 if the code is new). Older versions and the
    inspections that used them are untouched. Not idempotent: each call adds a version.

    `items`: [{"code", "area", "text", "risk": high|medium|low, "immediate_risk": bool, "basis"}, ...]
    """
    require(policies.is_official_or_admin(actor), _("Only officials and administrators write checklists."))
    if not items:
        raise ValidationError({"items": _("A checklist needs at least one item.")})
    last = Checklist.objects.select_for_update().filter(code=code).order_by("-version").first()
    checklist = Checklist(code=code, version=(last.version + 1) if last else 1, name=name, notes=notes,
                          is_working_definition=is_working_definition, created_by=actor)
    checklist.full_clean()
    checklist.save()
    rows = []
    seen = set()
    for order, raw in enumerate(items, start=1):
        item = ChecklistItem(checklist=checklist, order=order, code=str(raw.get("code", "")).strip(),
                             area=str(raw.get("area", "")).strip(), text=str(raw.get("text", "")).strip(),
                             basis=str(raw.get("basis", "")).strip(), risk=raw.get("risk", ""),
                             immediate_risk=bool(raw.get("immediate_risk", False)))
        if item.code in seen:
            raise ValidationError({"items": _("Item %(code)s appears twice.") % {"code": item.code}})
        seen.add(item.code)
        try:
            item.full_clean(exclude=["checklist"])
        except ValidationError as exc:
            raise ValidationError({"items": _("Item %(n)d: %(errors)s") % {
                "n": order, "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())}}) \
                from exc
        rows.append(item)
    ChecklistItem.objects.bulk_create(rows)
    audit_record(actor=actor, action="checklist.create", target=checklist,
                 after={"code": code, "version": checklist.version, "items": len(rows)})
    return checklist


def checklist_latest(code: str) -> Checklist | None:
    return Checklist.objects.filter(code=code).order_by("-version").first()


# --- Inspector pool -------------------------------------------------------------------------------

@transaction.atomic
def inspector_register(*, user, actor, affiliation: Institution | None = None) -> Inspector:
    """Puts an official into the pool of their area (the official's own region). A repeat for the same
    official updates the affiliation and puts them back in the pool."""
    require(policies.is_official(user), _("Only officials' accounts can be registered as inspectors."))
    require_in_area(policies.plans_inspections(actor, user.region_id),
                    _("Only the city or county commission of the official's area keeps its inspector pool."),
                    user=actor, region=user.region_id)
    if affiliation is not None and not policies.in_area(actor, affiliation.region_id):
        raise ValidationError({"affiliation": _("Choose an institution of your area.")})
    inspector, created = Inspector.objects.select_for_update().get_or_create(
        user=user, defaults={"region_id": user.region_id, "affiliation": affiliation, "registered_by": actor})
    before = None
    if not created:
        before = {"affiliation": inspector.affiliation_id, "is_active": inspector.is_active}
        inspector.affiliation, inspector.is_active, inspector.region_id = affiliation, True, user.region_id
        inspector.save(update_fields=["affiliation", "is_active", "region", "updated_at"])
    audit_record(actor=actor, action="inspector.register", target=inspector, before=before,
                 after={"user": user.pk, "affiliation": affiliation.pk if affiliation else None, "is_active": True})
    return inspector


@transaction.atomic
def inspector_withdraw(*, inspector: Inspector, actor) -> Inspector:
    """Takes an inspector out of the pool (future draws only; assigned inspections stay). Repeat: no change."""
    require_in_area(policies.plans_inspections(actor, inspector.region_id),
                    _("Only the city or county commission of the official's area keeps its inspector pool."),
                    user=actor, region=inspector.region_id)
    if Inspector.objects.filter(pk=inspector.pk, is_active=True).update(is_active=False, updated_at=timezone.now()):
        audit_record(actor=actor, action="inspector.withdraw", target=inspector, after={"is_active": False})
    inspector.refresh_from_db()
    return inspector


# --- Rounds and the draw --------------------------------------------------------------------------

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


# --- Opening inspections --------------------------------------------------------------------------

def checklists_ensure_shipped() -> None:
    """Loads version 1 of the shipped checklists where missing (migration 0002 does it; a database emptied
    since, as a test server's, gets them back here). Safe to repeat."""
    from .checklists import SHIPPED, as_items

    for data in SHIPPED:
        checklist, created = Checklist.objects.get_or_create(
            code=data["code"], version=1,
            defaults={"name": data["name"], "notes": data["notes"], "is_working_definition": True})
        if created:
            ChecklistItem.objects.bulk_create([ChecklistItem(checklist=checklist, order=n, **item)
                                               for n, item in enumerate(as_items(data), start=1)])


def _default_checklist() -> Checklist:
    code = settings.SUPERVISION_VERIFICATION_CHECKLIST
    checklist = checklist_latest(code)
    if checklist is None:
        checklists_ensure_shipped()
        checklist = checklist_latest(code) or Checklist.objects.order_by("code", "-version").first()
    return checklist


@transaction.atomic
def verification_open(*, filing, decided_on: datetime.date) -> Inspection | None:
    """Opens the county's post-filing verification of an approved filing, due 15 working days after the
    decision (登记和备案办法: non-compliance is notified within 15 working days). Called in the approval's
    transaction by the `filing_approved` receiver; the actor is the system. A repeat for the same filing
    opens nothing (one verification per filing)."""
    if Inspection.objects.filter(filing_id=filing.pk, kind=Inspection.Kind.VERIFICATION).exists():
        return None
    due_on = add_working_days(decided_on, settings.SUPERVISION_VERIFICATION_WORKING_DAYS)
    inspection = Inspection.objects.create(institution_id=filing.institution_id, kind=Inspection.Kind.VERIFICATION,
                                           filing_id=filing.pk, checklist=_default_checklist(), due_on=due_on,
                                           mode=Inspection.Mode.DESK)
    audit_record(actor=None, action="inspection.verification_open", target=inspection,
                 after={"filing": filing.pk, "due_on": str(due_on)})
    return inspection


@transaction.atomic
def inspection_open_targeted(*, institution: Institution, actor, source: str, reason: str,
                             checklist: Checklist | None = None, inspectors=(), source_reference: str = "",
                             due_on: datetime.date | None = None) -> Inspection:
    """A targeted inspection (after a complaint or an incident), besides the random ones. Due in
    SUPERVISION_TARGETED_WORKING_DAYS working days unless a date is given. Not idempotent."""
    require_in_area(policies.supervises(actor, institution),
                    _("Only the county or city commission of the institution's area opens a targeted inspection."),
                    user=actor, region=institution.region_id)
    if source not in Inspection.Source.values:
        raise ValidationError({"source": _("Choose complaint, incident or other.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what led to the inspection.")})
    if institution.status not in (Institution.Status.FILED, Institution.Status.SUSPENDED):
        raise _state_error(_("Only a filed institution is inspected."))
    today = timezone.localdate()
    due_on = due_on or add_working_days(today, settings.SUPERVISION_TARGETED_WORKING_DAYS)
    inspection = Inspection(institution=institution, kind=Inspection.Kind.TARGETED, source=source,
                            source_reference=source_reference, reason=reason.strip(),
                            checklist=checklist or _default_checklist(), due_on=due_on)
    inspection.full_clean()
    inspection.save()
    users = _pool_users(inspection, list(inspectors)) if inspectors else []
    inspection.inspectors.set(users)
    audit_record(actor=actor, action="inspection.targeted_open", target=inspection,
                 after={"source": source, "reference": source_reference, "due_on": str(due_on),
                        "inspectors": [u.pk for u in users]})
    return inspection


def _pool_users(inspection: Inspection, users: list) -> list:
    """The users, if each is an active inspector without a conflict with the institution."""
    pool = {i.user_id: i for i in Inspector.objects.active().filter(user__in=users)}
    conflicts = _conflicted_affiliations(inspection.institution_id)
    for user in users:
        inspector = pool.get(user.pk)
        if inspector is None:
            raise ValidationError({"inspectors": _("%(name)s is not in an inspector pool.") % {"name": user}})
        if inspector.affiliation_id in conflicts:
            raise ValidationError({"inspectors": _(
                "%(name)s is affiliated with this institution or its mentoring partner.") % {"name": user}})
    return users


def _conflicted_affiliations(institution_id: int) -> set[int]:
    pairs = MentoringPair.objects.filter(ended_on__isnull=True).filter(
        Q(mentor_id=institution_id) | Q(mentee_id=institution_id)).values_list("mentor_id", "mentee_id")
    return {institution_id} | {pk for pair in pairs for pk in pair}


@transaction.atomic
def inspection_assign(*, inspection: Inspection, inspectors: list, actor, mode: str | None = None) -> Inspection:
    """Sets who inspects an open verification or targeted inspection, and how (desk or on site).
    Random inspections keep their drawn inspectors. Repeating it with the same people changes nothing."""
    require_in_area(policies.supervises(actor, inspection.institution),
                    _("Only the county or city commission of the institution's area assigns inspectors."),
                    user=actor, region=inspection.institution.region_id)
    if inspection.kind == Inspection.Kind.RANDOM:
        raise _state_error(_("A random inspection keeps the inspectors drawn for it."))
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != Inspection.Status.ASSIGNED:
        raise _state_error(_("This inspection is signed off: its inspectors no longer change."))
    if not inspectors:
        raise ValidationError({"inspectors": _("Choose at least one inspector.")})
    users = _pool_users(inspection, list(inspectors))
    before = sorted(inspection.inspectors.values_list("pk", flat=True))
    inspection.inspectors.set(users)
    if mode:
        if mode not in Inspection.Mode.values:
            raise ValidationError({"mode": _("Choose on site or desk check.")})
        inspection.mode = mode
        inspection.save(update_fields=["mode", "updated_at"])
    audit_record(actor=actor, action="inspection.assign", target=inspection, before={"inspectors": before},
                 after={"inspectors": sorted(u.pk for u in users), "mode": inspection.mode})
    return inspection


# --- Recording an inspection ----------------------------------------------------------------------

def _ensure_inspector(actor, inspection: Inspection) -> None:
    require_visible(policies.inspects(actor, inspection),
                    _("Only the inspectors assigned to this inspection record it."),
                    user=actor, obj=inspection)


def _open_inspection(inspection: Inspection) -> Inspection:
    locked = Inspection.objects.select_for_update().select_related("institution").get(pk=inspection.pk)
    if locked.status != Inspection.Status.ASSIGNED:
        raise _state_error(_("This inspection is signed off: its records no longer change."))
    return locked


@transaction.atomic
def item_record(*, inspection: Inspection, item: ChecklistItem, outcome: str, actor, note: str = "") -> ItemRecord:
    """Records (or corrects, until sign-off) the outcome of one item. A finding needs a note. Repeating it
    with the same values changes nothing but the time."""
    _ensure_inspector(actor, inspection)
    inspection = _open_inspection(inspection)
    if item.checklist_id != inspection.checklist_id:
        raise ValidationError({"item": _("This item is not on the inspection's checklist.")})
    if outcome not in ItemRecord.Outcome.values:
        raise ValidationError({"outcome": _("Choose meets the requirement, finding or not applicable.")})
    note = (note or "").strip()
    if outcome == ItemRecord.Outcome.FINDING and not note:
        raise ValidationError({"note": _("Describe the finding: the institution must know what to put right.")})
    record = ItemRecord.objects.filter(inspection=inspection, item=item).first()
    before = {"outcome": record.outcome, "note": record.note} if record else None
    if record is None:
        record = ItemRecord(inspection=inspection, item=item)
    record.outcome, record.note, record.recorded_by = outcome, note, actor
    record.full_clean(exclude=["inspection", "item"])
    record.save()
    audit_record(actor=actor, action="inspection.record_item", target=record, before=before,
                 after={"item": item.code, "outcome": outcome, "note": note})
    return record


def _store_evidence(*, inspection: Inspection, file, actor, record: ItemRecord | None = None,
                    response: RectificationResponse | None = None, photos_only: bool) -> Evidence:
    """Checks the upload by content (filings' safe upload path), stores it under a private random name."""
    name, content_type, sha256 = check_upload(file)
    if photos_only and content_type not in PHOTO_TYPES:
        raise ValidationError({"file": _("Upload a photo (.jpg, .jpeg or .png).")})
    evidence = Evidence(inspection=inspection, record=record, response=response, original_name=name,
                        content_type=content_type, size=file.size, sha256=sha256, uploaded_by=actor)
    evidence.file.save(name, file, save=False)
    try:
        evidence.full_clean(exclude=["file", "inspection", "record", "response"])
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    audit_record(actor=actor, action="evidence.upload", target=evidence,
                 after={"name": name, "size": evidence.size, "sha256": sha256, "stored": evidence.file.name})
    return evidence


@transaction.atomic
def evidence_add(*, record: ItemRecord, file, actor) -> Evidence:
    """A photo of what the inspector saw, on one item record. Not idempotent: each call adds a photo."""
    inspection = record.inspection
    _ensure_inspector(actor, inspection)
    inspection = _open_inspection(inspection)
    return _store_evidence(inspection=inspection, record=record, file=file, actor=actor, photos_only=True)


def evidence_record_view(*, evidence: Evidence, actor) -> None:
    """Audit-logs that a user opened an evidence file (photos of premises may show people)."""
    audit_record(actor=actor, action="evidence.view", target=evidence)


def _rectification_days(findings: dict[str, int]) -> int:
    days = settings.SUPERVISION_RECTIFICATION_WORKING_DAYS
    for risk in RISK_ORDER:
        if findings[risk]:
            return days[risk]
    return days[Risk.LOW]


@transaction.atomic
def inspection_sign_off(*, inspection: Inspection, actor, summary: str = "", mode: str | None = None) -> Inspection:
    """Signs the inspection off once every item is recorded. Findings → a rectification order due in working
    days by the highest risk found (SUPERVISION_RECTIFICATION_WORKING_DAYS), and for a verification the
    non-compliance notice (不符合要求告知) with the items, published on the register. No findings → closed.
    Guarded: a repeat is refused and changes nothing."""
    _ensure_inspector(actor, inspection)
    inspection = _open_inspection(inspection)
    records = list(inspection.records.select_related("item"))
    missing = inspection.checklist.items.exclude(pk__in=[r.item_id for r in records]).count()
    if missing:
        raise ValidationError({"records": _("%(n)d items are not recorded yet.") % {"n": missing}})
    if mode:
        if mode not in Inspection.Mode.values:
            raise ValidationError({"mode": _("Choose on site or desk check.")})
        inspection.mode = mode
    findings = dict.fromkeys(RISK_ORDER, 0)
    for r in records:
        if r.outcome == ItemRecord.Outcome.FINDING:
            findings[r.item.risk] += 1
    now = timezone.now()
    today = timezone.localdate(now)
    has_findings = any(findings.values())
    inspection.status = Inspection.Status.SIGNED_OFF if has_findings else Inspection.Status.CLOSED
    inspection.result = Inspection.Result.FINDINGS if has_findings else Inspection.Result.COMPLIANT
    inspection.inspected_on, inspection.signed_off_at, inspection.signed_off_by = today, now, actor
    inspection.summary = (summary or "").strip()
    inspection.findings_high, inspection.findings_medium, inspection.findings_low = (
        findings[Risk.HIGH], findings[Risk.MEDIUM], findings[Risk.LOW])
    inspection.save()
    order = None
    if has_findings:
        order = RectificationOrder.objects.create(
            inspection=inspection, issued_on=today, due_on=add_working_days(today, _rectification_days(findings)))
        if inspection.kind == Inspection.Kind.VERIFICATION:
            items = [{"code": r.item.code, "area": r.item.area, "text": r.item.text, "risk": r.item.risk}
                     for r in records if r.outcome == ItemRecord.Outcome.FINDING]
            notice = NonComplianceNotice.objects.create(inspection=inspection, issued_on=today, items=items)
            audit_record(actor=actor, action="notice.noncompliance_issue", target=notice,
                         after={"items": [i["code"] for i in items]})
    audit_record(actor=actor, action="inspection.sign_off", target=inspection,
                 after={"result": inspection.result, "findings": findings, "mode": inspection.mode,
                        "rectification_due_on": str(order.due_on) if order else None})
    _notify_institution(inspection, Notification.Event.INSPECTION, lambda: _(
        "%(kind)s of %(date)s: %(result)s (findings: %(high)d high, %(medium)d medium, %(low)d low risk).") % {
        "kind": inspection.get_kind_display(), "date": inspection.inspected_on,
        "result": inspection.get_result_display(),
        "high": findings[Risk.HIGH], "medium": findings[Risk.MEDIUM], "low": findings[Risk.LOW]})
    if order:
        _notify_institution(inspection, Notification.Event.RECTIFICATION, lambda: _(
            "Put the findings right and answer with evidence by %(date)s.") % {"date": order.due_on})
    return inspection


# --- Rectification --------------------------------------------------------------------------------

@transaction.atomic
def rectification_answer(*, order: RectificationOrder, text: str, actor, files=()) -> RectificationResponse:
    """The institution says what it put right, with evidence (photos or scans). Guarded: only an open
    order takes an answer; a second answer waits for the inspector's decision on the first."""
    require_visible(policies.is_staff_of(actor, order.inspection.institution_id),
                    _("Only the institution's own staff answer its rectification order."),
                    user=actor, obj=order)
    if not (text or "").strip():
        raise ValidationError({"text": _("Say what was put right.")})
    if not RectificationOrder.objects.filter(pk=order.pk, status=RectificationOrder.Status.OPEN).update(
            status=RectificationOrder.Status.ANSWERED, updated_at=timezone.now()):
        raise _state_error(_("This order is not waiting for an answer (answered already, or rectified)."))
    order.refresh_from_db()
    response = RectificationResponse.objects.create(order=order, text=text.strip(), submitted_by=actor,
                                                    submitted_on=timezone.localdate())
    for file in files:
        _store_evidence(inspection=order.inspection, response=response, file=file, actor=actor, photos_only=False)
    audit_record(actor=actor, action="rectification.answer", target=response,
                 after={"order": order.pk, "files": len(files)})
    return response


@transaction.atomic
def rectification_decide(*, order: RectificationOrder, accept: bool, actor, note: str = "") -> RectificationOrder:
    """The inspector accepts the answer (the order is rectified, the inspection closed) or reopens the
    order (the deadline stays: a reopened order past it is overdue). Guarded: a repeat is refused."""
    inspection = order.inspection
    _ensure_inspector(actor, inspection)
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"note": _("Say what is still to be put right.")})
    response = order.responses.filter(decision="").order_by("-submitted_at").first()
    new_status = RectificationOrder.Status.ACCEPTED if accept else RectificationOrder.Status.OPEN
    updates = {"status": new_status, "updated_at": timezone.now()}
    if accept:
        updates["rectified_on"] = response.submitted_on if response else timezone.localdate()
    if response is None or not RectificationOrder.objects.filter(
            pk=order.pk, status=RectificationOrder.Status.ANSWERED).update(**updates):
        raise _state_error(_("This order has no answer waiting for a decision."))
    RectificationResponse.objects.filter(pk=response.pk).update(
        decision=RectificationResponse.Decision.ACCEPTED if accept else RectificationResponse.Decision.REOPENED,
        decision_note=note, decided_by=actor, decided_at=timezone.now())
    if accept:
        Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.CLOSED, updated_at=timezone.now())
    order.refresh_from_db()
    audit_record(actor=actor, action="rectification.accept" if accept else "rectification.reopen", target=order,
                 after={"status": order.status, "note": note,
                        "rectified_on": str(order.rectified_on) if order.rectified_on else None})
    if not accept:
        _notify_institution(inspection, Notification.Event.RECTIFICATION, lambda: _(
            "The inspector reopened the rectification order: %(note)s The deadline stays %(date)s.") % {
            "note": note, "date": order.due_on})
    return order


def rectifications_escalate_overdue(on: datetime.date | None = None) -> int:
    """Daily (beat): marks every order past its deadline and not rectified as escalated, once, with an audit
    row each, and e-mails the county's officials through the outbox. Safe to repeat: an order is
    escalated once. Returns how many were escalated."""
    on = on or timezone.localdate()
    escalated = 0
    due = list(RectificationOrder.objects.overdue(on).filter(escalated_at__isnull=True)
               .values_list("pk", flat=True)[:1000])
    for pk in due:
        with transaction.atomic():
            if not RectificationOrder.objects.filter(pk=pk, escalated_at__isnull=True).update(
                    escalated_at=timezone.now()):
                continue
            order = RectificationOrder.objects.select_related("inspection__institution").get(pk=pk)
            audit_record(actor=None, action="rectification.escalate", target=order,
                         after={"due_on": str(order.due_on), "status": order.status})
            from .tasks import send_escalation_notice

            dispatch_on_commit(send_escalation_notice, order_id=pk)
            _notify_institution(order.inspection, Notification.Event.ESCALATED, lambda order=order: _(
                "The rectification deadline %(date)s has passed; the county health commission was told.") % {
                "date": order.due_on})
            escalated += 1
    return escalated


# --- Suspension after an immediate risk -----------------------------------------------------------

def _ensure_suspender(actor, institution: Institution) -> None:
    require_in_area(policies.suspends(actor, institution),
                    _("Only the county health commission the institution filed with may suspend it."),
                    user=actor, region=institution.region_id)


@transaction.atomic
def suspension_notice_issue(*, inspection: Inspection, reason: str, actor) -> SuspensionNotice:
    """Notice of intended suspension after an immediate-risk finding: the institution may object until
    SUPERVISION_OBJECTION_DAYS calendar days from today (14, as Ofsted gives). Refused without an
    immediate-risk finding, and while another notice of the inspection is pending."""
    _ensure_suspender(actor, inspection.institution)
    if not inspection.records.filter(outcome=ItemRecord.Outcome.FINDING, item__immediate_risk=True).exists():
        raise _state_error(_("Suspension follows only an immediate-risk finding of this inspection."))
    if inspection.suspension_notices.filter(status__in=SuspensionNotice.PENDING).exists():
        raise _state_error(_("A suspension notice of this inspection is already pending."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason: the institution answers it.")})
    today = timezone.localdate()
    notice = SuspensionNotice.objects.create(
        inspection=inspection, reason=reason.strip(), issued_on=today, issued_by=actor,
        object_by=today + datetime.timedelta(days=settings.SUPERVISION_OBJECTION_DAYS))
    audit_record(actor=actor, action="suspension_notice.issue", target=notice,
                 after={"object_by": str(notice.object_by), "reason": notice.reason})
    _notify_institution(inspection, Notification.Event.SUSPENSION_NOTICE, lambda: _(
        "Reason: %(reason)s You may object until %(date)s.") % {"reason": notice.reason, "date": notice.object_by})
    return notice


@transaction.atomic
def suspension_notice_object(*, notice: SuspensionNotice, objection: str, actor) -> SuspensionNotice:
    """The institution objects within the period. Guarded: once, and only in time."""
    require_visible(policies.is_staff_of(actor, notice.inspection.institution_id),
                    _("Only the institution's own staff object to its suspension notice."),
                    user=actor, obj=notice)
    if not (objection or "").strip():
        raise ValidationError({"objection": _("Write the objection.")})
    if timezone.localdate() > notice.object_by:
        raise _state_error(_("The period to object ended on %(date)s.") % {"date": notice.object_by})
    if not SuspensionNotice.objects.filter(pk=notice.pk, status=SuspensionNotice.Status.NOTIFIED).update(
            status=SuspensionNotice.Status.OBJECTED, objection=objection.strip(), objected_at=timezone.now()):
        raise _state_error(_("This notice no longer takes an objection."))
    notice.refresh_from_db()
    audit_record(actor=actor, action="suspension_notice.object", target=notice, after={"status": notice.status})
    return notice


@transaction.atomic
def suspension_notice_decide(*, notice: SuspensionNotice, suspend: bool, actor, note: str = "") -> SuspensionNotice:
    """The county decides: suspend (through institutions' suspension service, from today) or withdraw the
    notice. Suspension waits for the end of the period unless the institution has objected (and was
    heard). Guarded: decided once."""
    institution = notice.inspection.institution
    _ensure_suspender(actor, institution)
    today = timezone.localdate()
    if suspend and notice.status == SuspensionNotice.Status.NOTIFIED and today <= notice.object_by:
        raise _state_error(_("The institution may object until %(date)s: decide after that, or after its "
                             "objection.") % {"date": notice.object_by})
    status = SuspensionNotice.Status.SUSPENDED if suspend else SuspensionNotice.Status.WITHDRAWN
    if not SuspensionNotice.objects.filter(pk=notice.pk, status__in=SuspensionNotice.PENDING).update(
            status=status, decided_by=actor, decided_at=timezone.now(), decision_note=(note or "").strip()):
        raise _state_error(_("This notice is decided already."))
    notice.refresh_from_db()
    if suspend:
        institution_services.institution_suspend(institution=institution, suspended_on=today, actor=actor)
    audit_record(actor=actor, action="suspension_notice.decide", target=notice, after={"status": status})
    _notify_institution(notice.inspection, Notification.Event.SUSPENSION_DECIDED, lambda: (
        _("The institution is suspended from %(date)s.") % {"date": today} if suspend
        else _("The suspension notice was withdrawn.")))
    return notice
