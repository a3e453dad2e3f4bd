"""Every write of demonstration-city creation: the standard's versions, a city's creation, its evidence and
notes, submission, the province's scores, return and finish. One function per act, in one transaction, with its
audit row; state changes are guarded updates, so a double click or two officials at once change nothing twice.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require, require_in_area
from audit.services import audit_record
from portal.exceptions import Conflict
from portal.uploads import check_upload
from regions import codes
from regions.models import Region

from . import standards
from .models import Creation, CreationEvidence, CreationStandard, Criterion, CriterionEntry, CriterionGroup

NOT_EDITABLE = _("This creation is under review or scored: evidence and notes can no longer change.")


def _conflict(message: str) -> Conflict:
    return Conflict(message, code="state")


# --- The standard ---------------------------------------------------------------------------------

def standards_ensure_shipped() -> None:
    """Loads version 1 of the shipped standard where missing (migration 0002 does it; a database emptied since,
    as a test server's, gets it back here). Safe to repeat."""
    standards.load_shipped(CreationStandard, CriterionGroup, Criterion)


def standard_latest(code: str = standards.CODE) -> CreationStandard | None:
    return CreationStandard.objects.filter(code=code).order_by("-version").first()


@transaction.atomic
def standard_create_version(*, code: str, name: str, groups: list[dict], actor, edition: str = "", notes: str = "",
                            met_percent: int = standards.MET_PERCENT,
                            is_working_definition: bool = False) -> CreationStandard:
    """A new version of standard `code` (version 1 if the code is new). Older versions and the creations opened
    against them are untouched. Not idempotent: each call adds a version.

    `groups`: [{"code", "name", "criteria": [{"code", "text", "max_points", "evidence_required"}, ...]}, ...]
    """
    require(policies.edits_creation_standard(actor),
            _("Only provincial officials and administrators edit the creation standard."))
    if not groups or not any(g.get("criteria") for g in groups):
        raise ValidationError({"groups": _("A standard needs at least one criterion.")})
    last = CreationStandard.objects.select_for_update().filter(code=code).order_by("-version").first()
    standard = CreationStandard(code=code, version=(last.version + 1) if last else 1, name=name, edition=edition,
                                notes=notes, met_percent=met_percent, is_working_definition=is_working_definition,
                                created_by=actor)
    standard.full_clean()
    standard.save()
    seen_groups, seen, order, count = set(), set(), 0, 0
    for g_order, raw_group in enumerate(groups, start=1):
        group = CriterionGroup(standard=standard, code=str(raw_group.get("code", "")).strip(),
                               name=str(raw_group.get("name", "")).strip(), order=g_order)
        if group.code in seen_groups:
            raise ValidationError({"groups": _("Group %(code)s appears twice.") % {"code": group.code}})
        seen_groups.add(group.code)
        _clean_row(group, "groups", g_order, exclude=["standard"])
        group.save()
        rows = []
        for raw in raw_group.get("criteria") or []:
            order += 1
            try:
                points = Decimal(str(raw.get("max_points", "")))
            except InvalidOperation:
                points = None
            criterion = Criterion(standard=standard, group=group, order=order,
                                  code=str(raw.get("code", "")).strip(), text=str(raw.get("text", "")).strip(),
                                  max_points=points, evidence_required=str(raw.get("evidence_required", "")).strip())
            if criterion.code in seen:
                raise ValidationError({"groups": _("Criterion %(code)s appears twice.") % {"code": criterion.code}})
            seen.add(criterion.code)
            _clean_row(criterion, "groups", order, exclude=["standard", "group"])
            rows.append(criterion)
        Criterion.objects.bulk_create(rows)
        count += len(rows)
    audit_record(actor=actor, action="creation_standard.create", target=standard,
                 after={"code": code, "version": standard.version, "criteria": count})
    return standard


def _clean_row(row, field: str, n: int, exclude: list[str]) -> None:
    try:
        row.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise ValidationError({field: _("Row %(n)d: %(errors)s") % {
            "n": n, "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())}}) from exc


# --- A city's creation ----------------------------------------------------------------------------

@transaction.atomic
def creation_open(*, city: Region | str, year: int, actor, standard: CreationStandard | None = None) -> Creation:
    """Opens the city's creation for `year` against the latest version of the standard (or `standard`), with one
    empty entry per criterion. One per city per year: a second call is refused with the existing one named."""
    code = getattr(city, "code", city)
    require_in_area(policies.opens_creation(actor, code),
                    _("Only the city's own officials or its province open the city's creation."), user=actor,
                    region=code)
    if codes.level_of(code) != codes.CITY:
        raise ValidationError({"city": _("Choose a city: demonstration-city creation is a city's.")})
    if standard is None:
        standard = standard_latest()
        if standard is None:
            standards_ensure_shipped()
            standard = standard_latest()
    if Creation.objects.filter(city_id=code, year=year).exists():
        raise _conflict(_("This city already has a creation for %(year)d.") % {"year": year})
    creation = Creation(city_id=code, year=year, standard=standard, opened_by=actor)
    creation.full_clean(exclude=["city"])
    creation.save()
    CriterionEntry.objects.bulk_create([CriterionEntry(creation=creation, criterion=c)
                                        for c in standard.criteria.order_by("order")])
    audit_record(actor=actor, action="creation.open", target=creation,
                 after={"city": code, "year": year, "standard": standard.code, "version": standard.version})
    return creation


def _editable(creation: Creation, actor) -> Creation:
    """The creation locked for an edit by its city: refused unless it is still being assembled or was returned."""
    require_in_area(policies.assembles_creation(actor, creation.city_id),
                    _("Only the city's own officials assemble its creation."), user=actor, region=creation.city_id)
    locked = Creation.objects.select_for_update().get(pk=creation.pk)
    if not locked.is_editable:
        raise _conflict(NOT_EDITABLE)
    return locked


def _criterion_of(creation: Creation, criterion: Criterion | int) -> Criterion:
    pk = getattr(criterion, "pk", criterion)
    found = Criterion.objects.filter(pk=pk, standard_id=creation.standard_id).first()
    if found is None:
        raise ValidationError({"criterion": _("Choose a criterion of this creation's standard.")})
    return found


@transaction.atomic
def evidence_add(*, creation: Creation, criterion: Criterion | int, file, actor) -> CreationEvidence:
    """A document against one criterion, checked by its content (the portal's safe upload path) and stored under
    a private random name. Not idempotent: each call adds a document."""
    creation = _editable(creation, actor)
    criterion = _criterion_of(creation, criterion)
    name, content_type, sha256 = check_upload(file)
    evidence = CreationEvidence(creation=creation, criterion=criterion, original_name=name,
                                content_type=content_type, size=file.size, sha256=sha256, uploaded_by=actor)
    evidence.file.save(name, file, save=False)
    try:
        evidence.full_clean(exclude=["file", "creation", "criterion"])
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    Creation.objects.filter(pk=creation.pk).update(updated_at=timezone.now())
    audit_record(actor=actor, action="creation.evidence_upload", target=evidence,
                 after={"criterion": criterion.code, "name": name, "size": evidence.size, "sha256": sha256,
                        "stored": evidence.file.name})
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: CreationEvidence, actor) -> None:
    """Removes a document the city uploaded by mistake, while the creation is still being assembled. The file
    is deleted once no row names it; the audit row keeps its name and digest."""
    _editable(evidence.creation, actor)
    name, stored = evidence.original_name, evidence.file.name
    audit_record(actor=actor, action="creation.evidence_remove", target=evidence,
                 before={"criterion": evidence.criterion.code, "name": name, "sha256": evidence.sha256})
    evidence.delete()
    if not CreationEvidence.objects.filter(file=stored).exists():
        transaction.on_commit(lambda: evidence.file.storage.delete(stored))


@transaction.atomic
def entry_note_set(*, creation: Creation, criterion: Criterion | int, note: str, actor) -> CriterionEntry:
    """The city's note on one criterion (what its evidence shows). Safe to repeat: the last note stands."""
    creation = _editable(creation, actor)
    criterion = _criterion_of(creation, criterion)
    entry, _created = CriterionEntry.objects.get_or_create(creation=creation, criterion=criterion)
    before = {"note": entry.note}
    entry.note = note.strip()
    entry.full_clean(exclude=["creation", "criterion"])
    entry.save(update_fields=["note", "updated_at"])
    audit_record(actor=actor, action="creation.note", target=entry, before=before,
                 after={"criterion": criterion.code, "note": entry.note})
    return entry


@transaction.atomic
def creation_submit(*, creation: Creation, actor, note: str | None = None) -> Creation:
    """The city submits its creation for the province's review (again, after a return). Needs at least one
    document. Guarded: a second submission is refused as already under review."""
    require_in_area(policies.assembles_creation(actor, creation.city_id),
                    _("Only the city's own officials submit its creation."), user=actor, region=creation.city_id)
    if not CreationEvidence.objects.filter(creation=creation).exists():
        raise ValidationError(_("Upload evidence for at least one criterion before submitting."))
    fields = {"status": Creation.Status.SUBMITTED, "submitted_at": timezone.now(), "submitted_by": actor,
              "updated_at": timezone.now()}
    if note is not None:
        fields["note"] = note.strip()
    claimed = Creation.objects.filter(pk=creation.pk, status__in=Creation.EDITABLE).update(**fields)
    if not claimed:
        raise _conflict(_("This creation is already under review or scored."))
    creation.refresh_from_db()
    audit_record(actor=actor, action="creation.submit", target=creation,
                 after={"status": creation.status, "note": creation.note})
    return creation


def _under_review(creation: Creation, actor) -> None:
    require_in_area(policies.scores_creation(actor, creation.city_id),
                    _("Only the province's officials review a city's creation."), user=actor, region=creation.city_id)


@transaction.atomic
def entry_score(*, creation: Creation, criterion: Criterion | int, points, actor, comment: str = "") -> CriterionEntry:
    """The province scores one criterion (0 to its maximum points) with a comment. Only while the creation is
    under review; a repeat replaces the score."""
    _under_review(creation, actor)
    creation = Creation.objects.select_for_update().get(pk=creation.pk)
    if creation.status != Creation.Status.SUBMITTED:
        raise _conflict(_("Only a submitted creation is scored."))
    criterion = _criterion_of(creation, criterion)
    try:
        points = Decimal(str(points))
    except InvalidOperation as exc:
        raise ValidationError({"points": _("Enter a number.")}) from exc
    if not points.is_finite() or points != points.quantize(Decimal("0.1")):
        raise ValidationError({"points": _("Score: a number with at most one decimal place.")})
    points = points.quantize(Decimal("0.1"))
    if points < 0 or points > criterion.max_points:
        raise ValidationError({"points": _("Score: between 0 and %(max)s points for this criterion.") % {
            "max": criterion.max_points}})
    entry, _created = CriterionEntry.objects.get_or_create(creation=creation, criterion=criterion)
    before = {"points": str(entry.points) if entry.points is not None else None, "comment": entry.comment}
    entry.points, entry.comment, entry.scored_by, entry.scored_at = points, comment.strip(), actor, timezone.now()
    entry.full_clean(exclude=["creation", "criterion"])
    entry.save(update_fields=["points", "comment", "scored_by", "scored_at", "updated_at"])
    audit_record(actor=actor, action="creation.score", target=entry, before=before,
                 after={"criterion": criterion.code, "points": str(points), "comment": entry.comment})
    return entry


@transaction.atomic
def creation_return(*, creation: Creation, comment: str, actor) -> Creation:
    """The province returns the creation for more evidence, saying what is missing. Scores given so far stay.
    Guarded: only a submitted creation is returned."""
    _under_review(creation, actor)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what evidence is missing: the city must know what to add.")})
    claimed = Creation.objects.filter(pk=creation.pk, status=Creation.Status.SUBMITTED).update(
        status=Creation.Status.RETURNED, return_comment=comment, updated_at=timezone.now())
    if not claimed:
        raise _conflict(_("Only a submitted creation is returned."))
    creation.refresh_from_db()
    audit_record(actor=actor, action="creation.return", target=creation, after={"comment": comment})
    return creation


@transaction.atomic
def creation_finish(*, creation: Creation, actor) -> Creation:
    """The province finishes scoring: every criterion has a score; the total is recorded and the result enters
    the year's ranking. Guarded: a creation is finished once."""
    _under_review(creation, actor)
    locked = Creation.objects.select_for_update().get(pk=creation.pk)  # scores wait for this lock too
    if locked.status != Creation.Status.SUBMITTED:
        raise _conflict(_("Only a submitted creation is scored."))
    points = list(CriterionEntry.objects.filter(creation=creation).values_list("points", flat=True))
    unscored = sum(1 for p in points if p is None)
    if unscored or not points:
        raise ValidationError(_("%(n)d criteria have no score yet: score every criterion first.") % {"n": unscored})
    total = sum(points, Decimal(0))
    Creation.objects.filter(pk=creation.pk, status=Creation.Status.SUBMITTED).update(
        status=Creation.Status.SCORED, total_points=total, scored_at=timezone.now(), scored_by=actor,
        updated_at=timezone.now())
    creation.refresh_from_db()
    audit_record(actor=actor, action="creation.finish", target=creation,
                 after={"status": creation.status, "total_points": str(total)})
    return creation


def evidence_record_view(*, evidence: CreationEvidence, actor) -> None:
    """Audit-logs that a user opened a document of a creation."""
    audit_record(actor=actor, action="creation.evidence_view", target=evidence)
