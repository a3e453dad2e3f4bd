"""Dispatching Celery tasks after commit, without letting a broker outage break a committed write.

`task.delay_on_commit()` raises inside the request when Redis is down, after the write has
committed: the user sees an error for something that worked. `dispatch_on_commit` publishes with a
short retry policy and, if the broker stays unreachable, logs the failure and keeps the call in a
small outbox table so `dispatch_retry_outbox` (run by beat every minute) sends it once Redis is back.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)

PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1.0}


def publish(task_name: str, args: list | None = None, kwargs: dict | None = None, *, countdown: int | None = None):
    """Sends a task by name now; on a broker error stores it in the outbox and returns None."""
    from portal.celery import app

    try:
        return app.send_task(task_name, args=args or [], kwargs=kwargs or {}, countdown=countdown,
                             retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as exc:  # kombu raises several unrelated types for an unreachable broker
        if app.conf.task_always_eager:
            raise
        logger.warning("broker unavailable, task %s kept in the outbox: %s", task_name, exc)
        from portal.models import TaskOutbox

        TaskOutbox.objects.create(task_name=task_name, args=args or [], kwargs=kwargs or {}, error=str(exc)[:500])
        return None


def dispatch_on_commit(task, *args, countdown: int | None = None, **kwargs) -> None:
    """Runs `task` with these arguments once the current transaction commits.

    Eager mode (no broker): the task runs in-process after commit, as Celery's own delay would.
    """
    from portal.celery import app

    def send():
        if app.conf.task_always_eager:
            task.apply(args=args, kwargs=kwargs)
        else:
            publish(task.name, list(args), kwargs, countdown=countdown)

    transaction.on_commit(send, robust=not app.conf.task_always_eager)
