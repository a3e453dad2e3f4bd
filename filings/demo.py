"""Demo step: the filings behind the demo registry, filings in every status, and appointment slots.

- every demo institution that institutions/demo.py created as filed gets its approved initial filing,
  with the same receipt number; the county receipt counters are set to match;
- the demo drafts in 长安区 (130102) carry filings in every status: draft, submitted, overdue,
  returned with comments, rejected, withdrawn; two filed institutions there carry a change filing and
  a cancellation under review;
- a change filing waiting in 桥西区 (130104), so that county's official has one to decide too;
- slots at Shijiazhuang's guidance centre over the coming weeks, with a few bookings.

Idempotent: a second run finds the demo filings and slots and changes nothing. Runs in seconds
(bulk inserts, no per-row queries).
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from institutions.demo import NUMERALS
from institutions.models import GuidanceCentre, Institution

from .models import (
    AppointmentSlot,
    Booking,
    Document,
    Filing,
    FilingReturnComment,
    Holiday,
    Notification,
    ReceiptCounter,
)
from .workdays import add_working_days_skipping

DEMO_COUNTY = "130102"
OTHER_COUNTY = "130104"
DEMO_CITY = "1301"
STAFF_USERNAME = "changan-staff"

# Statutory holidays on fixed dates (全国年节及纪念日放假办法, 2025 revision). The movable ones
# (Spring Festival, Qingming, Dragon Boat, Mid-Autumn) and the swapped working weekends change every
# year: an administrator adds them as Holiday rows from the State Council's notice.
FIXED_HOLIDAYS = [((1, 1), "元旦"), ((5, 1), "劳动节"), ((5, 2), "劳动节"), ((10, 1), "国庆节"), ((10, 2), "国庆节"),
                  ((10, 3), "国庆节")]

# A one-page PDF saying it is demo material (real scans are never shipped).
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 420 200]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 60>>stream\nBT /F1 18 Tf 40 100 Td (Tuoyu demo document - not real) Tj ET\nendstream\n"
    b"endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed(ctx) -> None:
    if not Institution.objects.filter(is_demo=True).exists():
        ctx.say("Filings: no demo institutions yet (institutions demo not run): skipped.")
        return
    with transaction.atomic():
        _seed_holidays()
        if Filing.objects.filter(is_demo=True).exists():
            ctx.say("Demo filings already exist: skipped.")
        else:
            _seed_filings(ctx)
        if not AppointmentSlot.objects.filter(is_demo=True).exists():
            _seed_slots(ctx)
    staff = User.objects.filter(username=STAFF_USERNAME).first()
    if staff is not None:
        ctx.accounts.append((STAFF_USERNAME, "staff of a draft institution in 长安区 whose filing was returned"))


def _seed_holidays() -> None:
    year = timezone.localdate().year
    Holiday.objects.bulk_create([Holiday(date=datetime.date(y, m, d), name=name)
                                 for y in (year - 1, year, year + 1) for (m, d), name in FIXED_HOLIDAYS],
                                ignore_conflicts=True)


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _seed_filings(ctx) -> None:
    rng = ctx.rng
    holidays = set(Holiday.objects.filter(kind=Holiday.Kind.DAY_OFF).values_list("date", flat=True))
    officials = dict(User.objects.filter(role=User.Role.OFFICIAL, region__level="county")
                     .values_list("region_id", "pk"))

    # 1. The approved initial filing behind every filed demo institution, with its receipt number.
    filed = list(Institution.objects.filter(is_demo=True, status=Institution.Status.FILED)
                 .exclude(filing_number="").values_list("pk", "filed_on", "filing_number", "region_id"))
    rows = []
    counters: dict[tuple[str, int], int] = defaultdict(int)
    for pk, filed_on, number, region_id in filed:
        # Most counties decide within the 5 working days; some take a few days longer.
        working_days = rng.choice([1, 2, 3, 3, 4, 4, 5, 5, 5, 6, 8])
        submitted_on = filed_on - datetime.timedelta(days=working_days + 2 * (working_days // 5) + 1)
        due_on = add_working_days_skipping(submitted_on, 5, holidays)
        rows.append(Filing(
            institution_id=pk, kind=Filing.Kind.INITIAL, status=Filing.Status.FILED,
            first_submitted_at=_aware(submitted_on, 9), submitted_at=_aware(submitted_on, 9), due_on=due_on,
            decided_at=_aware(filed_on, 15), decided_by_id=officials.get(region_id[:6]), receipt_number=number,
            is_demo=True))
        county, year, n = number.split("-")
        counters[(county, int(year))] = max(counters[(county, int(year))], int(n))
    Filing.objects.bulk_create(rows, batch_size=1000)
    _sync_counters(counters)

    # 2. Filings in every status on the demo drafts of 长安区, and a change and a cancellation.
    drafts = list(Institution.objects.filter(is_demo=True, status=Institution.Status.DRAFT,
                                             region__code__startswith=DEMO_COUNTY).order_by("pk"))
    extra = _seed_workflow(rng, drafts, holidays, officials.get(DEMO_COUNTY)) if len(drafts) >= 4 else 0
    audit_record(actor=None, action="demo.filings_seed", target_type="filings.filing", target_id="demo",
                 region_code="13", after={"filed": len(rows), "workflow": extra})
    ctx.say(f"Filings: {len(rows):,} approved initial filings matching the register, {extra} in the workflow.")


def _sync_counters(counters: dict[tuple[str, int], int]) -> None:
    """Receipt counters continue after the highest demo number of each county and year."""
    existing = {(c.county_id, c.year): c for c in ReceiptCounter.objects.all()}
    ReceiptCounter.objects.bulk_create([ReceiptCounter(county_id=county, year=year, last_number=n)
                                        for (county, year), n in counters.items()
                                        if (county, year) not in existing])
    changed = []
    for key, n in counters.items():
        counter = existing.get(key)
        if counter is not None and counter.last_number < n:
            counter.last_number = n
            changed.append(counter)
    ReceiptCounter.objects.bulk_update(changed, ["last_number"])


def _documents_for(filing: Filing, kinds: list[str], uploader_id: int, today: datetime.date) -> list[Document]:
    docs = []
    for kind in kinds:
        name = default_storage.save(f"filings/demo/{uuid.uuid4().hex}.pdf", ContentFile(DEMO_PDF))
        docs.append(Document(
            filing=filing, kind=kind, file=name, original_name=f"{Document.Kind(kind).label}.pdf",
            content_type="application/pdf", size=len(DEMO_PDF), sha256="0" * 64,
            premises_owned=False, lease_ends_on=today.replace(year=today.year + 5) if kind == "premises" else None,
            rated_pass=True if kind == "health_evaluation" else None, uploaded_by_id=uploader_id))
    return docs


INITIAL_KINDS = ["business_licence", "premises", "staff_certificates", "health_evaluation", "fire_safety",
                 "food_licence", "commitment"]


def _seed_workflow(rng, drafts: list[Institution], holidays: set, official_id: int | None) -> int:
    today = timezone.localdate()
    returned_inst = drafts[3]
    staff, created = User.objects.get_or_create(
        username=STAFF_USERNAME,
        defaults={"role": User.Role.INSTITUTION_STAFF, "institution": returned_inst, "first_name": "长安演示"})
    if created:
        from accounts.demo import demo_password_hash

        staff.password = demo_password_hash()
        staff.save(update_fields=["password"])
    uploader = staff.pk

    def submitted(days_ago: int) -> dict:
        day = today - datetime.timedelta(days=days_ago)
        return {"first_submitted_at": _aware(day, 10), "submitted_at": _aware(day, 10),
                "due_on": add_working_days_skipping(day, 5, holidays)}

    old = submitted(40)
    filings = [
        # D0: withdrawn last month, a new draft now.
        Filing(institution=drafts[0], kind="initial", status="withdrawn", withdrawn_at=_aware(old["due_on"], 11),
               **old),
        Filing(institution=drafts[0], kind="initial", status="draft", note="补充材料中"),
        # D1: rejected earlier (public reason), submitted again yesterday.
        Filing(institution=drafts[1], kind="initial", status="rejected", decided_at=_aware(old["due_on"], 16),
               decided_by_id=official_id, rejection_reason="场地为临时建筑，不符合托育机构设置标准（演示数据）", **old),
        Filing(institution=drafts[1], kind="initial", status="submitted", **submitted(1)),
        # D2: submitted twelve days ago and still undecided: overdue.
        Filing(institution=drafts[2], kind="initial", status="submitted", **submitted(12)),
        # D3: returned with comments per section.
        Filing(institution=drafts[3], kind="initial", status="returned", **submitted(6)),
    ]
    filed_here = list(Institution.objects.filter(is_demo=True, status=Institution.Status.FILED,
                                                 region__code__startswith=DEMO_COUNTY)
                      .exclude(filings__status__in=Filing.OPEN).order_by("pk")[:3])
    if len(filed_here) >= 3:
        first_class = filed_here[1].classes.filter(closed_on__isnull=True).order_by("pk").first()
        # A name no open class of the institution has yet: "托小二班" was often taken, and the filing could
        # never be approved (the class-name constraint refused the new class).
        taken = set(filed_here[1].classes.filter(closed_on__isnull=True).values_list("name", flat=True))
        new_name = next(f"托小{n}班" for n in NUMERALS if f"托小{n}班" not in taken)
        classes = [{"action": "add", "name": new_name, "class_type": "younger", "places": 10, "caregivers": 2}]
        if first_class is not None:
            classes.append({"action": "update", "class_id": first_class.pk, "caregivers": first_class.caregivers + 1})
        filings += [
            Filing(institution=filed_here[1], kind="change", status="submitted",
                   changes={"particulars": {"address": f"{filed_here[1].address}（迁至二楼）"}, "classes": classes},
                   **submitted(2)),
            Filing(institution=filed_here[2], kind="cancellation", status="submitted", resettlement_confirmed=True,
                   note="举办者停止办托，已与家长协商转园（演示数据）", **submitted(3)),
        ]
    # 桥西区 (the other county official's area) has a change filing waiting too.
    other = (Institution.objects.filter(is_demo=True, status=Institution.Status.FILED,
                                        region__code__startswith=OTHER_COUNTY)
             .exclude(filings__status__in=Filing.OPEN).order_by("pk").first())
    if other is not None:
        filings.append(Filing(institution=other, kind="change", status="submitted",
                              changes={"particulars": {"person_in_charge_phone": "13900001111"}}, **submitted(1)))
    for f in filings:
        f.is_demo = True
        f.created_by_id = uploader if f.institution_id == returned_inst.pk else None
    created_filings = Filing.objects.bulk_create(filings)
    if not all(f.pk for f in created_filings):
        created_filings = list(Filing.objects.filter(is_demo=True, institution__in=[f.institution for f in filings])
                               .exclude(status="filed").order_by("pk"))
    documents = []
    for f in created_filings:
        if f.status == "draft":
            kinds = INITIAL_KINDS[:3]
        elif f.kind == "initial":
            kinds = INITIAL_KINDS
        elif f.kind == "change":
            kinds = ["premises", "commitment"]
        else:
            kinds = ["commitment"]
        documents += _documents_for(f, kinds, uploader, today)
    Document.objects.bulk_create(documents)
    returned = next(f for f in created_filings if f.status == "returned")
    if official_id is not None:
        FilingReturnComment.objects.bulk_create([
            FilingReturnComment(filing=returned, round=1, section=section, comment=text, author_id=official_id)
            for section, text in [("fire", "消防验收意见书复印件不清晰，请重新上传。"),
                                  ("staff", "2名保育人员健康合格证明已过期，请补充新证明。")]])
        Notification.objects.create(user=staff, filing=returned, institution_id=returned.institution_id,
                                    event=Notification.Event.RETURNED,
                                    message="消防验收意见书复印件不清晰；2名保育人员健康证明过期。")
    return len(created_filings)


def _seed_slots(ctx) -> None:
    centre = GuidanceCentre.objects.filter(city_id=DEMO_CITY).order_by("pk").first()
    if centre is None:
        return
    today = timezone.localdate()
    slots = []
    for offset in range(0, 22):
        day = today + datetime.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        slots.append(AppointmentSlot(centre=centre, date=day, start_time=datetime.time(9),
                                     end_time=datetime.time(10, 30), capacity=4, purpose="verification", is_demo=True))
        slots.append(AppointmentSlot(centre=centre, date=day, start_time=datetime.time(14),
                                     end_time=datetime.time(15, 30), capacity=6, purpose="consultation", is_demo=True))
        if day.weekday() == 3:
            slots.append(AppointmentSlot(centre=centre, date=day, start_time=datetime.time(9),
                                         end_time=datetime.time(16), capacity=30, purpose="training", is_demo=True))
    AppointmentSlot.objects.bulk_create(slots)
    # A few bookings from the demo workflow filings, so officials' day lists are not empty.
    open_filings = list(Filing.objects.filter(is_demo=True, status__in=Filing.OPEN).select_related("institution")
                        .order_by("pk")[:4])
    demo_slots = list(AppointmentSlot.objects.filter(is_demo=True, purpose="verification").order_by("date")[:4])
    staff_ids = dict(User.objects.filter(institution__in=[f.institution_id for f in open_filings])
                     .values_list("institution_id", "pk"))
    fallback = User.objects.filter(username=STAFF_USERNAME).values_list("pk", flat=True).first()
    bookings = []
    for filing, slot in zip(open_filings, demo_slots, strict=False):
        booked_by = staff_ids.get(filing.institution_id) or fallback
        if booked_by is None:
            continue
        bookings.append(Booking(slot=slot, institution_id=filing.institution_id, filing=filing, booked_by_id=booked_by,
                                is_demo=True))
    Booking.objects.bulk_create(bookings)
    counts = defaultdict(int)
    for b in bookings:
        counts[b.slot_id] += 1
    for slot_id, n in counts.items():
        AppointmentSlot.objects.filter(pk=slot_id).update(booked_count=n)
    ctx.say(f"Appointments: {len(slots)} slots at {centre.name}, {len(bookings)} bookings.")

