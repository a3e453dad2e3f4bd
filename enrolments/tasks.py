"""Celery tasks of the enrolments app: thin wrappers around services, taking ids."""

from __future__ import annotations

from celery import shared_task

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
