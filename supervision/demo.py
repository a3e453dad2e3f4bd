"""Demo step: a year of supervision in Hebei (synthetic). Every city keeps a pool of inspectors and ran two
rounds of random inspections (10 % of its filed institutions, spring and autumn) drawn with the portal's own
reproducible draw, so each recorded draw replays; the inspections have findings by risk and rectification
orders, most rectified on time, some late, a few still open (and escalated); institutions filed in the last
year had their post-filing verification, a few of them late or still overdue. 长安区 also has a round under
way: its inspectors (`changan-inspector1`, `changan-inspector2`) have inspections to record, and the staff
of 本一幸福城堡幼儿园 (`benyi`) an order to answer. Runs after filings; idempotent.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts import policies
from accounts.models import User
from audit.services import audit_record
from filings.models import Filing, Holiday
from filings.workdays import add_working_days_skipping
from institutions.models import Institution
from portal.demo import DEMO_PROVINCE
from regions.models import Region

from . import draw as draw_module
from . import services
from .models import (
    RISK_ORDER,
    Checklist,
    Draw,
    Inspection,
    InspectionRound,
    Inspector,
    ItemRecord,
    RectificationOrder,
    Risk,
)

SHARE_PERCENT = 10
INSPECTORS_PER_CITY = 4
# Chance of a finding on an item, by its risk weight (synthetic).
FINDING_CHANCE = {Risk.HIGH: 0.03, Risk.MEDIUM: 0.06, Risk.LOW: 0.10}
NOTES = ["现场发现问题，已当场告知", "台账记录不全", "部分人员证件过期", "设施需维修", "现场整改不到位"]
RECTIFICATION_DAYS = {"high": 5, "medium": 10, "low": 20}


def seed(ctx) -> None:
    province = Region.objects.filter(code=DEMO_PROVINCE).first()
    if province is None or not Institution.objects.filter(is_demo=True).exists():
        ctx.say("Supervision: no demo institutions; skipped.")
        return
    services.checklists_ensure_shipped()
    _ensure_accounts(ctx)
    if InspectionRound.objects.filter(region__code__startswith=DEMO_PROVINCE).exists():
        ctx.say("Demo supervision already exists: skipped.")
        return
    with transaction.atomic():
        _seed(ctx)


def _ensure_accounts(ctx) -> None:
    from accounts.demo import ensure_user

    changan = User.objects.filter(username="changan").first()
    for n in (1, 2):
        user = ensure_user(f"changan-inspector{n}", role=User.Role.OFFICIAL, ctx=ctx, region_id="130102",
                           first_name=f"长安区检查员{n}",
                           description="inspector of 长安区's pool: records the inspections drawn for them")
        if changan is not None and not Inspector.objects.filter(user=user).exists():
            services.inspector_register(user=user, actor=changan)


def _holidays() -> set[datetime.date]:
    return set(Holiday.objects.filter(kind=Holiday.Kind.DAY_OFF).values_list("date", flat=True))


def _pools(ctx) -> dict[str, list[int]]:
    """Inspector pools of every city: synthetic officials of the city's counties (no password, not listed)."""
    cities = list(Region.objects.filter(code__startswith=DEMO_PROVINCE, level="city").order_by("code"))
    counties: dict[str, list[str]] = {}
    for code, parent in Region.objects.filter(code__startswith=DEMO_PROVINCE, level="county").values_list(
            "code", "parent_id"):
        counties.setdefault(parent, []).append(code)
    pools = {}
    for city in cities:
        users = []
        for n in range(INSPECTORS_PER_CITY):
            region = ctx.rng.choice(sorted(counties.get(city.code, [city.code])))
            user, _created = User.objects.get_or_create(
                username=f"demo-inspector-{city.code}-{n + 1}",
                defaults={"role": User.Role.OFFICIAL, "region_id": region, "first_name": f"{city.name}检查员{n + 1}",
                          "password": "!"})
            users.append(user)
        Inspector.objects.bulk_create([Inspector(user=u, region_id=u.region_id) for u in users],
                                      ignore_conflicts=True)
        pools[city.code] = list(Inspector.objects.filter(user__in=users).order_by("pk").values_list("pk", flat=True))
    return pools


def _record(rng, inspection: Inspection, items, inspector_id: int, on: datetime.date, holidays) -> list:
    """Item records of a signed-off inspection, its finding counts and its rectification order (unsaved)."""
    records, findings = [], dict.fromkeys(RISK_ORDER, 0)
    for item in items:
        finding = rng.random() < FINDING_CHANCE[item.risk]
        findings[item.risk] += finding
        records.append(ItemRecord(inspection=inspection, item=item, recorded_by_id=inspector_id,
                                  outcome=ItemRecord.Outcome.FINDING if finding else ItemRecord.Outcome.PASS,
                                  note=rng.choice(NOTES) if finding else ""))
    inspection.findings_high, inspection.findings_medium, inspection.findings_low = (
        findings[Risk.HIGH], findings[Risk.MEDIUM], findings[Risk.LOW])
    inspection.inspected_on = on
    inspection.signed_off_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(16)))
    inspection.signed_off_by_id = inspector_id
    inspection.mode = Inspection.Mode.ON_SITE
    if not any(findings.values()):
        inspection.status, inspection.result = Inspection.Status.CLOSED, Inspection.Result.COMPLIANT
        return records, None
    inspection.result = Inspection.Result.FINDINGS
    worst = next(r for r in RISK_ORDER if findings[r])
    due = add_working_days_skipping(on, RECTIFICATION_DAYS[worst], holidays)
    today = timezone.localdate()
    roll = rng.random()
    rectified = None
    if roll < 0.8:
        rectified = on + datetime.timedelta(days=rng.randrange(1, max(2, (due - on).days + 1)))
    elif roll < 0.9:
        rectified = due + datetime.timedelta(days=rng.randrange(1, 15))
    if rectified is not None and rectified > today:
        rectified = None
    status = RectificationOrder.Status.ACCEPTED if rectified else RectificationOrder.Status.OPEN
    order = RectificationOrder(inspection=inspection, issued_on=on, due_on=due, status=status,
                               rectified_on=rectified,
                               escalated_at=timezone.now() if rectified is None and due < today else None)
    inspection.status = Inspection.Status.CLOSED if rectified else Inspection.Status.SIGNED_OFF
    return records, order


def _seed(ctx) -> None:
    rng: random.Random = ctx.rng
    today = timezone.localdate()
    holidays = _holidays()
    checklists = list(Checklist.objects.latest_versions().order_by("code"))
    items = {c.pk: list(c.items.order_by("order")) for c in checklists}
    pools = _pools(ctx)
    planner = {u.region_id: u for u in User.objects.filter(role=User.Role.OFFICIAL, region__level="city",
                                                           region__code__startswith=DEMO_PROVINCE)}
    fallback = User.objects.filter(username="hebei").first()
    counts = {"rounds": 0, "inspections": 0, "orders": 0, "verifications": 0}
    all_records, orders = [], []
    for city_code, pool in sorted(pools.items()):
        actor = planner.get(city_code) or fallback
        for n, (label, days_ago) in enumerate((("春季", 300), ("秋季", 120))):
            planned_on = today - datetime.timedelta(days=days_ago)
            checklist = checklists[n % len(checklists)]
            eligible = list(Institution.objects.under(city_code).active_on(planned_on)
                            .filter(status=Institution.Status.FILED).order_by("pk").values_list("pk", flat=True))
            if not eligible:
                continue
            round_ = InspectionRound.objects.create(
                region_id=city_code, name=f"{planned_on.year}年{label}双随机抽查", checklist=checklist,
                share_percent=SHARE_PERCENT, inspectors_per_inspection=2,
                due_on=planned_on + datetime.timedelta(days=45),
                seed=rng.randrange(2**63), status=InspectionRound.Status.STARTED, created_by=actor)
            inputs = {"region": city_code, "on": str(planned_on), "share_percent": SHARE_PERCENT,
                      "risk_weighted": False, "count": -(-len(eligible) * SHARE_PERCENT // 100),
                      "institutions": [[pk, 1] for pk in eligible], "inspectors": pool, "conflicts": {},
                      "per_inspection": 2}
            result = draw_module.draw(round_.seed, inputs)
            Draw.objects.create(round=round_, number=1, seed=round_.seed, inputs=inputs, result=result,
                                inputs_hash=draw_module.inputs_hash({k: v for k, v in inputs.items() if k != "on"}),
                                created_by=actor)
            users = dict(Inspector.objects.filter(pk__in=pool).values_list("pk", "user_id"))
            for row in result:
                inspection = Inspection(institution_id=row["institution"], kind=Inspection.Kind.RANDOM, round=round_,
                                        checklist=checklist, due_on=round_.due_on)
                on = planned_on + datetime.timedelta(days=rng.randrange(5, 44))
                records, order = _record(rng, inspection, items[checklist.pk], users[row["inspectors"][0]], on,
                                         holidays)
                inspection.save()
                inspection.inspectors.set([users[i] for i in row["inspectors"]])
                all_records += records
                if order is not None:
                    orders.append(order)
                counts["inspections"] += 1
            counts["rounds"] += 1
    # Post-filing verifications of the filings approved in the last year.
    year_ago = today - datetime.timedelta(days=365)
    verification_checklist = services.checklist_latest("health-safety")
    filings = (Filing.objects.filter(status=Filing.Status.FILED, kind__in=[Filing.Kind.INITIAL, Filing.Kind.CHANGE],
                                     decided_at__date__gte=year_ago,
                                     institution__region__code__startswith=DEMO_PROVINCE)
               .exclude(pk__in=Inspection.objects.filter(filing__isnull=False).values("filing_id"))
               .select_related("institution"))
    officials = {u.region_id: u for u in User.objects.filter(role=User.Role.OFFICIAL, region__level="county")}
    for filing in filings:
        decided_on = timezone.localdate(filing.decided_at)
        due = add_working_days_skipping(decided_on, 15, holidays)
        inspection = Inspection(institution=filing.institution, kind=Inspection.Kind.VERIFICATION, filing=filing,
                                checklist=verification_checklist, due_on=due, mode=Inspection.Mode.DESK)
        roll = rng.random()
        done = decided_on + datetime.timedelta(days=rng.randrange(3, 20) if roll < 0.85 else rng.randrange(22, 40))
        inspector = officials.get(filing.institution.county_code) or fallback
        if done <= today and (roll < 0.95 or due >= today):
            records, order = _record(rng, inspection, items[verification_checklist.pk], inspector.pk, done, holidays)
            all_records += records
            if order is not None:
                orders.append(order)
        inspection.save()
        if inspector is not None:
            inspection.inspectors.set([inspector])
        counts["verifications"] += 1
    ItemRecord.objects.bulk_create(all_records, batch_size=2000)
    RectificationOrder.objects.bulk_create(orders, batch_size=1000)
    counts["orders"] = len(orders)
    _changan_under_way(ctx)
    audit_record(actor=fallback, action="demo.supervision_seed", target_type="supervision.inspection",
                 target_id="demo", region_code=DEMO_PROVINCE, after=counts)
    ctx.say(f"Supervision: {counts['rounds']} rounds, {counts['inspections']} random inspections, "
            f"{counts['verifications']} verifications, {counts['orders']} rectification orders.")


def _changan_under_way(ctx) -> None:
    """长安区's current round, planned, drawn and started through the services (so audited), and an order for
    the Benyi kindergarten's staff to answer."""
    changan = User.objects.filter(username="changan").first()
    if changan is None:
        return
    today = timezone.localdate()
    round_ = services.round_plan(region_code="130102", name=f"{today.year}年长安区第四季度双随机抽查",
                                 checklist=services.checklist_latest("fire-safety"), share_percent=20,
                                 inspectors_per_inspection=1, due_on=today + datetime.timedelta(days=30),
                                 actor=changan, seed=20261201)
    drawn, _created = services.round_draw(round_=round_, actor=changan)
    services.round_start(round_=round_, actor=changan)
    benyi_staff = User.objects.filter(username="benyi").select_related("institution").first()
    if benyi_staff is None or benyi_staff.institution is None:
        return
    shijiazhuang = User.objects.filter(username="shijiazhuang").first()
    inspector = User.objects.filter(username="changan-inspector1").first()
    benyi = benyi_staff.institution
    if shijiazhuang is None or inspector is None or not policies.supervises(shijiazhuang, benyi):
        return
    inspection = services.inspection_open_targeted(
        institution=benyi, actor=shijiazhuang, source="incident", reason="家长反映户外活动时间不足",
        checklist=services.checklist_latest("health-safety"), inspectors=[inspector])
    for item in inspection.checklist.items.all():
        finding = item.code in ("HS-10", "HS-11")
        services.item_record(inspection=inspection, item=item, outcome="finding" if finding else "pass",
                             note={"HS-10": "晨午检记录缺三天", "HS-11": "每日户外不足1小时"}.get(item.code, ""),
                             actor=inspector)
    services.inspection_sign_off(inspection=inspection, actor=inspector, summary="需整改两项")
