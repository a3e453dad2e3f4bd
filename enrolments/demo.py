"""Demo enrolment records from 2020 to today: every place of every demo class holds one child after another
(each from the class's minimum age until too old for it), so that every snapshot, from the first filings
of 2020 through the published figures of mid-2022 to today, counts the children really on the books that
day — about 14 % of the places in 2022 and about TARGET_CHILDREN children today.

Synthetic Chinese names; valid-format resident IDs whose region part is the institution's county and
whose birth date fits the class type; the Doudou classes of 石家庄市本一快乐城堡幼儿园 full (2 × 20).
Written with bulk inserts (the rules hold by construction: ages fit, no class over its places, one
enrolment per child). Idempotent: skipped when demo children exist. Also submits the enrolment reports
of the last REPORTED_PERIODS periods for most institutions (the latest with some still missing), so that
officials' completeness pages and the institutions' report pages have figures.
"""

from __future__ import annotations

import datetime
import functools
import time
from typing import NamedTuple

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from audit.services import audit_record
from institutions.models import Institution, InstitutionClass, StaffMember, class_rules
from portal.demo import REAL_FIGURES_ON
from portal.validators import ID_CHECK, ID_WEIGHTS

from . import bulk, identity
from .models import (
    CareForm,
    Child,
    ConsentMethod,
    Enrolment,
    EnrolmentReport,
    Guardian,
    ReportingPeriodSetting,
    add_months,
)

TARGET_CHILDREN = 42_000
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
    number: str  # encrypted in one batch when written (identity.encrypt_synthetic)
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


# How full the demo's classes are over time (nationally nearly half of places are empty; the demo's classes
# are emptier, which keeps it quick to seed): 8 % of the places in 2020, about 14 % at the published
# figures of mid-2022, and today whatever makes TARGET_CHILDREN.
UTILISATION_2020 = 0.08
UTILISATION_2022 = 0.14
UTILISATION_FROM = datetime.date(2020, 1, 1)


def _utilisation(day: datetime.date, today: datetime.date, today_share: float) -> float:
    day = min(day, today)
    if day <= REAL_FIGURES_ON:
        share = (day - UTILISATION_FROM).days / max(1, (REAL_FIGURES_ON - UTILISATION_FROM).days)
        return UTILISATION_2020 + (UTILISATION_2022 - UTILISATION_2020) * max(0.0, share)
    share = (day - REAL_FIGURES_ON).days / max(1, (today - REAL_FIGURES_ON).days)
    return UTILISATION_2022 + (today_share - UTILISATION_2022) * share


def _seat_history(rng, rule, earliest: datetime.date, today: datetime.date, occupancy):
    """The children who held one place of a class, one after another, from its opening to today:
    [(born, start, end or None)], never two at once. A child joins at (or just after) the class's minimum
    age and stays until too old for it; the empty spells between children are long enough for the seat to
    be occupied a share `occupancy(day)` of the time (1.0: always, as in the Doudou classes)."""
    lo, hi = rule.min_age_months, min(rule.max_age_months, 36)
    span = (hi - lo) * 30
    out = []
    day = earliest
    first = True
    while True:
        u = occupancy(day)
        # A seat starts in its steady state: held from the opening with probability u, else empty for a
        # while (a memoryless spell, like every later one).
        if u < 1.0 and not (first and rng.random() < u):
            gap = span * (1 - u) / max(u, 0.01)
            # The share is rising: take it where the spell would end, or seats lag far behind the curve.
            u = occupancy(day + datetime.timedelta(days=int(gap)))
            gap = span * (1 - u) / max(u, 0.01)
            day += datetime.timedelta(days=int(rng.expovariate(1 / gap)))
        if day > today:
            return out
        # The first children of a class come at every age; later ones as they reach the class's age.
        entry_age = rng.randrange(0, span - 30) if first else rng.randrange(0, 45)
        born = add_months(day, -lo) - datetime.timedelta(days=entry_age)
        end = add_months(born, hi)  # the day the child is too old for the class
        if end <= day:
            end = day + datetime.timedelta(days=1)
        out.append((born, day, end if end < today else None))
        if end >= today:
            return out
        day = end
        first = False


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


@functools.cache
def _prefix_sum(prefix: str) -> int:
    return sum(int(c) * w for c, w in zip(prefix, ID_WEIGHTS, strict=False))


def _check_character(body: str) -> str:
    """resident_id_check_character, with the weighted sum of the county and birth date (shared by many
    children) computed once: the same result, a fifth of the time."""
    tail = sum(int(c) * w for c, w in zip(body[14:], ID_WEIGHTS[14:], strict=True))
    return ID_CHECK[(_prefix_sum(body[:14]) + tail) % 11]


def _always(_day: datetime.date) -> float:
    return 1.0


def _demo_child(rng, sex: str, born: datetime.date, county: str, used: set[str]) -> DemoChild:
    """A child with a valid resident identity number no other demo child has."""
    while True:
        serial = rng.randrange(0, 500) * 2 + (1 if sex == "male" else 0)
        body = f"{county}{born:%Y%m%d}{serial:03d}"
        if body not in used:
            used.add(body)
            break
    number = body + _check_character(body)
    return DemoChild(_name(rng, sex), sex, born, Child.DocumentType.RESIDENT_ID,
                     identity.identity_hash(Child.DocumentType.RESIDENT_ID, number),
                     number, identity.mask(number))


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
    today_share = min(0.9, (TARGET_CHILDREN - fixed) / other_places)
    rules = class_rules()
    used: set[str] = set()
    plan = []  # (class, institution, start, end, child)
    curve: dict[int, float] = {}

    def occupancy(day: datetime.date) -> float:  # month by month
        month = day.year * 12 + day.month
        if month not in curve:
            curve[month] = _utilisation(datetime.date(day.year, day.month, 1), today, today_share)
        return curve[month]

    for k in classes:
        inst = inst_by_id[k.institution_id]
        earliest = max(inst.filed_on, k.opened_on)
        county = inst.region_id[:6]
        rule = rules[k.class_type]
        if k.pk in full:
            seat_occupancy = _always
        else:
            # Classes differ: some nearly empty, some full, around the province's curve.
            factor = min(3.0, max(0.2, rng.gauss(1.0, 0.35)))
            def seat_occupancy(day, factor=factor):
                return min(0.97, occupancy(day) * factor)
        for _seat in range(k.places):
            for born, start, end in _seat_history(rng, rule, earliest, today, seat_occupancy):
                sex = "male" if rng.random() < 0.51 else "female"
                plan.append((k, inst, start, end, _demo_child(rng, sex, born, county, used)))
    # Raw multi-row INSERTs with ids assigned here: Django's bulk_create spends most of its time
    # compiling 200,000 model instances, which made this step take a minute on a busy machine.
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    first_id = (Child.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    children, guardians, enrolments = [], [], []
    encrypted = identity.encrypt_synthetic([child.number for *_rest, child in plan], iv=rng.randbytes(16),
                                           timestamp=int(time.time()))
    for offset, (k, inst, start, end, child) in enumerate(plan):
        child_id = first_id + offset
        mother = rng.random() < 0.7
        guardian_name = (rng.choice(SURNAMES) + rng.choice(GIRL) + rng.choice(GIRL)) if mother \
            else child.name[0] + rng.choice(GIRL + BOY)
        relation = "mother" if mother else "father"
        # Demo children come with their guardian's written consent, given on the first day of care.
        children.append((child_id, inst.pk, child.name, child.sex, ops.adapt_datefield_value(child.date_of_birth),
                         child.document_type, child.document_hash, encrypted[offset], child.document_masked,
                         True, ConsentMethod.WRITTEN, ops.adapt_datefield_value(start), guardian_name, relation,
                         now, now))
        guardians.append((child_id, guardian_name, relation, f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"))
        enrolments.append((child_id, inst.pk, k.pk, _care_form(inst), ops.adapt_datefield_value(start),
                           ops.adapt_datefield_value(end), "aged_out" if end else "", "", now))
    bulk.insert(Child, ["id", "institution_id", "name", "sex", "date_of_birth", "document_type", "document_hash",
                        "document_encrypted", "document_masked", "is_demo", "consent_method", "consent_given_on",
                        "consent_guardian_name", "consent_guardian_relation", "consent_recorded_at", "created_at"],
                children)
    bulk.insert(Guardian, ["child_id", "name", "relation", "phone"], guardians)
    bulk.insert(Enrolment, ["child_id", "institution_id", "klass_id", "care_form", "start_date", "end_date",
                        "leaving_reason", "leaving_note", "created_at"], enrolments)
    with connection.cursor() as cursor:
        for sql in ops.sequence_reset_sql(no_style(), [Child]):
            cursor.execute(sql)
    audit_record(actor=None, action="demo.enrolments_seed", target_type="enrolments.enrolment", target_id="demo",
                 region_code="13", after={"children": len(plan)})
    return sum(1 for _k, _i, _s, end, _c in plan if end is None)


REPORTED_PERIODS = 4
LATE_TOWNSHIP = "130102001"  # 建北街道, the demo township official's area


def _seed_reports(ctx, institutions) -> int:
    """The last ended periods' reports: most institutions submitted (most on time); in the latest period a
    few have not reported yet (late), among them 石家庄市本一快乐城堡幼儿园 and one institution of 建北街道."""
    from .services import expected_institutions, recent_periods, reporting_setting

    rng = ctx.rng
    today = timezone.localdate()
    setting = reporting_setting("13")
    # Kept late in the latest period, so their staff and the demo township's official have it to chase.
    late = {*institutions.filter(name=BENYI_NAME).values_list("pk", flat=True),
            *institutions.filter(region_id=LATE_TOWNSHIP).order_by("pk").values_list("pk", flat=True)[:1]}
    now = timezone.now()
    reports = []
    for n, (start, end) in enumerate(recent_periods(setting, today, REPORTED_PERIODS)):
        due_on = end + datetime.timedelta(days=setting.grace_days)
        expected = list(expected_institutions(start, end).filter(pk__in=institutions).values_list("pk", flat=True))
        active = Enrolment.objects.active_on(end).filter(institution_id__in=expected)
        figures: dict[int, dict] = {}
        enrolled: dict[int, int] = {}
        for row in active.values("institution_id", "klass__class_type", "care_form").annotate(
                n=Count("pk")).order_by():
            by_type = figures.setdefault(row["institution_id"], {}).setdefault(row["klass__class_type"], {})
            by_type[row["care_form"]] = row["n"]
            enrolled[row["institution_id"]] = enrolled.get(row["institution_id"], 0) + row["n"]
        places = dict(InstitutionClass.objects.filter(institution_id__in=expected, opened_on__lte=end)
                      .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
                      .values("institution_id").annotate(p=Sum("places")).values_list("institution_id", "p"))
        staff = dict(StaffMember.objects.filter(institution_id__in=expected)
                     .filter(Q(left_on__isnull=True) | Q(left_on__gt=end))
                     .values("institution_id").annotate(n=Count("pk")).values_list("institution_id", "n"))
        for pk in expected:
            roll = rng.random()
            if (n == 0 and (roll > 0.88 or pk in late)) or roll > 0.97:
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
