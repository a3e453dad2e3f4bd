"""Demo step: a few complaints about institutions of 长安区 and 桥西区 (one answered, one overdue, one with a
targeted inspection waiting to be opened), and one caregiver registered at two institutions in two counties
(the staff registry's double registration). Idempotent: skipped once demo complaints exist."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from enrolments import identity
from institutions.models import Institution, StaffMember

from . import services
from .models import Complaint

COMPLAINTS = [  # (county, category, description, days ago, answer or "", contact)
    ("130102", "safety", "二楼楼梯口没有护栏，接孩子时看到幼儿在楼梯边玩耍。", 3, "", {"phone": "13912340001"}),
    ("130102", "fees", "每月另收“兴趣课”费用，备案时说的普惠价不含这些。", 40,
     "经核查，机构另行收取的兴趣课费用未经备案，已责令退还并规范收费公示。", {"name": "陈女士"}),
    ("130102", "health", "午餐的餐具没有消毒柜，老师用清水冲一下就用。", 30, "", {}),
    ("130104", "staff", "保育员午睡时离开教室，孩子哭了很久没人管。", 8, "", {"email": "parent@example.cn"}),
]
DOUBLE_NUMBER = "130102199203150024"  # an invented but well-formed resident identity number


def seed(ctx) -> None:
    if Complaint.objects.exists():
        ctx.say("Demo complaints already exist: skipped.")
        return
    with transaction.atomic():
        _seed(ctx)


def _seed(ctx) -> None:
    today = timezone.localdate()
    for county, category, text, days_ago, answer, contact in COMPLAINTS:
        institution = (Institution.objects.publicly_listed().filter(region__code__startswith=county, is_demo=True)
                       .order_by("pk").first())
        if institution is None:
            continue
        filed = services.complaint_submit(institution=institution, category=category, description=text, **contact)
        received = today - datetime.timedelta(days=days_ago)
        Complaint.objects.filter(pk=filed.complaint.pk).update(
            received_on=received, due_on=services.answer_due_on(received),
            received_at=timezone.now() - datetime.timedelta(days=days_ago))
        if answer:
            official = User.objects.filter(role=User.Role.OFFICIAL, region_id=county).first()
            if official is not None:
                services.complaint_answer(complaint=Complaint.objects.get(pk=filed.complaint.pk), actor=official,
                                          answer=answer)
    ctx.say(f"Demo complaints: {Complaint.objects.count()}.")
    _double_registration(ctx, today)


def _double_registration(ctx, today) -> None:
    """The same caregiver as active staff at an institution of 长安区 (Shijiazhuang) and one of 襄都区 (Xingtai)."""
    members = []
    for county in ("130102", "130502"):
        member = (StaffMember.objects.active_on(today)
                  .filter(institution__region__code__startswith=county, institution__status="filed",
                          institution__is_demo=True, role=StaffMember.Role.CAREGIVER)
                  .order_by("pk").first())
        if member is not None:
            members.append(member)
    if len(members) < 2:
        return
    for member in members:
        member.name = members[0].name
        member.identity_hash = identity.identity_hash(identity.RESIDENT_ID, DOUBLE_NUMBER)
        member.identity_masked = identity.mask(DOUBLE_NUMBER)
        member.save(update_fields=["name", "identity_hash", "identity_masked", "updated_at"])
    audit_record(actor=None, action="demo.staff_registry_seed", target_type="institutions.staffmember",
                 target_id="demo", region_code="13", after={"double_registrations": 1})
    ctx.say("Demo staff registry: one caregiver registered in 长安区 and 襄都区.")
