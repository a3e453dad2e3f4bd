"""Writes of the metrics app that users trigger: asking for a recompute. (Rankings: metrics.rankings.)"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record


@transaction.atomic
def snapshot_request_recompute(*, date: datetime.date, actor) -> str:
    """An official asks for the snapshot of a date to be recomputed; returns the Celery task id.

    Side effects: an audit row; the task is sent when the transaction commits. If the same date is being
    computed already, the task reports that run instead of starting a second one.
    """
    if not (actor.is_system_admin or actor.is_official):
        raise ValidationError(_("Only officials may ask for a recompute."))
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date is in the future.")})
    from .tasks import recompute_snapshot

    task_id = str(uuid.uuid4())
    audit_record(actor=actor, action="metrics.recompute_request", target_type="metrics.snapshot",
                 target_id=date.isoformat(), region_code=actor.region_id or "")
    transaction.on_commit(lambda: recompute_snapshot.apply_async(
        args=[date.isoformat()], kwargs={"requested_by_id": actor.pk, "if_busy": "skip"}, task_id=task_id))
    return task_id
