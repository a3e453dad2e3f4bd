"""Writes of the pilots app: scorecards, pilot designation, assessments, completion, progress reports.

Each is one transaction with its audit row. Officials act only within their own area.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record
from institutions.models import Institution
from portal.constraints import explains_constraints
from regions import codes
from regions.models import Region

from .models import (
    Assessment,
    AssessmentScore,
    GradeBand,
    Pilot,
    ProgressReport,
    ProgressReportField,
    ProgressReportTemplate,
    ReportingObligation,
    ScorecardTemplate,
    ScoreDimension,
    ScoreItem,
)
from .reporting import period_end, period_start


def _ensure_official_over(actor, region_code: str, *, level: str | None = None) -> None:
    """The actor is an administrator or an official whose region contains `region_code` (of `level`
    or higher, when given)."""
    require(policies.in_area(actor, region_code), _("This is outside your area."))
    require(level is None or policies.at_level_or_above(actor, level), _("Your level of government may not do this."))


# --- Scorecards ----------------------------------------------------------------------------------

@explains_constraints
@transaction.atomic
def scorecard_load(*, data: dict, actor, region: Region | None = None) -> ScorecardTemplate:
    """Load a scorecard edition (the WS/T 821 shape: dimensions → items, grade bands).

    Dimension points must add up to the total and item points to their dimension. Loading a code that
    already exists replaces it only while no assessment uses it; otherwise a clear error. Repeat-safe.
    """
    if actor is not None and region is not None:  # a management command loads for everyone
        _ensure_official_over(actor, region.code, level=codes.PROVINCE)
    dimensions = data.get("dimensions") or []
    if not dimensions:
        raise ValidationError({"dimensions": _("A scorecard needs at least one dimension.")})
    total = sum(Decimal(str(d[2])) for d in dimensions)
    for _code, name, points, items in dimensions:
        item_sum = sum(Decimal(str(i[2])) for i in items)
        if item_sum != Decimal(str(points)):
            raise ValidationError({"dimensions": _(
                "Dimension %(name)s: items add up to %(sum)s points, not %(points)s."
            ) % {"name": name, "sum": item_sum, "points": points}})
    existing = ScorecardTemplate.objects.filter(code=data["code"]).first()
    if existing:
        if existing.assessments.exists():
            raise ValidationError({"code": _("Scorecard %(code)s is in use by assessments; load it under a new code.")
                                   % {"code": data["code"]}})
        existing.delete()
    template = ScorecardTemplate(code=data["code"], name=data["name"], standard=data.get("standard", ""),
                                 region=region, total_points=total, veto_grade=data.get("veto_grade", "D"),
                                 notes=data.get("notes", ""))
    template.full_clean()
    template.save()
    for order, (code, name, points, items) in enumerate(dimensions, start=1):
        dimension = ScoreDimension.objects.create(template=template, code=code, name=name, max_points=points,
                                                  order=order)
        ScoreItem.objects.bulk_create([
            ScoreItem(dimension=dimension, code=i[0], text=i[1], max_points=i[2], is_veto=bool(i[3]), order=n)
            for n, i in enumerate(items, start=1)])
    for grade, min_points, *label in data.get("grades", []):
        GradeBand.objects.create(template=template, grade=grade, min_points=min_points, label=(label or [""])[0])
    audit_record(actor=actor, action="scorecard.load", target=template,
                 after={"code": template.code, "total": str(total)})
    return template


def scorecard_load_wst821(*, actor=None) -> ScorecardTemplate:
    """Load the shipped WS/T 821—2023 structure unless it is already there (safe to repeat)."""
    from .scorecards import WST821, WST821_CODE

    existing = ScorecardTemplate.objects.filter(code=WST821_CODE).first()
    return existing or scorecard_load(data=WST821, actor=actor)


# --- Pilots --------------------------------------------------------------------------------------

@explains_constraints
@transaction.atomic
def pilot_designate(*, institution: Institution, year: int, designated_on: datetime.date, actor,
                    designated_by: Region | None = None) -> Pilot:
    """A province (or city) designates a filed institution as a pilot for a year. Repeat-safe: once per year."""
    designated_by = designated_by or (actor.region if policies.is_official(actor) else None)
    if designated_by is None:
        raise ValidationError({"designated_by": _("Say which province or city designates the pilot.")})
    _ensure_official_over(actor, designated_by.code, level=codes.CITY)
    if not codes.contains(designated_by.code, institution.region_id):
        raise ValidationError({"institution": _("The institution is outside the designating region.")})
    if institution.status not in (Institution.Status.FILED, Institution.Status.SUSPENDED):
        raise ValidationError({"institution": _("Only filed institutions can be pilots.")})
    existing = Pilot.objects.filter(institution=institution, year=year).first()
    if existing:
        return existing
    pilot = Pilot(institution=institution, year=year, designated_by=designated_by, designated_on=designated_on)
    pilot.full_clean()
    pilot.save()
    audit_record(actor=actor, action="pilot.designate", target=pilot,
                 after={"year": year, "designated_by": designated_by.code})
    return pilot


@transaction.atomic
def pilot_mark_completed(*, pilot: Pilot, completed_on: datetime.date, actor) -> Pilot:
    """Record the "quality improvement completed" milestone. A second call changes nothing."""
    _ensure_official_over(actor, pilot.institution.region_id)
    if completed_on < pilot.designated_on:
        raise ValidationError({"completed_on": _("Completion cannot be before designation.")})
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("The date is in the future.")})
    claimed = Pilot.objects.filter(pk=pilot.pk, completed_on__isnull=True).update(completed_on=completed_on)
    pilot.refresh_from_db()
    if claimed:
        audit_record(actor=actor, action="pilot.complete", target=pilot, after={"completed_on": str(completed_on)})
    return pilot


def assessment_grade(template: ScorecardTemplate, total: Decimal, veto_failed: bool) -> str:
    if veto_failed:
        return template.veto_grade
    for band in template.grade_bands.order_by("-min_points"):
        if total >= band.min_points:
            return band.grade
    return GradeBand.Grade.D


@explains_constraints
@transaction.atomic
def assessment_record(*, pilot: Pilot, template: ScorecardTemplate, assessed_on: datetime.date, scores: list[dict],
                      actor, notes: str = "") -> Assessment:
    """Record an assessment: item points with evidence; computes the total, the grade and veto failures.

    `scores` is a list of {"item": item id, "points": n, "evidence": "", "veto_failed": bool}; every item of
    the template must be scored once. Not idempotent: each call records a new assessment.
    """
    _ensure_official_over(actor, pilot.institution.region_id)
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("The date is in the future.")})
    items = {i.pk: i for i in ScoreItem.objects.filter(dimension__template=template)}
    given: dict[int, dict] = {}
    for entry in scores:
        try:
            item_id = int(entry["item"])
            points = Decimal(str(entry.get("points", 0)))
        except (KeyError, TypeError, ValueError, InvalidOperation):
            raise ValidationError({"scores": _("Each score needs an item and a number of points.")}) from None
        item = items.get(item_id)
        if item is None:
            raise ValidationError({"scores": _("Item %(id)s is not in this scorecard.") % {"id": item_id}})
        if item_id in given:
            raise ValidationError({"scores": _("Item %(code)s is scored twice.") % {"code": item.code}})
        if points < 0 or points > item.max_points:
            raise ValidationError({"scores": _("Item %(code)s: points must be between 0 and %(max)s.")
                                   % {"code": item.code, "max": item.max_points}})
        given[item_id] = {"points": points, "evidence": str(entry.get("evidence", ""))[:5000],
                          "veto_failed": bool(entry.get("veto_failed")) and item.is_veto}
    missing = sorted(i.code for pk, i in items.items() if pk not in given)
    if missing:
        raise ValidationError({"scores": _("Not scored: %(codes)s.") % {"codes": ", ".join(missing)}})
    total = sum((g["points"] for g in given.values()), Decimal("0"))
    veto_failed = any(g["veto_failed"] for g in given.values())
    assessment = Assessment(pilot=pilot, template=template, assessed_on=assessed_on, assessor=actor, total=total,
                            grade=assessment_grade(template, total, veto_failed), veto_failed=veto_failed,
                            notes=notes)
    assessment.full_clean()
    assessment.save()
    AssessmentScore.objects.bulk_create([
        AssessmentScore(assessment=assessment, item_id=pk, **g) for pk, g in given.items()])
    audit_record(actor=actor, action="assessment.record", target=assessment,
                 after={"total": str(total), "grade": assessment.grade, "veto_failed": veto_failed})
    return assessment


# --- Progress reports ------------------------------------------------------------------------------

@explains_constraints
@transaction.atomic
def progress_template_create(*, region: Region, code: str, name: str, fields: list[dict], actor,
                             frequency: str = ProgressReportTemplate.Frequency.DAILY,
                             grace_days: int = 1) -> ProgressReportTemplate:
    """A province defines what its cities and counties report, and how often. Repeat-safe per code."""
    _ensure_official_over(actor, region.code, level=codes.PROVINCE)
    template, created = ProgressReportTemplate.objects.get_or_create(
        region=region, code=code, defaults={"name": name, "frequency": frequency, "grace_days": grace_days})
    if created:
        template.full_clean()
        for order, f in enumerate(fields, start=1):
            field = ProgressReportField(template=template, code=f["code"], label=f["label"],
                                        kind=f.get("kind", ProgressReportField.Kind.INTEGER),
                                        required=f.get("required", True), order=order)
            field.full_clean()
            field.save()
        audit_record(actor=actor, action="progress_template.create", target=template,
                     after={"code": code, "fields": [f["code"] for f in fields]})
    return template


@explains_constraints
@transaction.atomic
def reporting_assign(*, template: ProgressReportTemplate, region_codes: list[str], starts_on: datetime.date,
                     actor) -> int:
    """Expect reports of the template from these regions from `starts_on` (DHIS2 data set assignment)."""
    _ensure_official_over(actor, template.region_id, level=codes.PROVINCE)
    regions = set(Region.objects.filter(code__in=region_codes, code__startswith=template.region_id)
                  .values_list("code", flat=True))
    unknown = sorted(set(region_codes) - regions)
    if unknown:
        raise ValidationError({"region_codes": _("Not regions of this province: %(codes)s.")
                               % {"codes": ", ".join(unknown[:10])}})
    existing = set(ReportingObligation.objects.filter(template=template, region_id__in=regions, ends_on__isnull=True)
                   .values_list("region_id", flat=True))
    new = [ReportingObligation(template=template, region_id=code, starts_on=starts_on)
           for code in sorted(regions - existing)]
    ReportingObligation.objects.bulk_create(new)
    audit_record(actor=actor, action="progress_template.assign", target=template,
                 after={"regions": len(new), "starts_on": str(starts_on)})
    return len(new)


def _clean_values(template: ProgressReportTemplate, values: dict) -> dict:
    if not isinstance(values, dict):
        raise ValidationError({"values": _("Values must be an object of field codes.")})
    fields = {f.code: f for f in template.fields.all()}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValidationError({"values": _("Unknown fields: %(codes)s.") % {"codes": ", ".join(unknown)}})
    cleaned = {}
    for code, field in fields.items():
        raw = values.get(code)
        if raw in (None, ""):
            if field.required:
                raise ValidationError({"values": _("%(label)s is required.") % {"label": field.label}})
            continue
        try:
            if field.kind == ProgressReportField.Kind.INTEGER:
                number = int(str(raw))
                if number < 0:
                    raise ValueError
                cleaned[code] = number
            elif field.kind == ProgressReportField.Kind.DECIMAL:
                cleaned[code] = str(Decimal(str(raw)))
            else:
                cleaned[code] = str(raw)[:2000]
        except (ValueError, InvalidOperation):
            raise ValidationError({"values": _("%(label)s must be a number of zero or more.")
                                   % {"label": field.label}}) from None
    return cleaned


@explains_constraints
@transaction.atomic
def progress_report_submit(*, template: ProgressReportTemplate, region: Region, date: datetime.date, values: dict,
                           actor, submitted_at: datetime.datetime | None = None) -> ProgressReport:
    """A city or county submits its report for a period. A second submission for the same period corrects
    the values but keeps the first submission time (and so its timeliness)."""
    require(policies.governs(actor, region), _("Only the region itself submits its reports."))
    if not codes.contains(template.region_id, region.code):
        raise ValidationError({"region": _("This template is not for your province.")})
    submitted_at = submitted_at or timezone.now()
    date = period_start(template.frequency, date)
    if date > timezone.localtime(submitted_at).date():
        raise ValidationError({"date": _("The period has not started yet.")})
    cleaned = _clean_values(template, values)
    due = period_end(template.frequency, date) + datetime.timedelta(days=template.grace_days)
    on_time = timezone.localtime(submitted_at).date() <= due
    report = ProgressReport.objects.select_for_update().filter(template=template, region=region, date=date).first()
    before = None
    if report:
        before = report.values
        report.values = cleaned
        report.save(update_fields=["values"])
    else:
        report = ProgressReport(template=template, region=region, date=date, values=cleaned,
                                submitted_at=submitted_at, submitted_by=actor, on_time=on_time)
        report.full_clean()
        report.save()
    audit_record(actor=actor, action="progress_report.submit", target=report, before=before, after=cleaned)
    return report
