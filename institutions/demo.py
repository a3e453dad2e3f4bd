"""Demo step: Hebei's filed childcare institutions as of mid-2022, built to match the published figures.

1,273 filed institutions with exactly 138,000 places (the sum of their classes, every class within
its national cap and caregiver ratio), spread over the 11 cities in proportion to their 2020 census
population and over counties and townships; about half the places inclusive; Xingtai's medical-care
integration and its 6 mentoring pairs; one guidance centre per city; Shijiazhuang Benyi Happy Castle
Kindergarten with its two 20-child Doudou classes. Everything is labelled `is_demo=True`.

After the published figures (portal.demo.REAL_FIGURES_ON, 8 July 2022) the province keeps growing up to
the day the demo is seeded: about SYNTHETIC_PER_YEAR more institutions a year, filed on dates spread over
the period, marked `is_synthetic=True` (invented, not published figures) — so the dashboards open on today
with figures and their trends run from 2020 to today.

Idempotent: if demo institutions exist the step only makes sure its demo accounts exist. Rows are
bulk-created (a few seconds on SQLite) with one audit row per bulk step, not one per row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from portal.demo import DEMO_PROVINCE, REAL_FIGURES_ON
from portal.validators import credit_code_check_character
from regions.models import Region, RegionPopulation

from .models import GuidanceCentre, Institution, InstitutionClass, MentoringPair, StaffMember, class_rules

FILED_INSTITUTIONS = 1273
TOTAL_PLACES = 138_000
FIRST_FILED_ON = datetime.date(2020, 1, 1)
LAST_FILED_ON = datetime.date(2022, 6, 30)
XINGTAI = "1305"
MENTORING_PAIRS = 6
DRAFTS = 4
# Synthetic growth after REAL_FIGURES_ON: institutions a year (Hebei added places faster than this; the demo
# stays small enough to seed in seconds), and how many of them open in 长安区's first township, whose official
# would otherwise have an empty area.
SYNTHETIC_PER_YEAR = 200
SYNTHETIC_TOWNSHIP = "130102001"
SYNTHETIC_IN_TOWNSHIP = 4

BENYI_NAME = "石家庄市本一快乐城堡幼儿园"
BENYI_COUNTY = "130102"
BENYI_CLASSES = [("豆豆一班", 20), ("豆豆二班", 20)]

ST = Institution.SettingType
LF = Institution.LegalForm
CT = InstitutionClass.ClassType

SETTING_WEIGHTS = {ST.STANDALONE: 44, ST.KINDERGARTEN: 26, ST.COMMUNITY: 12, ST.EMPLOYER: 7,
                   ST.PUBLIC_PRIVATE: 7, ST.FAMILY: 4}
# Relative size of a setting type (a kindergarten runs a class or two, a public-built centre many).
SETTING_SIZE = {ST.STANDALONE: 1.15, ST.KINDERGARTEN: 0.55, ST.COMMUNITY: 0.9, ST.EMPLOYER: 0.85,
                ST.PUBLIC_PRIVATE: 1.4}
LEGAL_FORMS = {
    ST.STANDALONE: ([LF.FOR_PROFIT, LF.NON_PROFIT], [7, 3]),
    ST.KINDERGARTEN: ([LF.PUBLIC, LF.FOR_PROFIT, LF.NON_PROFIT], [4, 4, 2]),
    ST.COMMUNITY: ([LF.NON_PROFIT, LF.FOR_PROFIT, LF.PUBLIC], [6, 3, 1]),
    ST.EMPLOYER: ([LF.FOR_PROFIT, LF.PUBLIC], [6, 4]),
    ST.PUBLIC_PRIVATE: ([LF.NON_PROFIT, LF.FOR_PROFIT], [5, 5]),
    ST.FAMILY: ([LF.FOR_PROFIT], [1]),
}
# Registration authority prefix of the credit code: 12 establishment office, 52 civil affairs, 91 market.
CREDIT_PREFIX = {LF.PUBLIC: "12", LF.NON_PROFIT: "52", LF.FOR_PROFIT: "91"}
SUFFIXES = {
    ST.STANDALONE: ["托育中心", "托育园", "婴幼儿照护中心", "托育服务有限公司"],
    ST.KINDERGARTEN: ["幼儿园"],
    ST.COMMUNITY: ["社区托育服务中心", "社区托育驿站"],
    ST.EMPLOYER: ["职工托育中心"],
    ST.PUBLIC_PRIVATE: ["公建民营托育中心"],
    ST.FAMILY: ["家庭托育点"],
}
WORDS = ["阳光", "小太阳", "童趣", "爱贝", "启蒙", "星星", "彩虹", "贝佳", "小橡树", "快乐宝贝", "金色童年", "育苗",
         "乐乐", "小天使", "好孩子", "萌芽", "春苗", "蒲公英", "向日葵", "七色花", "小蜜蜂", "童心", "悦享", "禾苗",
         "嘉禾", "安琪", "博雅", "优贝", "德馨", "小脚丫", "亲亲", "暖阳", "小海豚", "贝乐", "童梦", "晨曦", "喜洋洋",
         "花蕾", "小树苗", "蓝天"]
STREETS = ["中山路", "建设大街", "和平路", "胜利街", "育才街", "友谊大街", "新华路", "人民路", "光明街", "裕华路"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
GIVEN = "丽娜敏静秀英华慧巧美娟兰霞芳燕红玉萍建国伟强军磊洋勇艳杰涛明超平刚桂英晶欣怡"
CLASS_NAMES = {CT.INFANT: "乳儿", CT.YOUNGER: "托小", CT.OLDER: "托大", CT.MIXED: "混龄"}
NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"]
CLASS_TYPE_WEIGHTS = {CT.OLDER: 40, CT.YOUNGER: 30, CT.INFANT: 15, CT.MIXED: 15}


def _split(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to the weights that add up to exactly `total` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _classes_for(rng, target: int) -> list[tuple[str, int, int]]:
    """(class_type, places, caregivers) adding up to `target` places, each within its cap and ratio."""
    rules = class_rules()
    types: list[str] = []
    while sum(rules[t].max_children for t in types) < target:
        types.append(rng.choices(list(CLASS_TYPE_WEIGHTS), weights=list(CLASS_TYPE_WEIGHTS.values()))[0])
    caps = [rules[t].max_children for t in types]
    places = [target * c // sum(caps) for c in caps]
    i = 0
    while sum(places) < target:  # hand out the remainder where there is room
        if places[i % len(places)] < caps[i % len(places)]:
            places[i % len(places)] += 1
        i += 1
    result = []
    for class_type, n in zip(types, places, strict=True):
        if n <= 0:
            continue
        needed = -(-n // rules[class_type].children_per_carer)
        result.append((class_type, n, needed + rng.choice([0, 0, 1])))
    return result


def _person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _phone(rng) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _date_between(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _credit_code(legal_form: str, county: str, serial: int) -> str:
    body = f"{CREDIT_PREFIX[legal_form]}{county}D{serial:08d}"
    return body + credit_code_check_character(body)


def _ensure_accounts(ctx, benyi: Institution | None) -> None:
    from accounts.demo import ensure_user

    if benyi is not None:
        ensure_user("benyi", role=User.Role.INSTITUTION_STAFF, ctx=ctx, institution=benyi,
                    description=f"staff of {BENYI_NAME} (Shijiazhuang Benyi Happy Castle Kindergarten)")
    ensure_user("newcentre", role=User.Role.INSTITUTION_STAFF, ctx=ctx,
                description="institution staff not yet linked to an institution: try registering one")


def seed(ctx) -> None:
    if Institution.objects.filter(is_demo=True).exists():
        ctx.say("Demo institutions already exist: skipped.")
        _ensure_accounts(ctx, Institution.objects.filter(is_demo=True, name=BENYI_NAME).first())
        return
    with transaction.atomic():
        benyi = _seed(ctx)
        _ensure_accounts(ctx, benyi)


def _seed(ctx) -> Institution:  # noqa: C901, PLR0912, PLR0915 — one linear recipe, easier to read whole
    rng = ctx.rng
    today = timezone.localdate()
    cities = list(Region.objects.filter(level=Region.Level.CITY, code__startswith=DEMO_PROVINCE).order_by("code"))
    population = {p.region_id: p.resident_population for p in RegionPopulation.objects.filter(
        year=2020, region__code__startswith=DEMO_PROVINCE)}
    counties_of: dict[str, list[Region]] = defaultdict(list)
    for county in Region.objects.filter(level=Region.Level.COUNTY, code__startswith=DEMO_PROVINCE).order_by("code"):
        counties_of[county.parent_id].append(county)
    townships_of: dict[str, list[Region]] = defaultdict(list)
    for township in Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=DEMO_PROVINCE).order_by(
            "code"):
        townships_of[township.parent_id].append(township)
    region_name = {r.code: r.name for r in [*cities, *(c for cs in counties_of.values() for c in cs)]}
    cities = [c for c in cities if counties_of.get(c.code)]

    # --- Who and where ---------------------------------------------------------------------------
    def placed(per_city: list[int]) -> list[dict]:
        """Where per_city[i] new institutions of cities[i] stand and what they are: counties weighted by
        population, seven in ten in a township where the county has them, settings by SETTING_WEIGHTS."""
        chosen = []
        for city, n in zip(cities, per_city, strict=True):
            counties = counties_of[city.code]
            weights = [population.get(c.code, 1) for c in counties]
            for county in rng.choices(counties, weights=weights, k=n):
                setting = rng.choices(list(SETTING_WEIGHTS), weights=list(SETTING_WEIGHTS.values()))[0]
                region = county
                if townships_of.get(county.code) and rng.random() < 0.7:
                    region = rng.choice(townships_of[county.code])
                chosen.append({"city": city.code, "county": county.code, "region": region, "setting": setting})
        return chosen

    plans = placed(_split(FILED_INSTITUTIONS - 1, [population.get(c.code, 1) for c in cities]))  # -1: Benyi
    benyi_county = next(c for c in counties_of["1301"] if c.code == BENYI_COUNTY)
    plans.append({"city": "1301", "county": BENYI_COUNTY, "region": benyi_county, "setting": ST.KINDERGARTEN,
                  "benyi": True})

    # --- Synthetic growth after the published figures, spread over cities like the rest ---------------
    growth_from = REAL_FIGURES_ON + datetime.timedelta(days=1)
    growth_to = today - datetime.timedelta(days=3)
    growth = []
    if growth_to > growth_from:
        n_growth = round(SYNTHETIC_PER_YEAR * (growth_to - growth_from).days / 365.25)
        growth = [{**p, "synthetic": True}
                  for p in placed(_split(n_growth, [population.get(c.code, 1) for c in cities]))]
        township = next((t for t in townships_of.get(BENYI_COUNTY, []) if t.code == SYNTHETIC_TOWNSHIP), None)
        if township is not None:
            for p in [p for p in growth if p["county"] == BENYI_COUNTY][:SYNTHETIC_IN_TOWNSHIP]:
                p["region"] = township

    # --- Places: family points 5 each, Benyi 40, the rest in proportion to a size weight -----------
    family = [p for p in plans if p["setting"] == ST.FAMILY]
    for p in family:
        p["classes"] = [(CT.MIXED, 5, 2)]
    for p in plans:
        if p.get("benyi"):
            p["classes"] = [(CT.OLDER, 20, 3), (CT.OLDER, 20, 3)]
    others = [p for p in plans if "classes" not in p]
    fixed = sum(n for p in plans if "classes" in p for _, n, _ in p["classes"])
    targets = _split(TOTAL_PLACES - fixed, [SETTING_SIZE[p["setting"]] * rng.uniform(0.5, 1.5) for p in others])
    for p, target in zip(others, targets, strict=True):
        p["classes"] = _classes_for(rng, target)
    # Synthetic institutions are sized like those of 2022 (the mean places of a setting-size unit).
    unit = (TOTAL_PLACES - fixed) / sum(SETTING_SIZE[p["setting"]] for p in others)
    for p in growth:
        if p["setting"] == ST.FAMILY:
            p["classes"] = [(CT.MIXED, 5, 2)]
        else:
            p["classes"] = _classes_for(rng, max(10, round(unit * SETTING_SIZE[p["setting"]]
                                                           * rng.uniform(0.5, 1.5))))
    plans += growth

    # --- Particulars -------------------------------------------------------------------------------
    used_names: set[str] = set()
    for serial, p in enumerate(plans, start=1):
        setting = p["setting"]
        forms, weights = LEGAL_FORMS[setting]
        p["legal_form"] = LF.NON_PROFIT if p.get("benyi") else rng.choices(forms, weights=weights)[0]
        if p.get("benyi"):
            name = BENYI_NAME
        else:
            county_name = region_name[p["county"]]
            for attempt in range(40):
                if setting == ST.FAMILY:
                    name = f"{county_name}{_person(rng)}家庭托育点"
                else:
                    name = f"{region_name[p['city']]}{county_name}{rng.choice(WORDS)}{rng.choice(SUFFIXES[setting])}"
                if attempt >= 30:
                    name = f"{name}（{NUMERALS[attempt - 29]}部）"
                if name not in used_names:
                    break
        used_names.add(name)
        p["name"] = name
        p["credit_code"] = _credit_code(p["legal_form"], p["county"], serial)
        if p.get("benyi"):
            p["filed_on"] = datetime.date(2021, 3, 15)
        elif p.get("synthetic"):
            p["filed_on"] = _date_between(rng, growth_from, growth_to)
        else:
            p["filed_on"] = _date_between(rng, FIRST_FILED_ON, LAST_FILED_ON)

    # Filing numbers: COUNTY-YEAR-NNNN in filing order, unique per county and year.
    by_county_year: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for p in plans:
        by_county_year[(p["county"], p["filed_on"].year)].append(p)
    for (county, year), group in by_county_year.items():
        for n, p in enumerate(sorted(group, key=lambda p: (p["filed_on"], p["credit_code"])), start=1):
            p["filing_number"] = f"{county}-{year}-{n:04d}"

    # About half the places inclusive: institutions in random order until half the places are reached.
    order = plans[:]
    rng.shuffle(order)
    inclusive_places = 0
    for p in order:
        places = sum(n for _, n, _ in p["classes"])
        if p.get("synthetic"):  # the inclusive share keeps rising a little after 2022
            p["inclusive"] = p["setting"] != ST.FAMILY and rng.random() < 0.58
            continue
        p["inclusive"] = inclusive_places < TOTAL_PLACES // 2 and p["setting"] != ST.FAMILY
        if p["inclusive"]:
            inclusive_places += places

    institutions = []
    for p in plans:
        setting = p["setting"]
        flags = {"full_day": rng.random() < 0.9, "half_day": rng.random() < 0.35, "hourly": rng.random() < 0.25,
                 "temporary": rng.random() < 0.15}
        if p.get("benyi") or not any(flags.values()):
            flags["full_day"] = True
        township = p["region"].name if len(p["region"].code) == 9 else ""
        institutions.append(Institution(
            name=p["name"], credit_code=p["credit_code"], legal_form=p["legal_form"], setting_type=setting,
            region=p["region"], **flags,
            address=f"{region_name[p['city']]}{region_name[p['county']]}{township}{rng.choice(STREETS)}"
                    f"{rng.randrange(1, 400)}号",
            legal_representative=_person(rng), legal_representative_phone=_phone(rng),
            person_in_charge=_person(rng), person_in_charge_phone=_phone(rng),
            meals_served=rng.random() < (0.5 if setting == ST.FAMILY else 0.88),
            medical_integration=rng.random() < (0.35 if p["city"] == XINGTAI else 0.08),
            is_inclusive=p["inclusive"],
            inclusive_price=Decimal(rng.randrange(800, 2200, 50)) if p["inclusive"] else None,
            status=Institution.Status.FILED, filed_on=p["filed_on"], filing_number=p["filing_number"],
            is_demo=True, is_synthetic=bool(p.get("synthetic")),
        ))
    Institution.objects.bulk_create(institutions, batch_size=500)
    pk_of = dict(Institution.objects.filter(is_demo=True).values_list("credit_code", "pk"))
    audit_record(actor=None, action="demo.institutions_seed", target_type="institutions.institution",
                 target_id="demo", region_code=DEMO_PROVINCE,
                 after={"filed": len(institutions), "synthetic": len(growth),
                        "places": sum(n for p in plans for _, n, _ in p["classes"])})

    # --- Classes -----------------------------------------------------------------------------------
    classes = []
    for p in plans:
        counters: dict[str, int] = defaultdict(int)
        opened_on = p["filed_on"] - datetime.timedelta(days=rng.randrange(20, 120))
        for i, (class_type, places, caregivers) in enumerate(p["classes"]):
            if p.get("benyi"):
                name = BENYI_CLASSES[i][0]
            else:
                counters[class_type] += 1
                name = f"{CLASS_NAMES[class_type]}{NUMERALS[(counters[class_type] - 1) % len(NUMERALS)]}班"
                if counters[class_type] > len(NUMERALS):
                    name = f"{CLASS_NAMES[class_type]}{counters[class_type]}班"
            classes.append(InstitutionClass(institution_id=pk_of[p["credit_code"]], name=name, class_type=class_type,
                                            places=places, caregivers=caregivers, opened_on=opened_on))
    InstitutionClass.objects.bulk_create(classes, batch_size=1000)
    audit_record(actor=None, action="demo.classes_seed", target_type="institutions.institutionclass",
                 target_id="demo", region_code=DEMO_PROVINCE,
                 after={"classes": len(classes), "places": sum(c.places for c in classes)})

    # --- Staff, with a few expired and soon-expiring certificates -------------------------------------
    members = []
    for p in plans:
        institution_id = pk_of[p["credit_code"]]
        n_caregivers = 4 if p.get("benyi") else min(3, len(p["classes"]))
        roles = [StaffMember.Role.DIRECTOR, *[StaffMember.Role.CAREGIVER] * n_caregivers]
        if sum(n for _, n, _ in p["classes"]) >= 100 or p.get("benyi"):
            roles.append(StaffMember.Role.HEALTH)
        for role in roles:
            roll = rng.random()
            if roll < 0.03:
                health_expiry = today - datetime.timedelta(days=rng.randrange(1, 200))
            elif roll < 0.06:
                health_expiry = today + datetime.timedelta(days=rng.randrange(1, 30))
            else:
                health_expiry = today + datetime.timedelta(days=rng.randrange(31, 365))
            qualified = role in (StaffMember.Role.CAREGIVER, StaffMember.Role.HEALTH)
            members.append(StaffMember(
                institution_id=institution_id, name=_person(rng), role=role, phone=_phone(rng),
                qualification={StaffMember.Role.CAREGIVER: "保育师证", StaffMember.Role.HEALTH: "保健员证"}.get(
                    role, ""),
                qualification_expires_on=(today + datetime.timedelta(days=rng.randrange(-60, 1500))
                                          if qualified else None),
                health_certificate_expires_on=health_expiry,
                started_on=p["filed_on"] - datetime.timedelta(days=rng.randrange(30, 200)),
            ))
    StaffMember.objects.bulk_create(members, batch_size=1000)
    audit_record(actor=None, action="demo.staff_seed", target_type="institutions.staffmember",
                 target_id="demo", region_code=DEMO_PROVINCE, after={"staff_members": len(members)})

    # --- Xingtai's mentoring pairs: six experienced institutions, each with a weaker one ---------------
    xingtai = sorted((p for p in plans if p["city"] == XINGTAI and p["setting"] != ST.FAMILY
                      and not p.get("synthetic")),
                     key=lambda p: (p["filed_on"], -sum(n for _, n, _ in p["classes"])))
    mentors, mentees = xingtai[:MENTORING_PAIRS], xingtai[-MENTORING_PAIRS:]
    pairs = [MentoringPair(mentor_id=pk_of[m["credit_code"]], mentee_id=pk_of[e["credit_code"]],
                           started_on=max(m["filed_on"], e["filed_on"]) + datetime.timedelta(days=30),
                           notes="医育结合帮扶结对（演示数据）")
             for m, e in zip(mentors, mentees, strict=True)]
    MentoringPair.objects.bulk_create(pairs)
    Institution.objects.filter(pk__in=[pk_of[m["credit_code"]] for m in mentors]).update(medical_integration=True)
    audit_record(actor=None, action="demo.mentoring_seed", target_type="institutions.mentoringpair",
                 target_id="demo", region_code=XINGTAI, after={"pairs": len(pairs)})

    # --- One guidance centre per city, in the maternal and child health hospital -------------------------
    centres = [GuidanceCentre(city=city, name=f"{city.name}托育指导中心", host=f"{city.name}妇幼保健院",
                              address=f"{city.name}{rng.choice(STREETS)}{rng.randrange(1, 300)}号",
                              phone=f"03{rng.randrange(10, 20)}-{rng.randrange(10**7):08d}")
               for city in cities if not GuidanceCentre.objects.filter(city=city).exists()]
    GuidanceCentre.objects.bulk_create(centres)
    audit_record(actor=None, action="demo.guidance_centres_seed", target_type="institutions.guidancecentre",
                 target_id="demo", region_code=DEMO_PROVINCE, after={"centres": len(centres)})

    # --- A few drafts in Chang'an district for the filings demo ------------------------------------------
    township_codes = list(townships_of.get(BENYI_COUNTY, [])) or [benyi_county]
    drafts = []
    for i in range(DRAFTS):
        serial = len(plans) + 1 + i
        legal_form = [LF.FOR_PROFIT, LF.NON_PROFIT][i % 2]
        drafts.append(Institution(
            name=f"长安区{WORDS[i * 7 % len(WORDS)]}托育中心（筹）", credit_code=_credit_code(legal_form, BENYI_COUNTY,
                                                                                           serial),
            legal_form=legal_form, setting_type=[ST.STANDALONE, ST.COMMUNITY][i % 2],
            region=township_codes[i % len(township_codes)], full_day=True, half_day=i % 2 == 0,
            address=f"石家庄市长安区{STREETS[i]}{10 + i}号", legal_representative=_person(rng),
            legal_representative_phone=_phone(rng), person_in_charge=_person(rng),
            person_in_charge_phone=_phone(rng), meals_served=True, is_inclusive=i % 2 == 1,
            inclusive_price=Decimal(1200) if i % 2 == 1 else None, status=Institution.Status.DRAFT, is_demo=True,
        ))
    Institution.objects.bulk_create(drafts)
    draft_ids = list(Institution.objects.filter(is_demo=True, status=Institution.Status.DRAFT).values_list(
        "pk", flat=True))
    InstitutionClass.objects.bulk_create([
        InstitutionClass(institution_id=pk, name=name, class_type=class_type, places=places, caregivers=carers,
                         opened_on=today)
        for pk in draft_ids
        for name, class_type, places, carers in [("托大一班", CT.OLDER, 20, 3), ("托小一班", CT.YOUNGER, 15, 3)]])
    audit_record(actor=None, action="demo.drafts_seed", target_type="institutions.institution", target_id="demo",
                 region_code=BENYI_COUNTY, after={"drafts": len(drafts)})

    real = [p for p in plans if not p.get("synthetic")]
    ctx.say(f"Institutions: {len(real):,} filed by {REAL_FIGURES_ON} with "
            f"{sum(n for p in real for _, n, _ in p['classes']):,} places; synthetic growth since then: "
            f"{len(growth):,} more with {sum(n for p in growth for _, n, _ in p['classes']):,} places. "
            f"{len(institutions):,} filed with {sum(c.places for c in classes):,} places, "
            f"{len(members):,} staff members, {len(pairs)} mentoring pairs in Xingtai, {len(centres)} guidance "
            f"centres, {len(drafts)} drafts in {BENYI_COUNTY}.")
    return Institution.objects.get(credit_code=next(p["credit_code"] for p in plans if p.get("benyi")))
