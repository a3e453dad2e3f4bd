"""Demo enrolment records: about 70,000 children in the Hebei demo institutions today (half the places),
and the cohort of mid-2022, who have since aged out, so that the historical snapshots have children too.

Synthetic Chinese names; valid-format resident IDs whose region part is the institution's county and
whose birth date fits the class type; the Doudou classes of 石家庄市本一快乐城堡幼儿园 full (2 × 20).
Written with bulk inserts (the rules hold by construction: ages fit, no class over its places, one
enrolment per child). Idempotent: skipped when demo children exist. Also submits the last period's
enrolment reports for most institutions so that officials' completeness pages have figures.
"""

from __future__ import annotations

import datetime
import time
from typing import NamedTuple

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from audit.services import audit_record
from institutions.models import Institution, InstitutionClass, StaffMember, class_rules
from portal.validators import resident_id_check_character

from . import bulk, identity
from .models import (
    CareForm,
    Child,
    Enrolment,
    EnrolmentReport,
    Guardian,
    ReportingPeriodSetting,
    add_months,
    age_in_months,
)

TARGET_CHILDREN = 70_000
BENYI_NAME = "石家庄市本一快乐城堡幼儿园"
SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾"
            "彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段")
BOY = "浩宇轩子涵博文泽睿一晨俊杰明辰昊天奕铭嘉宸皓霖宏瑞沐阳煜诚"
GIRL = "欣怡梓涵诗雨可馨语桐思琪若曦佳悦依晨雅婷梦瑶紫萱一诺安然沐"
BATCH = 2000


class DemoChild(NamedTuple):
    name: str
    sex: str
    date_of_birth: datetime.date
    document_type: str
    document_hash: str
    document_encrypted: str
    document_masked: str


def _name(rng, sex: str) -> str:
    chars = BOY if sex == "male" else GIRL
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.8 else "")
    return rng.choice(SURNAMES) + given


def _care_form(inst: Institution) -> str:
    if inst.full_day:
        return CareForm.FULL_DAY
    for form, flag in ((CareForm.HALF_DAY, inst.half_day), (CareForm.HOURLY, inst.hourly),
                       (CareForm.TEMPORARY, inst.temporary)):
        if flag:
            return form
    return CareForm.FULL_DAY


def _birth_and_start(rng, class_type: str, earliest_start: datetime.date, today: datetime.date):
    """A start date on or after the earliest, and a birth date that fits the class on it and today."""
    rule = class_rules()[class_type]
    lo, hi = rule.min_age_months, min(rule.max_age_months, 36)
    span_days = (hi - lo) * 30 - 40
    room = max(0, min((today - earliest_start).days, 330, span_days))
    for _attempt in range(20):
        start = today - datetime.timedelta(days=rng.randrange(0, room + 1))
        born = add_months(today, -hi) + datetime.timedelta(days=rng.randrange(3, (hi - lo) * 30))
        if lo <= age_in_months(born, start) < hi and age_in_months(born, today) < hi:
            return born, start
    born = add_months(today, -lo) - datetime.timedelta(days=5)
    return born, today


# The children enrolled in the year of the historical snapshots (metrics.demo: 2021-06-30 to
# 2022-06-30). They have since aged out, so they do not count today.
HISTORY = (datetime.date(2021, 6, 30), datetime.date(2022, 6, 30))
HISTORY_SHARE = 0.85  # children then, against today's (never more than the class's places)


def _past_birth_and_dates(rng, class_type: str, earliest_start: datetime.date, today: datetime.date):
    """(born, start, end) of a child who was in the class on some day of HISTORY and aged out of it
    later; None when the class had not opened by the end of HISTORY."""
    first = max(earliest_start, HISTORY[0])
    if first > HISTORY[1]:
        return None
    rule = class_rules()[class_type]
    lo, hi = rule.min_age_months, min(rule.max_age_months, 36)
    for _attempt in range(20):
        on = first + datetime.timedelta(days=rng.randrange(0, (HISTORY[1] - first).days + 1))
        born = add_months(on, -hi) + datetime.timedelta(days=rng.randrange(3, (hi - lo) * 30))
        entered = max(earliest_start, add_months(born, lo))
        if entered > on:
            continue
        start = entered + datetime.timedelta(days=rng.randrange(0, (on - entered).days + 1))
        end = add_months(born, hi)  # the day the child is too old for the class
        if on < end < today:
            return born, start, end
    return None


def seed(ctx) -> None:
    institutions = Institution.objects.filter(is_demo=True, status=Institution.Status.FILED)
    if not institutions.exists():
        ctx.say("No demo institutions: enrolment demo skipped.")
        return
    ReportingPeriodSetting.objects.get_or_create(province_id="13", defaults={"period_days": 90})
    if Child.objects.filter(is_demo=True).exists():
        ctx.say("Demo children already exist: skipped.")
        return
    started = time.monotonic()
    with transaction.atomic():
        n = _seed_children(ctx, institutions)
        reports = _seed_reports(ctx, institutions)
    ctx.say(f"Enrolment demo: {n} enrolled children, {reports} submitted reports "
            f"({time.monotonic() - started:.1f} s).")


def _demo_child(rng, sex: str, born: datetime.date, county: str, used: set[str]) -> DemoChild:
    """A child with a valid resident identity number no other demo child has."""
    while True:
        serial = rng.randrange(0, 500) * 2 + (1 if sex == "male" else 0)
        body = f"{county}{born:%Y%m%d}{serial:03d}"
        if body not in used:
            used.add(body)
            break
    number = body + resident_id_check_character(body)
    return DemoChild(_name(rng, sex), sex, born, Child.DocumentType.RESIDENT_ID,
                     identity.identity_hash(Child.DocumentType.RESIDENT_ID, number),
                     identity.encrypt(number), identity.mask(number))


def _seed_children(ctx, institutions) -> int:
    rng = ctx.rng
    today = timezone.localdate()
    inst_by_id = {i.pk: i for i in institutions.only("pk", "name", "region_id", "filed_on", "full_day", "half_day",
                                                      "hourly", "temporary")}
    classes = list(InstitutionClass.objects.filter(institution_id__in=list(inst_by_id), closed_on__isnull=True)
                   .order_by("pk"))
    full = {k.pk for k in classes if inst_by_id[k.institution_id].name == BENYI_NAME}
    fixed = sum(k.places for k in classes if k.pk in full)
    other_places = sum(k.places for k in classes if k.pk not in full) or 1
    ratio = (TARGET_CHILDREN - fixed) / other_places
    used: set[str] = set()
    plan = []  # (class, child) pairs
    for k in classes:
        inst = inst_by_id[k.institution_id]
        if k.pk in full:
            count = k.places
        else:
            # Occupancy varies between classes (some nearly empty, some full), half on average.
            share = min(1.0, max(0.0, rng.gauss(ratio, 0.2)))
            count = min(k.places, int(k.places * share + rng.random()))
        earliest = max(inst.filed_on, k.opened_on)
        county = inst.region_id[:6]
        for _i in range(count):
            sex = "male" if rng.random() < 0.51 else "female"
            born, start = _birth_and_start(rng, k.class_type, earliest, today)
            child = _demo_child(rng, sex, born, county, used)
            plan.append((k, inst, start, None, child))
        for _i in range(int(count * HISTORY_SHARE + rng.random())):
            dates = _past_birth_and_dates(rng, k.class_type, earliest, today)
            if dates is None:
                break
            born, start, end = dates
            sex = "male" if rng.random() < 0.51 else "female"
            plan.append((k, inst, start, end, _demo_child(rng, sex, born, county, used)))
    # Raw multi-row INSERTs with ids assigned here: Django's bulk_create spends most of its time
    # compiling 200,000 model instances, which made this step take a minute on a busy machine.
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    first_id = (Child.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    children, guardians, enrolments = [], [], []
    for offset, (k, inst, start, end, child) in enumerate(plan):
        child_id = first_id + offset
        children.append((child_id, inst.pk, child.name, child.sex, ops.adapt_datefield_value(child.date_of_birth),
                         child.document_type, child.document_hash, child.document_encrypted, child.document_masked,
                         True, now))
        mother = rng.random() < 0.7
        guardian_name = (rng.choice(SURNAMES) + rng.choice(GIRL) + rng.choice(GIRL)) if mother \
            else child.name[0] + rng.choice(GIRL + BOY)
        guardians.append((child_id, guardian_name, "mother" if mother else "father",
                          f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"))
        enrolments.append((child_id, inst.pk, k.pk, _care_form(inst), ops.adapt_datefield_value(start),
                           ops.adapt_datefield_value(end), "aged_out" if end else "", "", now))
    bulk.insert(Child, ["id", "institution_id", "name", "sex", "date_of_birth", "document_type", "document_hash",
                    "document_encrypted", "document_masked", "is_demo", "created_at"], children)
    bulk.insert(Guardian, ["child_id", "name", "relation", "phone"], guardians)
    bulk.insert(Enrolment, ["child_id", "institution_id", "klass_id", "care_form", "start_date", "end_date",
                        "leaving_reason", "leaving_note", "created_at"], enrolments)
    with connection.cursor() as cursor:
        for sql in ops.sequence_reset_sql(no_style(), [Child]):
            cursor.execute(sql)
    audit_record(actor=None, action="demo.enrolments_seed", target_type="enrolments.enrolment", target_id="demo",
                 region_code="13", after={"children": len(plan)})
    return sum(1 for _k, _i, _s, end, _c in plan if end is None)


def _seed_reports(ctx, institutions) -> int:
    """The last ended period's reports: most institutions submitted (most on time), a few are late."""
    from .services import expected_institutions, recent_periods, reporting_setting

    rng = ctx.rng
    today = timezone.localdate()
    setting = reporting_setting("13")
    start, end = recent_periods(setting, today, 1)[0]
    due_on = end + datetime.timedelta(days=setting.grace_days)
    expected = list(expected_institutions(start, end).filter(pk__in=institutions).values_list("pk", flat=True))
    active = Enrolment.objects.active_on(end).filter(institution_id__in=expected)
    figures: dict[int, dict] = {}
    enrolled: dict[int, int] = {}
    for row in active.values("institution_id", "klass__class_type", "care_form").annotate(n=Count("pk")).order_by():
        by_type = figures.setdefault(row["institution_id"], {}).setdefault(row["klass__class_type"], {})
        by_type[row["care_form"]] = row["n"]
        enrolled[row["institution_id"]] = enrolled.get(row["institution_id"], 0) + row["n"]
    places = dict(InstitutionClass.objects.filter(institution_id__in=expected, closed_on__isnull=True)
                  .values("institution_id").annotate(p=Sum("places")).values_list("institution_id", "p"))
    staff = dict(StaffMember.objects.filter(institution_id__in=expected)
                 .filter(Q(left_on__isnull=True) | Q(left_on__gt=end))
                 .values("institution_id").annotate(n=Count("pk")).values_list("institution_id", "n"))
    now = timezone.now()
    reports = []
    for pk in expected:
        roll = rng.random()
        if roll > 0.88:
            continue  # not reported: late
        submitted_on = min(today, due_on - datetime.timedelta(days=rng.randrange(0, 14)) if roll < 0.8
                           else due_on + datetime.timedelta(days=rng.randrange(1, 5)))
        reports.append(EnrolmentReport(
            institution_id=pk, period_start=start, period_end=end, due_on=due_on,
            status=EnrolmentReport.Status.SUBMITTED, figures=figures.get(pk, {}), enrolled=enrolled.get(pk, 0),
            places=places.get(pk, 0), staff=staff.get(pk, 0), confirmed_at=now, submitted_at=now,
            submitted_on=submitted_on))
    EnrolmentReport.objects.bulk_create(reports, batch_size=BATCH)
    return len(reports)
