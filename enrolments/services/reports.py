"""The periodic enrolment report: the period setting, the periods, who must report, preparing,
confirming and submitting a report."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from institutions.models import Institution, InstitutionClass, StaffMember
from portal.constraints import explains_constraints
from regions import codes

from ..models import (
    Enrolment,
    EnrolmentReport,
    ReportingPeriodSetting,
)
from .common import ensure_record_keeper


def reporting_setting(province_code: str) -> ReportingPeriodSetting:
    """The province's setting, or the default (unsaved) one: 90-day periods from 2022-01-01."""
    province = codes.province_of(province_code)
    found = ReportingPeriodSetting.objects.filter(province_id=province).first()
    return found or ReportingPeriodSetting(province_id=province, period_days=settings.ENROLMENT_REPORT_PERIOD_DAYS)


def period_containing(setting: ReportingPeriodSetting, date: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of the period that contains the date."""
    index = (date - setting.first_period_starts).days // setting.period_days
    start = setting.first_period_starts + datetime.timedelta(days=index * setting.period_days)
    return start, start + datetime.timedelta(days=setting.period_days - 1)


def recent_periods(setting: ReportingPeriodSetting, today: datetime.date, count: int = 4):
    """The last `count` periods that have ended, newest first."""
    start, _end = period_containing(setting, today)
    out = []
    for _i in range(count):
        start = start - datetime.timedelta(days=setting.period_days)
        out.append((start, start + datetime.timedelta(days=setting.period_days - 1)))
    return out


def expected_institutions(period_start: datetime.date, period_end: datetime.date):
    """Institutions expected to report for a period: filed on or before its last day and not cancelled
    before its first day (active on at least one day of it)."""
    return Institution.objects.filter(filed_on__isnull=False, filed_on__lte=period_end).filter(
        Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=period_start))


def report_figures(institution: Institution, on: datetime.date) -> dict:
    """Enrolled by class type and care form, places and staff on a date, from the records (3 queries)."""
    breakdown = (Enrolment.objects.active_on(on).filter(institution=institution)
                 .values("klass__class_type", "care_form").annotate(n=Count("pk")).order_by())
    figures: dict[str, dict[str, int]] = {}
    enrolled = 0
    for row in breakdown:
        figures.setdefault(row["klass__class_type"], {})[row["care_form"]] = row["n"]
        enrolled += row["n"]
    places = (InstitutionClass.objects.filter(institution=institution, opened_on__lte=on)
              .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on)).aggregate(n=Sum("places"))["n"] or 0)
    staff = (StaffMember.objects.filter(institution=institution, started_on__lte=on)
             .filter(Q(left_on__isnull=True) | Q(left_on__gt=on)).count())
    return {"figures": figures, "enrolled": enrolled, "places": places, "staff": staff}


@explains_constraints
@transaction.atomic
def report_prepare(*, institution: Institution, period_start: datetime.date, actor,
                   today: datetime.date | None = None) -> EnrolmentReport:
    """Produces (or refreshes, while not yet submitted) the institution's report for an ended period.

    Figures are counted on the period's last day (or today, if the institution was cancelled earlier
    the cancellation day before it). Side effects: one audit row. Safe to repeat until submitted.
    """
    ensure_record_keeper(actor, institution.pk)
    today = today or timezone.localdate()
    setting = reporting_setting(institution.region_id)
    try:
        start, end = period_containing(setting, period_start)
        due_on = end + datetime.timedelta(days=setting.grace_days)
    except OverflowError as exc:
        raise ValidationError({"period_start": _("This date is out of range.")}) from exc
    if start != period_start:
        raise ValidationError({"period_start": _("%(date)s is not the first day of a reporting period.")
                               % {"date": period_start.isoformat()}})
    if end >= today:
        raise ValidationError({"period_start": _("This period has not ended yet; report after %(date)s.")
                               % {"date": end.isoformat()}})
    if not expected_institutions(start, end).filter(pk=institution.pk).exists():
        raise ValidationError({"period_start": _("%(institution)s was not filed during this period, so no "
                                                 "report is due.") % {"institution": institution.name}})
    on = end
    if institution.cancelled_on and institution.cancelled_on <= end:
        on = institution.cancelled_on - datetime.timedelta(days=1)
    data = report_figures(institution, on)
    report, created = EnrolmentReport.objects.select_for_update().get_or_create(
        institution=institution, period_start=start,
        defaults={"period_end": end, "due_on": due_on, **data})
    if not created:
        if report.status == EnrolmentReport.Status.SUBMITTED:
            raise ValidationError({"period_start": _("The report for this period is already submitted.")})
        for key, value in data.items():
            setattr(report, key, value)
        report.status = EnrolmentReport.Status.DRAFT
        report.confirmed_at = report.confirmed_by = None
        report.save()
    audit_record(actor=actor, action="enrolment_report.prepare", target=report, after=data)
    return report


def _person(actor):
    """The acting user to record on the row; None for the system (a task, a command)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def _report_move(report: EnrolmentReport, *, actor, action: str, source: str, refusal: str,
                 **update) -> EnrolmentReport:
    """The guarded UPDATE of a report's step: only from `source` (else `refusal`: someone got there first or
    the report is past it), then its audit row."""
    claimed = EnrolmentReport.objects.filter(pk=report.pk, status=source).update(**update)
    if not claimed:
        raise ValidationError({"status": refusal})
    report.refresh_from_db()
    audit_record(actor=actor, action=action, target=report)
    return report


@transaction.atomic
def report_confirm(*, report: EnrolmentReport, actor) -> EnrolmentReport:
    """Staff confirm that the prepared figures are right. Repeat: refused once confirmed."""
    ensure_record_keeper(actor, report.institution_id)
    return _report_move(report, actor=actor, action="enrolment_report.confirm", source=EnrolmentReport.Status.DRAFT,
                        refusal=_("Only a prepared report can be confirmed."),
                        status=EnrolmentReport.Status.CONFIRMED, confirmed_at=timezone.now(),
                        confirmed_by=_person(actor))


@transaction.atomic
def report_submit(*, report: EnrolmentReport, actor, today: datetime.date | None = None) -> EnrolmentReport:
    """Sends the confirmed report to the filing authority; after this it is frozen.

    Side effects: one audit row. A repeat is refused (already submitted).
    """
    ensure_record_keeper(actor, report.institution_id)
    return _report_move(report, actor=actor, action="enrolment_report.submit",
                        source=EnrolmentReport.Status.CONFIRMED,
                        refusal=_("Only a confirmed, not yet submitted report can be submitted."),
                        status=EnrolmentReport.Status.SUBMITTED, submitted_at=timezone.now(),
                        submitted_on=today or timezone.localdate(), submitted_by=_person(actor))
