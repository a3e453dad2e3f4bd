"""Writes of year-end reporting: the form's versions, the province opening a year, the institution's draft and
submission, the county's acceptance or return. One transaction each, with its audit row.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require, require_visible
from audit.services import audit_record
from filings.models import Notification
from filings.services.notifications import notify_institution_staff
from institutions.models import Institution
from portal.constraints import explains_constraints
from portal.exceptions import Conflict
from regions.models import Region

from . import definitions
from .models import YearEndField, YearEndObligation, YearEndReport, YearEndTemplate

MAX_TEXT = 5000


def _state_error(message: str) -> Conflict:
    return Conflict(message, code="state")


def _ensure_province_official(actor, region: Region) -> None:
    require(policies.governs(actor, region) and region.level == Region.Level.PROVINCE,
            _("Only the province's officials set its year-end reporting."))


# --- The form -------------------------------------------------------------------------------------

@explains_constraints
@transaction.atomic
def yearend_template_create_version(*, region: Region, code: str, name: str, fields: list[dict], actor,
                                    notes: str = "", is_working_definition: bool = False) -> YearEndTemplate:
    """A new version of a province's form (version 1 for a new code). Reports keep the version they were
    started on. Not idempotent: each call makes a version."""
    _ensure_province_official(actor, region)
    if not fields:
        raise ValidationError({"fields": _("A form needs at least one field.")})
    latest = YearEndTemplate.objects.filter(region=region, code=code).aggregate(v=Max("version"))["v"] or 0
    template = YearEndTemplate(region=region, code=code, version=latest + 1, name=name, notes=notes,
                               is_working_definition=is_working_definition)
    template.full_clean()
    template.save()
    seen = set()
    for order, f in enumerate(fields, start=1):
        if not isinstance(f, dict) or not f.get("code") or not f.get("label"):
            raise ValidationError({"fields": _("Field %(n)d needs a code and a label.") % {"n": order}})
        if f["code"] in seen:
            raise ValidationError({"fields": _("Field code %(code)s is used twice.") % {"code": f["code"]}})
        seen.add(f["code"])
        field = YearEndField(template=template, code=f["code"], label=f["label"], section=f.get("section", ""),
                             help_text=f.get("help_text", ""), kind=f.get("kind", YearEndField.Kind.INTEGER),
                             required=bool(f.get("required", True)), order=order)
        field.full_clean()
        field.save()
    audit_record(actor=actor, action="yearend_template.create", target=template,
                 after={"code": code, "version": template.version, "fields": [f["code"] for f in fields]})
    return template


def yearend_template_ensure_shipped(*, region: Region, actor) -> YearEndTemplate:
    """The shipped working definition as version 1 of the province's form, unless it has one already."""
    existing = (YearEndTemplate.objects.filter(region=region, code=definitions.SHIPPED_CODE)
                .order_by("-version").first())
    if existing:
        return existing
    fields = [{"section": s, "code": c, "label": label, "kind": k, "required": r, "help_text": h}
              for s, c, label, k, r, h in definitions.SHIPPED_FIELDS]
    return yearend_template_create_version(
        region=region, code=definitions.SHIPPED_CODE, name=definitions.SHIPPED_NAME, fields=fields, actor=actor,
        is_working_definition=True,
        notes="工作定义：《托育机构管理规范（试行）》第三十八条要求报送年度工作报告，未见公开表式。")


@explains_constraints
@transaction.atomic
def yearend_obligation_open(*, region: Region, year: int, template: YearEndTemplate, actor,
                            due_on: datetime.date | None = None) -> YearEndObligation:
    """The province asks its institutions for their report on `year`, on this form, by `due_on` (31 January
    of the next year unless said). Repeat-safe: a year is opened once; a repeat returns it unchanged."""
    _ensure_province_official(actor, region)
    if template.region_id != region.code:
        raise ValidationError({"template": _("This form is not the province's.")})
    existing = YearEndObligation.objects.filter(region=region, year=year).first()
    if existing:
        return existing
    month, day = definitions.due_month_day()
    obligation = YearEndObligation(region=region, year=year, template=template,
                                   due_on=due_on or datetime.date(year + 1, month, day))
    obligation.full_clean()
    obligation.save()
    audit_record(actor=actor, action="yearend.open", target=obligation,
                 after={"year": year, "template": template.pk, "due_on": str(obligation.due_on)})
    return obligation


# --- The report -----------------------------------------------------------------------------------

def owes_report(institution: Institution, obligation: YearEndObligation) -> bool:
    """Filed and not cancelled on 31 December of the year (working definition of who owes a report)."""
    end = obligation.year_end
    return (institution.filed_on is not None and institution.filed_on <= end
            and (institution.cancelled_on is None or institution.cancelled_on > end))


def clean_values(template: YearEndTemplate, values: dict, *, complete: bool) -> dict:
    """The values a form accepts: known fields, numbers of zero or more, text cut to length. `complete`:
    every required field filled in (a submission); a draft may leave fields empty."""
    if not isinstance(values, dict):
        raise ValidationError({"values": _("Values must be an object of field codes.")})
    fields = {f.code: f for f in template.fields.all()}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValidationError({"values": _("Unknown fields: %(codes)s.") % {"codes": ", ".join(unknown)}})
    cleaned, errors = {}, {}
    for code, field in fields.items():
        raw = values.get(code)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if complete and field.required:
                errors[code] = _("%(label)s is required.") % {"label": field.label}
            continue
        try:
            if field.kind == YearEndField.Kind.INTEGER:
                number = int(str(raw).strip())
                if number < 0 or number > 10**9:
                    raise ValueError
                cleaned[code] = number
            elif field.kind == YearEndField.Kind.DECIMAL:
                number = Decimal(str(raw).strip())
                if not number.is_finite() or number < 0 or number > 10**12:
                    raise InvalidOperation
                cleaned[code] = str(number.quantize(Decimal("0.01")))
            else:
                cleaned[code] = str(raw).strip()[:MAX_TEXT]
        except (ValueError, InvalidOperation):
            errors[code] = _("%(label)s must be a number of zero or more.") % {"label": field.label}
    if errors:
        raise ValidationError({"values": list(errors.values())})
    return cleaned


@explains_constraints
@transaction.atomic
def yearend_report_save_draft(*, institution: Institution, obligation: YearEndObligation, values: dict,
                              actor) -> YearEndReport:
    """The institution's staff start or edit the report of a year (a draft, or one returned for correction).
    Empty fields are allowed until submission. Refused once submitted or accepted."""
    require_visible(policies.is_staff_of(actor, institution),
                    _("Only the institution's own staff write its year-end report."), user=actor, obj=institution)
    if not owes_report(institution, obligation):
        raise ValidationError({"year": _("The institution was not filed on 31 December %(year)d: it owes no "
                                         "year-end report for that year.") % {"year": obligation.year}})
    report = (YearEndReport.objects.select_for_update()
              .filter(institution=institution, year=obligation.year).first())
    if report is None:
        cleaned = clean_values(obligation.template, values, complete=False)
        report = YearEndReport(institution=institution, obligation=obligation, year=obligation.year,
                               template=obligation.template, values=cleaned, created_by=actor)
        report.full_clean()
        report.save()
        audit_record(actor=actor, action="yearend_report.draft", target=report, after=cleaned)
        return report
    if not report.is_editable:
        raise _state_error(_("This report is submitted: it is with the county until it is returned."))
    cleaned = clean_values(report.template, values, complete=False)
    before = report.values
    report.values = cleaned
    report.save(update_fields=["values", "updated_at"])
    audit_record(actor=actor, action="yearend_report.draft", target=report, before=before, after=cleaned)
    return report


@explains_constraints
@transaction.atomic
def yearend_report_submit(*, report: YearEndReport, actor, values: dict | None = None) -> YearEndReport:
    """Sends the report to the county: every required field filled in. On time if first submitted by the
    deadline; a report corrected after a return keeps its first submission's timeliness. Guarded: a
    second submission is refused."""
    require_visible(policies.is_staff_of(actor, report.institution_id),
                    _("Only the institution's own staff submit its year-end report."), user=actor, obj=report)
    if values is not None:
        report.values = clean_values(report.template, values, complete=False)
    cleaned = clean_values(report.template, report.values, complete=True)
    now = timezone.now()
    first = report.first_submitted_at or now
    on_time = timezone.localtime(first).date() <= report.obligation.due_on
    if not YearEndReport.objects.filter(pk=report.pk, status__in=[YearEndReport.Status.DRAFT,
                                                                  YearEndReport.Status.RETURNED]).update(
            status=YearEndReport.Status.SUBMITTED, values=cleaned, submitted_at=now, submitted_by=actor,
            first_submitted_at=first, on_time=on_time, updated_at=now):
        raise _state_error(_("This report is already submitted."))
    report.refresh_from_db()
    audit_record(actor=actor, action="yearend_report.submit", target=report,
                 after={"on_time": on_time, "values": cleaned})
    return report


def _decide(report: YearEndReport, actor) -> None:
    require_visible(policies.reviews(actor, report.institution),
                    _("Only the institution's county decides its year-end report."), user=actor, obj=report)


@transaction.atomic
def yearend_report_accept(*, report: YearEndReport, actor) -> YearEndReport:
    """The county accepts the submitted report. Guarded: only a submitted report is decided."""
    _decide(report, actor)
    now = timezone.now()
    if not YearEndReport.objects.filter(pk=report.pk, status=YearEndReport.Status.SUBMITTED).update(
            status=YearEndReport.Status.ACCEPTED, decided_at=now, decided_by=actor, updated_at=now):
        raise _state_error(_("This report is not waiting for a decision."))
    report.refresh_from_db()
    audit_record(actor=actor, action="yearend_report.accept", target=report, after={"status": report.status})
    return report


@transaction.atomic
def yearend_report_return(*, report: YearEndReport, comment: str, actor) -> YearEndReport:
    """The county returns the report with what to correct; the institution's staff are told. Guarded."""
    _decide(report, actor)
    comment = (comment or "").strip()[:MAX_TEXT]
    if not comment:
        raise ValidationError({"comment": _("Say what is to be corrected.")})
    now = timezone.now()
    if not YearEndReport.objects.filter(pk=report.pk, status=YearEndReport.Status.SUBMITTED).update(
            status=YearEndReport.Status.RETURNED, return_comment=comment, decided_at=now, decided_by=actor,
            updated_at=now):
        raise _state_error(_("This report is not waiting for a decision."))
    report.refresh_from_db()
    audit_record(actor=actor, action="yearend_report.return", target=report, after={"comment": comment})
    with translation.override(settings.LANGUAGE_CODE):
        message = _("Your year-end report for %(year)d was returned for correction: %(comment)s") % {
            "year": report.year, "comment": comment}
    notify_institution_staff(institution_id=report.institution_id, event=Notification.Event.YEAREND_RETURNED,
                             message=message, link=reverse("yearend:report", args=[report.pk]))
    return report
