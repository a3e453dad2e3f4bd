"""What the enrolment services share: who keeps the records, the enrolment's audit snapshot, and the
advisory locks on identity numbers that keep two registrations of one child apart."""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require

from ..models import (
    Enrolment,
)


def ensure_record_keeper(actor, institution_id: int) -> None:
    require(policies.keeps_records_of(actor, institution_id),
            _("Only the institution's own staff may change its enrolment records."))


def _enrolment_snapshot(e: Enrolment) -> dict:
    return {"child": e.child_id, "class": e.klass_id, "care_form": e.care_form,
            "start_date": e.start_date.isoformat(), "end_date": e.end_date.isoformat() if e.end_date else None,
            "leaving_reason": e.leaving_reason}


IDENTITY_LOCK_NAMESPACE = 4104  # first key of the two-key advisory locks taken here
IDENTITY_LOCK_BUCKETS = 256


def lock_identities(hashes: list[str]) -> None:
    """Serialises full-day checks for the same child across institutions (two institutions enrolling the
    same child at once) with transaction-scoped PostgreSQL advisory locks, one statement.

    Hashes share 256 buckets so that a 50,000-row import takes at most 256 locks (one lock per hash
    would exhaust max_locks_per_transaction); locks are taken in sorted order, so never deadlock each
    other. SQLite serialises writers anyway.
    """
    if connection.vendor != "postgresql" or not hashes:
        return
    buckets = sorted({int(h[:8], 16) % IDENTITY_LOCK_BUCKETS for h in hashes})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_advisory_xact_lock(%s, k)) FROM unnest(%s::int[]) AS k",
                       [IDENTITY_LOCK_NAMESPACE, buckets])
