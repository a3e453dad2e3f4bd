"""Demo step: Hebei's demonstration-city creation drive (synthetic). 2025's results are history (five cities
scored); the 2026 drive has cities at every stage: 衡水 and 唐山 scored, 邢台 submitted and half scored, 保定
returned for more evidence, 石家庄 still assembling evidence with gaps. Runs after the accounts step; idempotent
(a second run changes nothing). State changes go through the services (audit rows included); the evidence rows
share one stored placeholder document.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import audit_record
from portal.demo import DEMO_PROVINCE
from regions.models import Region

from . import services
from .models import Creation, CreationEvidence, CriterionEntry

PDF = b"%PDF-1.4\n% demonstration-city creation evidence (demo placeholder)\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DIGEST = hashlib.sha256(PDF).hexdigest()
STORED = "demonstration/demo/evidence-placeholder.pdf"
# city: (share of criteria with evidence, score share of each criterion's points, stage)
DRIVES = {
    2025: {"1301": (1.0, 0.88, "scored"), "1311": (1.0, 0.85, "scored"), "1302": (1.0, 0.78, "scored"),
           "1306": (0.9, 0.72, "scored"), "1305": (0.9, 0.66, "scored")},
    2026: {"1311": (1.0, 0.92, "scored"), "1302": (1.0, 0.81, "scored"), "1305": (0.95, 0.75, "submitted"),
           "1306": (0.7, 0.7, "returned"), "1301": (0.55, None, "in_progress")},
}
RETURN_COMMENT = "服务供给类佐证不完整：请补充社区嵌入式托育点名单和用人单位办托材料。"


def seed(ctx) -> None:
    province = User.objects.filter(username="hebei").first()
    if province is None or not Region.objects.filter(code=DEMO_PROVINCE).exists():
        ctx.say("Demonstration cities: no Hebei region or official account; skipped.")
        return
    if Creation.objects.filter(year__in=list(DRIVES), city__code__startswith=DEMO_PROVINCE).exists():
        ctx.say("Demo demonstration-city creations already exist: skipped.")
        return
    services.standards_ensure_shipped()
    if not default_storage.exists(STORED):
        default_storage.save(STORED, ContentFile(PDF))
    with transaction.atomic():
        counts = {"creations": 0, "evidence": 0}
        for year, cities in DRIVES.items():
            for city, plan in cities.items():
                if Region.objects.filter(code=city).exists():
                    _drive(ctx, year, city, plan, province, counts)
        audit_record(actor=province, action="demo.demonstration_seed", target_type="demonstration.creation",
                     target_id="demo", region_code=DEMO_PROVINCE, after=counts)
    ctx.say(f"Demonstration cities: {counts['creations']} creations, {counts['evidence']} evidence documents.")


def _city_official(city: str) -> User:
    """The city's demo account (石家庄, 邢台), or a quiet one that cannot sign in for the other cities."""
    user = User.objects.filter(role=User.Role.OFFICIAL, region_id=city, is_active=True).order_by("pk").first()
    if user is None:
        user = User(username=f"demo-city-{city}", role=User.Role.OFFICIAL, region_id=city)
        user.set_unusable_password()
        user.save()
    return user


def _drive(ctx, year: int, city: str, plan, province: User, counts: dict) -> None:
    evidence_share, score_share, stage = plan
    official = _city_official(city)
    creation = services.creation_open(city=city, year=year, actor=official)
    entries = list(CriterionEntry.objects.filter(creation=creation).select_related("criterion")
                   .order_by("criterion__order"))
    with_evidence = [e for n, e in enumerate(entries) if n < round(len(entries) * evidence_share)]
    rows = [CreationEvidence(creation=creation, criterion=e.criterion, file=STORED,
                             original_name=f"{e.criterion.code}-佐证材料.pdf", content_type="application/pdf",
                             size=len(PDF), sha256=DIGEST, uploaded_by=official) for e in with_evidence]
    CreationEvidence.objects.bulk_create(rows)
    CriterionEntry.objects.filter(pk__in=[e.pk for e in with_evidence]).update(note="材料已上传，详见附件。")
    counts["creations"] += 1
    counts["evidence"] += len(rows)
    if stage == "in_progress":
        return
    services.creation_submit(creation=creation, note=f"{year}年创建材料，请审核。", actor=official)
    evidenced = {e.criterion_id for e in with_evidence}
    scored_entries = entries if stage != "submitted" else entries[: len(entries) // 2]
    for entry in scored_entries:
        max_points = entry.criterion.max_points
        # Criteria without evidence score nothing; the others vary around the city's share.
        share = Decimal(0)
        if entry.criterion_id in evidenced:
            share = Decimal(str(score_share)) + Decimal(ctx.rng.randrange(-10, 11)) / 100
        points = (max_points * min(max(share, Decimal(0)), Decimal(1))).quantize(Decimal("0.1"))
        comment = "" if share >= Decimal("0.8") else "佐证材料不足，请补充。"
        services.entry_score(creation=creation, criterion=entry.criterion, points=points, comment=comment,
                             actor=province)
    if stage == "scored":
        services.creation_finish(creation=creation, actor=province)
    elif stage == "returned":
        services.creation_return(creation=creation, comment=RETURN_COMMENT, actor=province)
    if year < timezone.localdate().year:  # last year's drive was decided last year
        when = timezone.make_aware(datetime.datetime(year, 11, 20, 10))
        Creation.objects.filter(pk=creation.pk).update(submitted_at=when - datetime.timedelta(days=20),
                                                       scored_at=when)
