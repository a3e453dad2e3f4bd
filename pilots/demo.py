"""Demo step: Hebei's 2022 provincial pilots (160, of which 126 completed quality improvement by 8 July 2022,
each with a WS/T 821 assessment), this year's programme (synthetic: designated in March, completions since),
the daily progress report template, and its reports: the campaign of June to 8 July 2022 and the current
quarter up to yesterday (today's reports are still to be sent). Runs after the institutions step;
idempotent (a second run changes nothing).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from institutions.models import Institution
from portal.demo import DEMO_PROVINCE, REAL_FIGURES_ON
from regions.models import Region

from .models import Pilot, ProgressReport, ProgressReportTemplate, ReportingObligation, ScoreItem
from .reporting import period_end
from .services import (
    assessment_record,
    pilot_designate,
    pilot_mark_completed,
    progress_template_create,
    reporting_assign,
    scorecard_load_wst821,
)

PILOTS = 160
COMPLETED = 126
YEAR = 2022
DESIGNATED_ON = datetime.date(2022, 3, 15)
REPORTS_FROM = datetime.date(2022, 6, 1)
REPORTS_TO = REAL_FIGURES_ON
# This year's programme (synthetic): designated on this day of the year, so many pilots.
CURRENT_DESIGNATED = (3, 15)
CURRENT_PILOTS = 180
HALF_YEAR_FIELDS = [
    {"code": "places_added", "label": "半年新增托位数"},
    {"code": "institutions_filed", "label": "半年新增备案机构数"},
    {"code": "pilots_completed", "label": "半年完成质量提升的试点机构数"},
    {"code": "summary", "label": "半年工作总结", "kind": "text", "required": False},
]
REPORT_FIELDS = [
    {"code": "places_added", "label": "新增托位数"},
    {"code": "pilots_completed", "label": "完成质量提升的试点机构数"},
    {"code": "filings_decided", "label": "办结备案数"},
    {"code": "note", "label": "工作进展", "kind": "text", "required": False},
]


def seed(ctx) -> None:
    template = scorecard_load_wst821()
    province = Region.objects.filter(code=DEMO_PROVINCE).first()
    official = User.objects.filter(username="hebei").first()
    if province is None or official is None:
        ctx.say("Pilots: no Hebei region or official account; skipped.")
        return
    if Pilot.objects.filter(year=YEAR, institution__is_demo=True).exists():
        ctx.say("Demo pilots already exist: skipped.")
    else:
        with transaction.atomic():
            _seed_pilots(ctx, template, official)
            _seed_current_pilots(ctx, province, official)
    _seed_reports(ctx, province, official)
    _seed_half_year_reports(ctx, province, official)


def _seed_pilots(ctx, template, official) -> None:
    candidates = list(Institution.objects.filter(
        is_demo=True, region__code__startswith=DEMO_PROVINCE, status=Institution.Status.FILED,
        filed_on__lte=DESIGNATED_ON - datetime.timedelta(days=60)).order_by("credit_code"))
    chosen = sorted(ctx.rng.sample(candidates, min(PILOTS, len(candidates))), key=lambda i: i.credit_code)
    items = list(ScoreItem.objects.filter(dimension__template=template).order_by("dimension__order", "order"))
    for n, institution in enumerate(chosen):
        pilot = pilot_designate(institution=institution, year=YEAR, designated_on=DESIGNATED_ON, actor=official)
        if n >= COMPLETED:
            continue
        completed_on = DESIGNATED_ON + datetime.timedelta(days=ctx.rng.randrange(20, 105))
        scores = []
        for item in items:
            # Completed pilots score well: 80–100 % of each item, none failing a veto item.
            share = Decimal(ctx.rng.randrange(80, 101)) / 100
            points = (item.max_points * share).quantize(Decimal("1"))
            scores.append({"item": item.pk, "points": points, "evidence": "现场检查与台账核验"})
        assessment_record(pilot=pilot, template=template, assessed_on=completed_on - datetime.timedelta(days=3),
                          scores=scores, actor=official)
        pilot_mark_completed(pilot=pilot, completed_on=completed_on, actor=official)
    ctx.say(f"Pilots {YEAR}: {len(chosen)} designated, {min(COMPLETED, len(chosen))} completed with assessments.")


def _seed_current_pilots(ctx, province, official) -> None:
    """This year's programme, synthetic: designated in March among institutions filed by then (not the 2022
    pilots), each completing quality improvement 2 to 10 months later — those dates up to today count."""
    today = timezone.localdate()
    year = today.year if today >= datetime.date(today.year, *CURRENT_DESIGNATED) else today.year - 1
    designated_on = datetime.date(year, *CURRENT_DESIGNATED)
    if year <= YEAR:
        return
    candidates = list(Institution.objects.filter(
        is_demo=True, region__code__startswith=DEMO_PROVINCE, status=Institution.Status.FILED,
        filed_on__lte=designated_on - datetime.timedelta(days=60)).exclude(pilots__year=YEAR)
        .order_by("credit_code").values_list("pk", flat=True))
    chosen = sorted(ctx.rng.sample(candidates, min(CURRENT_PILOTS, len(candidates))))
    pilots = []
    for pk in chosen:
        completed_on = designated_on + datetime.timedelta(days=ctx.rng.randrange(60, 300))
        pilots.append(Pilot(institution_id=pk, year=year, designated_by=province, designated_on=designated_on,
                            completed_on=completed_on if completed_on <= today else None,
                            notes="本年度试点（合成演示数据）"))
    Pilot.objects.bulk_create(pilots)
    audit_record(actor=official, action="demo.pilots_seed", target_type="pilots.pilot", target_id="demo",
                 region_code=DEMO_PROVINCE, after={"year": year, "designated": len(pilots),
                                                   "completed": sum(1 for p in pilots if p.completed_on)})
    ctx.say(f"Pilots {year} (synthetic): {len(pilots)} designated, "
            f"{sum(1 for p in pilots if p.completed_on)} completed by {today}.")


def _daily_reports(ctx, template, regions, reporters, official, first, last) -> list[ProgressReport]:
    """Most regions report every day (a few late, a few not at all)."""
    tz = timezone.get_current_timezone()
    reports = []
    day = first
    while day <= last:
        for code in regions:
            roll = ctx.rng.random()
            if roll < 0.08:
                continue  # not sent
            late = roll > 0.9 and day + datetime.timedelta(days=3) < timezone.localdate()
            sent = datetime.datetime.combine(day + datetime.timedelta(days=3 if late else 0), datetime.time(17, 30),
                                             tzinfo=tz)
            due = period_end(ProgressReportTemplate.Frequency.DAILY, day) + datetime.timedelta(days=template.grace_days)
            reports.append(ProgressReport(
                template=template, region_id=code, date=day, submitted_at=sent,
                submitted_by=reporters.get(code, official), on_time=sent.date() <= due,
                values={"places_added": ctx.rng.randrange(0, 40 if len(code) == 4 else 8),
                        "pilots_completed": ctx.rng.randrange(0, 2), "filings_decided": ctx.rng.randrange(0, 4)}))
        day += datetime.timedelta(days=1)
    return reports


def _seed_reports(ctx, province, official) -> None:
    template = progress_template_create(region=province, code="daily-progress", name="托育服务工作日报",
                                        fields=REPORT_FIELDS, actor=official)
    regions = list(Region.objects.filter(code__startswith=DEMO_PROVINCE, level__in=["city", "county"])
                   .order_by("code").values_list("code", flat=True))
    today = timezone.localdate()
    quarter = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    reporters = {u.region_id: u for u in User.objects.filter(role=User.Role.OFFICIAL, region_id__in=regions)}
    # The 2022 campaign (June to the published figures), then daily reporting again from this quarter.
    campaign = ReportingObligation.objects.filter(template=template, starts_on=REPORTS_FROM)
    if not campaign.exists():
        with transaction.atomic():
            ReportingObligation.objects.bulk_create([
                ReportingObligation(template=template, region_id=code, starts_on=REPORTS_FROM, ends_on=REPORTS_TO)
                for code in regions])
            reports = _daily_reports(ctx, template, regions, reporters, official, REPORTS_FROM, REPORTS_TO)
            ProgressReport.objects.bulk_create(reports, batch_size=2000)
            audit_record(actor=official, action="progress_report.demo_import", target=template,
                         after={"reports": len(reports), "from": str(REPORTS_FROM), "to": str(REPORTS_TO)})
        ctx.say(f"Progress reports: {len(reports)} daily reports of {len(regions)} cities and counties, "
                f"{REPORTS_FROM} to {REPORTS_TO}.")
    reporting_assign(template=template, region_codes=regions, starts_on=quarter, actor=official)
    if ProgressReport.objects.filter(template=template, date__gte=quarter).exists():
        return
    with transaction.atomic():
        reports = _daily_reports(ctx, template, regions, reporters, official, quarter,
                                 today - datetime.timedelta(days=1))
        ProgressReport.objects.bulk_create(reports, batch_size=2000)
        audit_record(actor=official, action="progress_report.demo_import", target=template,
                     after={"reports": len(reports), "from": str(quarter), "to": str(today)})
    ctx.say(f"Progress reports: {len(reports)} daily reports since {quarter} (today's still to come).")


def _seed_half_year_reports(ctx, province, official) -> None:
    """The cities' half-year reports to the province (synthetic) from January of last year: each sent in the
    first days after its half-year, a few late, a few missing; the half-year still running has none yet."""
    template = progress_template_create(region=province, code="half-year-report", name="托育服务工作半年报告",
                                        fields=HALF_YEAR_FIELDS, actor=official,
                                        frequency=ProgressReportTemplate.Frequency.HALF_YEARLY, grace_days=15)
    if ProgressReport.objects.filter(template=template).exists():
        return
    today = timezone.localdate()
    first = datetime.date(today.year - 1, 1, 1)
    cities = list(Region.objects.filter(code__startswith=DEMO_PROVINCE, level="city").order_by("code")
                  .values_list("code", flat=True))
    reporters = {u.region_id: u for u in User.objects.filter(role=User.Role.OFFICIAL, region_id__in=cities)}
    tz = timezone.get_current_timezone()
    reports = []
    with transaction.atomic():
        reporting_assign(template=template, region_codes=cities, starts_on=first, actor=official)
        half = first
        while period_end(template.frequency, half) < today:
            end = period_end(template.frequency, half)
            for code in cities:
                roll = ctx.rng.random()
                if roll < 0.05:
                    continue  # not sent
                sent_on = end + datetime.timedelta(days=ctx.rng.randrange(16, 40) if roll > 0.9
                                                   else ctx.rng.randrange(1, 15))
                if sent_on > today:
                    continue
                sent = datetime.datetime.combine(sent_on, datetime.time(16), tzinfo=tz)
                reports.append(ProgressReport(
                    template=template, region_id=code, date=half, submitted_at=sent,
                    submitted_by=reporters.get(code, official),
                    on_time=sent_on <= end + datetime.timedelta(days=template.grace_days),
                    values={"places_added": ctx.rng.randrange(200, 1500),
                            "institutions_filed": ctx.rng.randrange(3, 30),
                            "pilots_completed": ctx.rng.randrange(0, 12), "summary": "按计划推进托育服务体系建设。"}))
            half = end + datetime.timedelta(days=1)
        ProgressReport.objects.bulk_create(reports)
        audit_record(actor=official, action="progress_report.demo_import", target=template,
                     after={"reports": len(reports), "from": str(first), "to": str(today)})
    ctx.say(f"Half-year reports: {len(reports)} of {len(cities)} cities since {first}.")
