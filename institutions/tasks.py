"""Celery tasks of the institutions app: thin wrappers around services, taking ids."""

from __future__ import annotations

from celery import shared_task


def _job(job_id: int):
    from .models import OnboardingJob

    return OnboardingJob.objects.select_related("province", "created_by").filter(pk=job_id).first()


@shared_task(acks_late=True)
def onboarding_check_run(job_id: int) -> str:
    """The dry run of an onboarding upload. Safe to repeat: a job past its check returns at once."""
    from .onboarding import onboarding_check

    job = _job(job_id)
    return onboarding_check(job).status if job else "gone"


@shared_task(acks_late=True)
def onboarding_import_run(job_id: int) -> str:
    """The import of a confirmed onboarding upload, all or nothing. Safe to repeat (see onboarding_import)."""
    from .onboarding import onboarding_import

    job = _job(job_id)
    return onboarding_import(job).status if job else "gone"
