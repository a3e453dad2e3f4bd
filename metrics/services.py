"""What users trigger in the metrics app: asking for a recompute, and following it. (Rankings: metrics.rankings.)"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record
from portal.dispatch import dispatch_on_commit


def require_official_or_admin(user) -> None:
    """Area figures, recomputes and rankings are for officials of a region and administrators (else 403)."""
    require(policies.is_official_or_admin(user), _("Area figures are for officials and administrators."))


@transaction.atomic
def snapshot_request_recompute(*, date: datetime.date, actor) -> str:
    """An official asks for the snapshot of a date to be recomputed; returns the Celery task id.

    Side effects: an audit row and the task call, in one transaction (the outbox; sent by the relay).
    If the same date is being computed already, the task reports that run instead of starting a second one.
    """
    require(policies.is_official_or_admin(actor), _("Only officials may ask for a recompute."))
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date is in the future.")})
    from .tasks import recompute_snapshot

    audit_record(actor=actor, action="metrics.recompute_request", target_type="metrics.snapshot",
                 target_id=date.isoformat(), region_code=actor.region_id or "")
    return dispatch_on_commit(recompute_snapshot, date.isoformat(), requested_by_id=actor.pk, if_busy="skip")


def recompute_progress(task_id: str):
    """Where a recompute request stands, as (status, percent, snapshot or None).

    Status is "queued" until a worker starts it, then the snapshot's: computing (with percent), ready,
    failed or superseded; "requeued" while a run whose worker was lost waits to be started again.
    A request for a date that was already being computed follows that run.
    """
    from django.core.cache import cache

    from .compute import LOST_WORKER
    from .models import Snapshot
    from .tasks import RESTARTED, recompute_result_key

    snapshot = Snapshot.objects.filter(task_id=task_id).order_by("-version").first()
    if snapshot is None:
        covered_by = cache.get(recompute_result_key(task_id))
        snapshot = Snapshot.objects.filter(pk=covered_by).first() if covered_by else None
    if snapshot is None:
        return "queued", 0, None
    if snapshot.status == Snapshot.Status.FAILED and snapshot.error.startswith(LOST_WORKER) \
            and snapshot.error.endswith(RESTARTED):
        return "requeued", 0, snapshot
    return snapshot.status, snapshot.progress, snapshot
