"""The one way application code sends a Celery task: a transactional outbox and its relay.

`dispatch_on_commit(task, *args, countdown=None, **kwargs)` writes a `TaskOutbox` row in the caller's
transaction. A rolled-back change takes its task call with it; a committed one keeps it whatever the
broker is doing, and the request never talks to the broker, so a Redis outage can neither slow it down
nor turn a committed write into an error. On PostgreSQL a `NOTIFY` in the same transaction wakes the
relay at commit, so a task is on the broker milliseconds later when Redis is up.

The relay (`relay_pending`, looped by `manage.py outbox_relay`, which every worker starts beside itself)
claims pending rows with `FOR UPDATE SKIP LOCKED`, sends each with its own task id and marks it sent.
Two relays never send one row at once; a relay killed between sending and marking sends that row again
with the same task id, so delivery is at least once and every task is written to be safe to repeat.

Without a broker (the embedded default, SQLite) the task runs in-process after commit, as before.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "portal_outbox"
# The relay may wait on the broker (never a request): a connection attempt is cut short, and a stale
# pooled connection is replaced once before the row is left for the next pass.
RELAY_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
RELAY_SOCKET_TIMEOUTS = {"socket_timeout": 3, "socket_connect_timeout": 2}


def dispatch_on_commit(task, *args, countdown: int | None = None, **kwargs) -> str:
    """Runs `task(*args, **kwargs)` once the current transaction commits; returns the Celery task id.

    With a broker: an outbox row now (same transaction), sent by the relay — after `countdown` seconds
    when given. Without one (eager mode): the task runs in-process after commit; the countdown is ignored.
    """
    from portal.celery import app

    task_id = str(uuid.uuid4())
    if app.conf.task_always_eager:
        transaction.on_commit(lambda: task.apply(args=args, kwargs=kwargs, task_id=task_id))
        return task_id
    from portal.models import TaskOutbox

    not_before = timezone.now() + datetime.timedelta(seconds=countdown) if countdown else None
    TaskOutbox.objects.create(task_name=task.name, args=list(args), kwargs=kwargs, task_id=task_id,
                              not_before=not_before)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {NOTIFY_CHANNEL}")  # delivered at commit, dropped on rollback
    return task_id


def _broker_connection():
    from portal.celery import app

    options = {**(app.conf.broker_transport_options or {}), **RELAY_SOCKET_TIMEOUTS}
    return app.connection_for_write(transport_options=options)


class BrokerUnavailable(Exception):
    """The relay could not reach the broker; the rows wait in the outbox for the next pass."""


def relay_pending(limit: int = 200) -> int:
    """Sends the outbox rows that are due, oldest first, and marks them sent. Returns how many were sent.

    Safe to run in several processes at once (rows are claimed with SKIP LOCKED) and to repeat. When the
    broker cannot be reached, the rows sent so far are marked, the failing one records the error, the
    rest wait for the next pass, and BrokerUnavailable is raised.
    """
    from portal.celery import app
    from portal.models import TaskOutbox

    now = timezone.now()
    sent: list[int] = []
    failure = None
    with transaction.atomic():
        rows = list(TaskOutbox.objects.select_for_update(skip_locked=True)
                    .filter(Q(not_before__isnull=True) | Q(not_before__lte=now), sent_at__isnull=True)
                    .order_by("pk")[:limit])
        if not rows:
            return 0
        try:
            with _broker_connection() as broker:
                for row in rows:
                    app.send_task(row.task_name, args=row.args, kwargs=row.kwargs, task_id=row.task_id or None,
                                  connection=broker, retry=True, retry_policy=RELAY_RETRY_POLICY)
                    sent.append(row.pk)
        except Exception as exc:  # kombu raises several unrelated types for an unreachable broker
            failed = rows[len(sent)]
            TaskOutbox.objects.filter(pk=failed.pk).update(attempts=F("attempts") + 1, error=str(exc)[:500])
            failure = exc
        if sent:
            TaskOutbox.objects.filter(pk__in=sent).update(sent_at=timezone.now(), error="")
    if failure is not None:
        logger.warning("broker unreachable; %d task call(s) wait in the outbox: %s", len(rows) - len(sent), failure)
        raise BrokerUnavailable(str(failure)) from failure
    return len(sent)


def outbox_pending() -> int:
    """How many task calls wait for the broker (shown by /healthz)."""
    from portal.models import TaskOutbox

    return TaskOutbox.objects.filter(sent_at__isnull=True).count()


def outbox_prune(*, older_than: datetime.timedelta = datetime.timedelta(days=7)) -> int:
    """Deletes rows sent long ago. Safe to repeat."""
    from portal.models import TaskOutbox

    deleted, _ = TaskOutbox.objects.filter(sent_at__lt=timezone.now() - older_than).delete()
    return deleted
