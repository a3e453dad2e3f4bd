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

FEW_AREAS = 16


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

    The province's active templates (or the one given); two queries whatever the number of regions.
    """
    return reporting_rates_grouped(areas={region_code: group_length}, start=start, end=end, template=template,
                                   today=today)[region_code]


def _at_or_below(field: str, wanted) -> Q:
    """Rows at or below any of the areas. For many areas no condition: a long list of prefixes costs more
    than the rows outside them, which _areas_of leaves aside anyway."""
    condition = Q()
    if len(wanted) > FEW_AREAS:
        return condition
    for outer in codes.outermost(wanted):
        condition |= Q(**{f"{field}__startswith": outer})
    return condition


def _areas_of(region_code: str, areas: dict[str, int]):
    """The areas a region lies in (itself included), each with its group (the region's code cut to the
    area's group length)."""
    for area in (*codes.ancestors_of(region_code), region_code):
        if area in areas:
            group = codes.truncated(region_code, areas[area])
            if group is not None:
                yield area, group


def reporting_rates_grouped(*, areas: dict[str, int], start: datetime.date, end: datetime.date,
                            template: ProgressReportTemplate | None = None,
                            today: datetime.date | None = None) -> dict[str, dict[str, dict[str, int]]]:
    """`reporting_rates` of many areas at once: {area: {group: rate}} for `areas` = {area code: group length}.

    Each area counts its own province's active templates (or the one given). Two queries for any number of
    areas: the obligations with their templates, and the reports counted per template province and region
    prefix in SQL; each row is then added to the (at most one per code length) areas it lies in.
    """
    today = today or timezone.localdate()
    end = min(end, today)
    rates: dict[str, dict[str, dict[str, int]]] = {area: {} for area in areas}
    if not areas:
        return rates
    if template is not None:
        chosen = Q(template_id=template.pk)
    else:
        chosen = Q(template__region_id__in={codes.province_of(area) for area in areas}, template__is_active=True)

    def counted(area: str, template_province: str) -> bool:
        return template is not None or codes.province_of(area) == template_province

    obligations = (ReportingObligation.objects
                   .filter(chosen, _at_or_below("region__code", areas), starts_on__lte=end)
                   .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
                   .values_list("template__frequency", "template__region_id", "region_id", "starts_on", "ends_on"))
    for frequency, province, region_id, starts_on, ends_on in obligations:
        first = max(start, starts_on)
        last = min(end, ends_on) if ends_on else end
        expected = period_dates(frequency, first, last)
        for area, group in _areas_of(region_id, areas):
            if counted(area, province):
                rate = rates[area].setdefault(group, {"expected": 0, "actual": 0, "on_time": 0})
                rate["expected"] += expected
    reports = (ProgressReport.objects
               .filter(chosen, _at_or_below("region__code", areas), date__gte=start, date__lte=end)
               .annotate(code=Substr("region_id", 1, max(areas.values())))  # a group is never shorter than its area
               .values("template__region_id", "code")
               .annotate(actual=Count("pk"), on_time=Count("pk", filter=Q(on_time=True))))
    for row in reports:
        for area, group in _areas_of(row["code"], areas):
            if counted(area, row["template__region_id"]):
                rate = rates[area].setdefault(group, {"expected": 0, "actual": 0, "on_time": 0})
                rate["actual"] += row["actual"]
                rate["on_time"] += row["on_time"]
    return rates
