"""Celery tasks of the enrolments app: thin wrappers around services, taking ids."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from portal import runs

from .importing import import_sweep  # noqa: F401 - registered with portal.runs by the app config
from .models import ImportJob


@shared_task(acks_late=True)
def enrolment_import_run(job_id: int) -> str:
    """Runs an uploaded import. Safe to repeat: a finished job returns at once, and the import is
    idempotent (a retried half-run changes nothing twice, the write is one transaction)."""
    from .importing import import_execute

    job = ImportJob.objects.select_related("institution", "klass", "created_by").filter(pk=job_id).first()
    if job is None:
        return "gone"
    return import_execute(job).status


@shared_task(acks_late=True)
def due_notices_refresh_all() -> int:
    """Daily: rebuilds the list of children due to move class or leave within 30 days. Safe to repeat."""
    from .services import due_notices_refresh

    return due_notices_refresh()


@shared_task(acks_late=True, name="enrolments.child_data_retention")
def child_data_retention() -> dict:
    """The nightly beat entry: queues the retention pass through the outbox. Safe to repeat."""
    from portal.dispatch import dispatch_on_commit

    return {"status": "dispatched", "task": dispatch_on_commit(child_data_retention_run)}


@shared_task(acks_late=True, reject_on_worker_lost=True, name="enrolments.child_data_retention_run",
             soft_time_limit=1800, time_limit=1860)
@runs.leased("enrolments.child_data_retention_run",
             key=lambda: f"child_data_retention:{timezone.localdate().isoformat()}")
def child_data_retention_run() -> dict:
    """Erases the personal data of children who left more than CHILD_DATA_RETENTION_DAYS ago (retention.py).
    Safe to repeat and to overlap: each record is claimed by a guarded UPDATE."""
    from .retention import retention_run

    return retention_run()
