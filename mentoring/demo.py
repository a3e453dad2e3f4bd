"""Demo step: a year of Xingtai's six mentoring pairs (帮扶结对) — goals, monthly visits in 2026, two pairs
ended with their outcome — and the mentees' scorecard assessments before and during the pairs.

Xingtai's programme is dated to this year: the registry step pairs six experienced institutions with six
weaker ones; here they start in January (the mentees' baseline assessment just before), the mentor's staff
visit about once a month, two pairs close in the autumn (one improved, one partly) and the other four
have a mid-term assessment. `medical_integration` (医育结合) is already set by the registry step (about a
third of Xingtai's institutions, 8 % elsewhere). A demo account `xingtai-mentor` is staff of the mentor
of the first pair still active. Runs after the institutions and pilots steps; idempotent (a second run changes
nothing); its own random generator, so later steps draw what they drew before.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from institutions.models import MentoringPair, StaffMember
from pilots.models import Pilot, ScoreItem
from pilots.services import assessment_record, scorecard_load_wst821

from .models import Goal, Outcome, Visit

XINGTAI = "1305"
YEAR = 2026
GOALS = [
    "建立并落实晨午检和全日健康观察制度",
    "保育人员持证上岗率达到100%",
    "制定婴幼儿膳食食谱并每周公示",
    "完善安全隐患排查台账，每月自查一次",
    "开展家长养育照护指导活动，每季度不少于1次",
    "建立传染病报告与消毒记录制度",
    "与社区卫生服务中心签订医育结合服务协议",
]
NOTES = [
    "示范晨午检流程，现场指导保健员填写健康观察记录",
    "组织保育人员跟岗学习一日生活照料",
    "检查膳食食谱与留样记录，提出改进建议",
    "联合开展消防疏散演练并点评",
    "指导制定个别化照护计划，讨论疑难个案",
    "社区卫生服务中心医生随同入园，开展生长发育监测",
    "查阅安全台账，复核上月整改事项",
]
CHANGES = [
    "晨检登记已坚持每日填写",
    "新增两名保育员取得保育师证",
    "食谱按周公示，留样记录完整",
    "楼梯防护栏已加装完毕",
    "建立了家长沟通群并按月发布养育指导",
    "消毒记录表已上墙，执行到位",
    "与社区卫生服务中心签订了合作协议",
]
# Two pairs end this autumn: (pair index, ended on, outcome, summary, goals reached of the three).
ENDED = [
    (0, datetime.date(YEAR, 9, 30), Outcome.Result.IMPROVED,
     "九个月帮扶后，晨午检、膳食和安全台账全部规范，保育人员全部持证，评估等级由D提升至B。", 3),
    (1, datetime.date(YEAR, 10, 31), Outcome.Result.PARTLY,
     "卫生保健制度已建立，膳食管理明显改善；保育人员持证率仍未达标，需继续跟进。", 2),
]
# The mentees' scorecard (WS/T 821, 1,000 points): baseline share, later share, for the six pairs.
SHARES = [(0.52, 0.81), (0.55, 0.68), (0.58, 0.66), (0.49, 0.61), (0.61, 0.72), (0.56, 0.64)]


def _visits_of(rng, pair: MentoringPair, visitors: list[str], last: datetime.date) -> list[Visit]:
    visits, month = [], pair.started_on.month
    while True:
        day = datetime.date(YEAR, month, rng.randrange(8, 26))
        if day > last:
            break
        if day >= pair.started_on:
            who = "、".join(rng.sample(visitors, min(2, len(visitors))))
            visits.append(Visit(pair=pair, visited_on=day, visitors=who, notes=rng.choice(NOTES),
                                changes=rng.choice(CHANGES)))
        month += 1
        if month > 12:
            break
    return visits


def _scores(items, share: float, rng) -> list[dict]:
    out = []
    for item in items:
        s = min(1.0, max(0.0, share + rng.uniform(-0.08, 0.08)))
        out.append({"item": item.pk, "points": (item.max_points * Decimal(str(round(s, 2)))).quantize(Decimal("1")),
                    "evidence": "现场查看与台账核验（演示数据）"})
    return out


def seed(ctx) -> None:
    from accounts.demo import ensure_user

    pairs = list(MentoringPair.objects.filter(mentor__is_demo=True, mentee__region__code__startswith=XINGTAI)
                 .select_related("mentor", "mentee").order_by("pk")[:6])
    official = User.objects.filter(username="xingtai").first()
    if not pairs or official is None:
        ctx.say("Mentoring: no Xingtai pairs or no xingtai official; skipped.")
        return
    # Staff of the mentor of a pair that is still active (the first two close in the autumn): they record visits.
    mentor = pairs[min(len(ENDED), len(pairs) - 1)].mentor
    ensure_user("xingtai-mentor", role=User.Role.INSTITUTION_STAFF, ctx=ctx, institution=mentor,
                description=f"staff of {mentor.name}, a Xingtai mentor institution (帮扶结对: records visits)")
    if Goal.objects.filter(pair__in=pairs).exists() or Visit.objects.filter(pair__in=pairs).exists():
        ctx.say("Demo mentoring goals and visits already exist: skipped.")
        return
    rng = random.Random(20260115)  # noqa: S311 — demo data
    today = timezone.localdate()
    with transaction.atomic():
        _seed(ctx, rng, pairs, official, today)


def _seed(ctx, rng, pairs, official, today) -> None:
    starts = [datetime.date(YEAR, 1, 15 + n) for n in range(len(pairs))]
    for pair, start in zip(pairs, starts, strict=True):
        MentoringPair.objects.filter(pk=pair.pk).update(started_on=start, ended_on=None, updated_at=timezone.now())
        pair.started_on, pair.ended_on = start, None
    names = {}
    for m in StaffMember.objects.filter(institution__in=[p.mentor_id for p in pairs], left_on__isnull=True) \
            .order_by("institution_id", "role", "pk"):
        names.setdefault(m.institution_id, []).append(f"{m.name}（{m.get_role_display()}）")
    goals, visits, outcomes = [], [], []
    ended = {i: (on, result, summary, reached) for i, on, result, summary, reached in ENDED}
    for n, pair in enumerate(pairs):
        texts = rng.sample(GOALS, 3)
        end = ended.get(n)
        for k, text in enumerate(texts):
            goals.append(Goal(pair=pair, text=text, set_by=official, reached=bool(end and k < end[3])))
        last = min(today, end[0]) if end else today
        visits += _visits_of(rng, pair, names.get(pair.mentor_id) or ["帮扶园长", "保健医生"], last)
        if end:
            outcomes.append(Outcome(pair=pair, result=end[1], summary=end[2], closed_by=official))
    Goal.objects.bulk_create(goals)
    Visit.objects.bulk_create(visits)
    for n, (on, *_rest) in ended.items():
        if n < len(pairs):
            MentoringPair.objects.filter(pk=pairs[n].pk).update(ended_on=on, updated_at=timezone.now())
    Outcome.objects.bulk_create(outcomes)
    assessments = _seed_assessments(rng, pairs, official, starts, ended, today)
    audit_record(actor=None, action="demo.mentoring_record_seed", target_type="institutions.mentoringpair",
                 target_id="demo", region_code=XINGTAI,
                 after={"goals": len(goals), "visits": len(visits), "ended": len(outcomes),
                        "assessments": assessments})
    ctx.say(f"Mentoring {YEAR}: {len(goals)} goals, {len(visits)} visits, {len(outcomes)} pairs ended with an "
            f"outcome, {assessments} mentee assessments.")


def _seed_assessments(rng, pairs, official, starts, ended, today) -> int:
    """A baseline assessment of each mentee just before its pair began and a later one (before the close of
    an ended pair, in the autumn for the others), recorded by the city through the pilots' service."""
    template = scorecard_load_wst821()
    items = list(ScoreItem.objects.filter(dimension__template=template).order_by("dimension__order", "order"))
    count = 0
    for n, pair in enumerate(pairs):
        pilot = Pilot.objects.filter(institution=pair.mentee, year=YEAR).first() or Pilot.objects.create(
            institution=pair.mentee, year=YEAR, designated_by_id=XINGTAI, designated_on=starts[n]
            - datetime.timedelta(days=14), notes="帮扶结对受援机构质量评估（演示数据）")
        before, after = SHARES[n % len(SHARES)]
        later = ended[n][0] - datetime.timedelta(days=6) if n in ended else datetime.date(YEAR, 10, 20)
        for on, share in ((starts[n] - datetime.timedelta(days=5), before), (min(later, today), after)):
            assessment_record(pilot=pilot, template=template, assessed_on=on, scores=_scores(items, share, rng),
                              actor=official, notes="帮扶结对评估（演示数据）")
            count += 1
    return count
