"""Reporting rates (DHIS2 style): expected, actual and on-time progress reports per region and period.

Expected reports come from ReportingObligation dates, so a region assigned in June is not expected to
have reported for May, and periods after today are not expected yet.
"""

from __future__ import annotations

import calendar
import datetime

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from regions import codes

from .models import ProgressReport, ProgressReportTemplate, ReportingObligation


def period_dates(frequency: str, start: datetime.date, end: datetime.date) -> int:
    """How many reporting periods of a frequency begin within [start, end]."""
    if end < start:
        return 0
    if frequency == ProgressReportTemplate.Frequency.DAILY:
        return (end - start).days + 1
    if frequency == ProgressReportTemplate.Frequency.WEEKLY:
        first_monday = start + datetime.timedelta(days=(7 - start.weekday()) % 7)
        return 0 if first_monday > end else (end - first_monday).days // 7 + 1
    if frequency == ProgressReportTemplate.Frequency.HALF_YEARLY:
        return sum(1 for year in range(start.year, end.year + 1) for month in (1, 7)
                   if start <= datetime.date(year, month, 1) <= end)
    months = (end.year - start.year) * 12 + end.month - start.month + (1 if start.day == 1 else 0)
    return max(months, 0)


def period_end(frequency: str, date: datetime.date) -> datetime.date:
    if frequency == ProgressReportTemplate.Frequency.DAILY:
        return date
    if frequency == ProgressReportTemplate.Frequency.WEEKLY:
        return date + datetime.timedelta(days=6)
    if frequency == ProgressReportTemplate.Frequency.HALF_YEARLY:
        return datetime.date(date.year, 6, 30) if date.month <= 6 else datetime.date(date.year, 12, 31)
    return date.replace(day=calendar.monthrange(date.year, date.month)[1])


def period_start(frequency: str, date: datetime.date) -> datetime.date:
    """The first day of the period containing the date (a report's `date`)."""
    if frequency == ProgressReportTemplate.Frequency.WEEKLY:
        return date - datetime.timedelta(days=date.weekday())
    if frequency == ProgressReportTemplate.Frequency.MONTHLY:
        return date.replace(day=1)
    if frequency == ProgressReportTemplate.Frequency.HALF_YEARLY:
        return datetime.date(date.year, 1 if date.month <= 6 else 7, 1)
    return date


def reporting_rates(*, region_code: str, group_length: int, start: datetime.date, end: datetime.date,
                    template: ProgressReportTemplate | None = None,
                    today: datetime.date | None = None) -> dict[str, dict[str, int]]:
    """{code[:group_length]: {"expected", "actual", "on_time"}} over regions at or below `region_code`.

    Two queries whatever the number of regions: obligations, and reports counted per region in SQL.
    """
    today = today or timezone.localdate()
    end = min(end, today)
    templates = ([template] if template else
                 list(ProgressReportTemplate.objects.filter(region_id=codes.province_of(region_code), is_active=True)))
    by_id = {t.pk: t for t in templates}
    rates: dict[str, dict[str, int]] = {}
    obligations = ReportingObligation.objects.filter(
        template_id__in=by_id, region__code__startswith=region_code, starts_on__lte=end,
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start)).values_list("template_id", "region_id",
                                                                          "starts_on", "ends_on")
    for template_id, region_id, starts_on, ends_on in obligations:
        group = codes.truncated(region_id, group_length)
        if group is None:
            continue
        first = max(start, starts_on)
        last = min(end, ends_on) if ends_on else end
        rate = rates.setdefault(group, {"expected": 0, "actual": 0, "on_time": 0})
        rate["expected"] += period_dates(by_id[template_id].frequency, first, last)
    reports = (ProgressReport.objects
               .filter(template_id__in=by_id, region__code__startswith=region_code, date__gte=start, date__lte=end)
               .annotate(code=Substr("region_id", 1, group_length))
               .values("code")
               .annotate(actual=Count("pk"), on_time=Count("pk", filter=Q(on_time=True))))
    for row in reports:
        if codes.truncated(row["code"], group_length) is None:
            continue
        rate = rates.setdefault(row["code"], {"expected": 0, "actual": 0, "on_time": 0})
        rate["actual"] += row["actual"]
        rate["on_time"] += row["on_time"]
    return rates
