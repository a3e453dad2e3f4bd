"""Demo step: Hebei's year-end reporting. The province's form (the shipped working definition), last year's
reporting (due 31 January of this year) with reports from most filed demo institutions — some late, some
returned for correction, most accepted — and this year's reporting open, due 31 January next year, with no
reports yet. Runs after the institutions step; idempotent (a second run changes nothing). Synthetic data.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from institutions.models import Institution
from portal.demo import DEMO_PROVINCE
from regions.models import Region

from .models import YearEndReport
from .services import yearend_obligation_open, yearend_template_ensure_shipped

SUBMITTED_SHARE = 0.88  # of the institutions owing a report
LATE_SHARE = 0.12  # of those submitted
RETURNED_SHARE = 0.06
UNDER_REVIEW_SHARE = 0.10
RETURN_COMMENTS = ["财务收支数据与年末托位数不一致，请核实后重新提交。", "安全事故情况未说明处置结果，请补充。",
                   "培训场次与参训人次填写有误，请更正。"]


def seed(ctx) -> None:
    province = Region.objects.filter(code=DEMO_PROVINCE).first()
    official = User.objects.filter(username="hebei").first()
    if province is None or official is None or not Institution.objects.filter(is_demo=True).exists():
        ctx.say("Year-end reports: no Hebei region, official or demo institutions; skipped.")
        return
    today = timezone.localdate()
    template = yearend_template_ensure_shipped(region=province, actor=official)
    last = yearend_obligation_open(region=province, year=today.year - 1, template=template, actor=official)
    current = yearend_obligation_open(region=province, year=today.year, template=template, actor=official)
    if YearEndReport.objects.filter(obligation=last).exists():
        ctx.say("Demo year-end reports already exist: skipped.")
        return
    with transaction.atomic():
        made = _seed_reports(ctx, last, official)
    ctx.say(f"Year-end reports {last.year}: {made} reports (due {last.due_on}); "
            f"{current.year} open, due {current.due_on}.")


def _values(rng, places: int) -> dict:
    places = max(10, places)
    enrolled = int(places * rng.uniform(0.4, 0.9))
    staff = max(3, places // 6 + rng.randrange(0, 4))
    trained = staff * rng.randrange(1, 4)
    complaints = rng.choice([0, 0, 0, 1, 2])
    income = round(places * rng.uniform(1.2, 2.4), 2)
    return {
        "children_served": enrolled + rng.randrange(0, 20), "children_enrolled_year_end": enrolled,
        "places": places, "inclusive_places": int(places * rng.choice([0, 0.5, 0.8, 1])),
        "staff_total": staff, "caregivers": max(2, staff - 2), "training_sessions": rng.randrange(2, 13),
        "staff_trained": trained, "safety_incidents": rng.choice([0] * 9 + [1]), "safety_drills": rng.randrange(2, 13),
        "complaints_received": complaints, "complaints_resolved": complaints,
        "income": f"{income:.2f}", "expenditure": f"{income * rng.uniform(0.8, 1.05):.2f}",
        "finance_summary": "收支基本平衡。", "summary": "全年安全运营，保育照护规范开展。",
        "next_year_plan": "加强保育人员培训，扩大普惠托位。",
    }


def _seed_reports(ctx, obligation, official) -> int:
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    owing = list(Institution.objects.active_on(obligation.year_end)
                 .filter(is_demo=True, region__code__startswith=DEMO_PROVINCE).with_places().order_by("credit_code"))
    counties = {u.region_id: u for u in User.objects.filter(role=User.Role.OFFICIAL, region__level="county",
                                                            region__code__startswith=DEMO_PROVINCE)}
    staff = {u.institution_id: u for u in User.objects.filter(role=User.Role.INSTITUTION_STAFF,
                                                              institution_id__in=[i.pk for i in owing])}
    reports = []
    for institution in owing:
        places = institution.total_places or rng.randrange(30, 160)
        roll = rng.random()
        author = staff.get(institution.pk, official)
        if roll > SUBMITTED_SHARE:
            if roll > 0.96:  # started, never sent
                reports.append(YearEndReport(institution=institution, obligation=obligation, year=obligation.year,
                                             template=obligation.template, created_by=author,
                                             values={"children_served": places // 2}))
            continue
        late = rng.random() < LATE_SHARE
        sent_on = (obligation.due_on + datetime.timedelta(days=rng.randrange(1, 40)) if late
                   else obligation.due_on - datetime.timedelta(days=rng.randrange(0, 28)))
        sent = datetime.datetime.combine(sent_on, datetime.time(rng.randrange(8, 18), rng.randrange(60)), tzinfo=tz)
        decided = sent + datetime.timedelta(days=rng.randrange(2, 15))
        outcome = rng.random()
        if outcome < RETURNED_SHARE:
            status, comment = YearEndReport.Status.RETURNED, rng.choice(RETURN_COMMENTS)
        elif outcome < RETURNED_SHARE + UNDER_REVIEW_SHARE:
            status, comment, decided = YearEndReport.Status.SUBMITTED, "", None
        else:
            status, comment = YearEndReport.Status.ACCEPTED, ""
        reviewer = counties.get(institution.region_id[:6], official)
        reports.append(YearEndReport(
            institution=institution, obligation=obligation, year=obligation.year, template=obligation.template,
            values=_values(rng, places), status=status, created_by=author, first_submitted_at=sent,
            submitted_at=sent, submitted_by=author, on_time=not late, decided_at=decided,
            decided_by=reviewer if decided else None, return_comment=comment))
    YearEndReport.objects.bulk_create(reports, batch_size=1000)
    audit_record(actor=official, action="demo.yearend_seed", target_type="yearend.yearendreport", target_id="demo",
                 region_code=DEMO_PROVINCE, after={"year": obligation.year, "reports": len(reports),
                                                   "owing": len(owing)})
    return len(reports)

