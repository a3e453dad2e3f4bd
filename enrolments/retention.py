"""Retention of children's personal data (PIPL Art. 19 and 47): erased a set time after the child left.

A child's record is kept while the child attends and for CHILD_DATA_RETENTION_DAYS after its last day
(docs/privacy.md says why that long). Then the personal fields are blanked in place: name, identity
number (hash, encrypted copy and mask), the day of birth (the month is kept), the guardians, the
consenting guardian's name and the free-text leaving notes. The enrolment rows stay — class, care form,
dates, reason — because every figure (places used, utilisation, the periodic reports, the snapshots) is
counted from them, so erasure changes no figure. The consent's method and date stay as proof that the
record was kept lawfully.

Each erased child leaves one audit row (`child.erase`) holding only counts and the leaving date. The
audit log itself is never touched here: it is append-only and kept at least six months (level-3).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Count, Exists, Max, OuterRef, Q, Value
from django.db.models.functions import Concat, TruncMonth
from django.utils import timezone

from audit.services import audit_record

from .models import Child, Enrolment, Guardian, GuardianRequest, ImportJob

BATCH = 500


def retention_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Children whose last day of care was on or before this date are due for erasure."""
    return (today or timezone.localdate()) - datetime.timedelta(days=settings.CHILD_DATA_RETENTION_DAYS)


def children_due(today: datetime.date | None = None):
    """Records not erased yet, with no current enrolment, whose last enrolment ended on or before the cutoff
    (or, never enrolled, recorded before it)."""
    cutoff = retention_cutoff(today)
    still_here = Enrolment.objects.filter(child=OuterRef("pk")).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=cutoff))
    return (Child.objects.filter(erased_at__isnull=True).annotate(last_day=Max("enrolments__end_date"))
            .filter(~Exists(still_here))
            .filter(Q(last_day__isnull=False) | Q(created_at__date__lte=cutoff)))


@transaction.atomic
def children_erase(*, child_ids: list[int], reason: str = "retention", actor=None) -> int:
    """Erases the personal data of these children (see the module docstring); returns how many were erased.

    Safe to repeat and to run twice at once: the UPDATE claims only records not erased yet, and only the
    claimed ones get their audit row.
    """
    now = timezone.now()
    claimed = list(Child.objects.filter(pk__in=child_ids, erased_at__isnull=True)
                   .select_for_update(skip_locked=True).values_list("pk", flat=True))
    if not claimed:
        return 0
    facts = {row["pk"]: row for row in Child.objects.filter(pk__in=claimed).annotate(
        last_day=Max("enrolments__end_date"), n_enrolments=Count("enrolments", distinct=True),
        n_guardians=Count("guardians", distinct=True)).values(
        "pk", "institution_id", "institution__region_id", "last_day", "n_enrolments", "n_guardians")}
    Child.objects.filter(pk__in=claimed).update(
        name="", document_hash=Concat(Value("erased:"), "id", output_field=CharField()), document_encrypted="",
        document_masked="",
        date_of_birth=TruncMonth("date_of_birth"), consent_guardian_name="", consent_guardian_relation="",
        erased_at=now, updated_at=now)
    Guardian.objects.filter(child_id__in=claimed).delete()
    GuardianRequest.objects.filter(child_id__in=claimed).update(requester_name="", details="", answer="")
    Enrolment.objects.filter(child_id__in=claimed).exclude(leaving_note="").update(leaving_note="", updated_at=now)
    for pk in claimed:
        row = facts[pk]
        audit_record(actor=actor, action="child.erase", target_type="enrolments.child", target_id=pk,
                     region_code=row["institution__region_id"], institution_id=row["institution_id"],
                     after={"reason": reason, "enrolments_kept": row["n_enrolments"],
                            "guardians_removed": row["n_guardians"],
                            "left_on": row["last_day"].isoformat() if row["last_day"] else None})
    return len(claimed)


def retention_run(*, today: datetime.date | None = None) -> dict:
    """The nightly pass: erases every child due, in batches of 500 (each its own transaction), and clears
    the row errors of imports finished before the cutoff (they quote children's names). Safe to repeat."""
    erased = 0
    while True:
        batch = list(children_due(today).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not batch:
            break
        done = children_erase(child_ids=batch)
        erased += done
        if not done:
            break  # another run holds these rows; it erases them
    cutoff = retention_cutoff(today)
    cleared = ImportJob.objects.filter(finished_at__date__lte=cutoff).exclude(errors=[]).update(errors=[])
    return {"erased": erased, "import_errors_cleared": cleared, "cutoff": cutoff.isoformat()}
