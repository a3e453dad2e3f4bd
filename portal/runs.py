"""Long runs (recompute, ranking, import) that show a heartbeat, and the sweeper that notices a lost one.

A run updates its row's heartbeat every RUN_HEARTBEAT_SECONDS from a thread of its own while the work goes
on (one long SQL statement gives no other chance to). A row whose heartbeat is older than
RUN_STALE_SECONDS belongs to a worker that was killed or lost: the sweepers registered here (one per kind
of run) requeue it, or mark it failed after RUN_MAX_ATTEMPTS, within a minute or two instead of the
broker's visibility timeout (which stays longer than the longest task, so that a live task is never
handed out twice). The relay beside every worker (`manage.py outbox_relay`) calls `sweep_all`.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

_sweepers: list[Callable[[], int]] = []


def register_sweeper(sweeper: Callable[[], int]) -> None:
    """Adds a function that finds stale runs of one kind and requeues or fails them (returns how many)."""
    if sweeper not in _sweepers:
        _sweepers.append(sweeper)


def sweep_all() -> int:
    """Runs every registered sweeper once. Safe to repeat and to run in several processes at once."""
    done = 0
    for sweeper in list(_sweepers):
        try:
            done += sweeper()
        except Exception:
            log.exception("sweeper %s failed", getattr(sweeper, "__name__", sweeper))
    return done


def stale_before() -> datetime.datetime:
    """Runs whose last heartbeat is older than this are taken as lost."""
    return timezone.now() - datetime.timedelta(seconds=settings.RUN_STALE_SECONDS)


def max_attempts() -> int:
    return settings.RUN_MAX_ATTEMPTS


def job_sweep(model, redo: dict) -> int:
    """Requeues the import jobs of `model` whose heartbeat is stale: their process (a worker, or the web
    process of an API upload) was lost. `redo` maps each running status to (the status to set, the task
    to queue again with the job's id); the new status and the outbox row are one transaction. After
    RUN_MAX_ATTEMPTS the job fails instead, saying so. Jobs are rows with `status`, `heartbeat_at`,
    `attempts`, `processed_rows`, `data`, `errors` and `finished_at`, whose import writes in one
    transaction, so a lost run wrote nothing. Safe to repeat and to run in several processes at once."""
    from portal.dispatch import dispatch_on_commit

    found = 0
    for job in model.objects.filter(status__in=list(redo), heartbeat_at__lt=stale_before()).only(
            "pk", "status", "attempts", "heartbeat_at"):
        with transaction.atomic():
            claimed = model.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at)
            if job.attempts >= max_attempts():
                # Stored, so in the portal's language, whatever the sweeping process last spoke.
                with translation.override(settings.LANGUAGE_CODE):
                    message = _("The import stopped %(n)s times before it could finish; nothing was imported. "
                                "Upload the file again.") % {"n": job.attempts}
                found += claimed.update(status="failed", data=b"", finished_at=timezone.now(),
                                        errors=[{"row": 0, "column": "", "message": message}])
                continue
            status, task = redo[job.status]
            # A fresh beat: the redo beats from when it starts, and no other sweeper takes the job meanwhile.
            if claimed.update(status=status, processed_rows=0, heartbeat_at=timezone.now()):
                found += 1
                log.warning("%s %s lost its process; queued again", model._meta.label, job.pk)
                dispatch_on_commit(task, job.pk)
    return found


class Heartbeat:
    """`with Heartbeat(queryset):` sets `heartbeat_at=now()` on the queryset's rows every interval.

    The thread uses a database connection of its own, so the beat goes on while the run's connection is
    busy with one long statement, and it stops with the block (or with the process, when it is killed).
    """

    def __init__(self, queryset, field: str = "heartbeat_at", interval: float | None = None):
        self.queryset = queryset
        self.field = field
        self.interval = interval if interval is not None else settings.RUN_HEARTBEAT_SECONDS
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="run-heartbeat", daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self.queryset.update(**{self.field: timezone.now()})
                except Exception as exc:  # the database is away for a moment: the next beat tries again
                    log.warning("heartbeat failed: %s", exc)
        finally:
            connections.close_all()

    def __enter__(self):
        self.queryset.update(**{self.field: timezone.now()})
        # SQLite (the embedded default) runs tasks in-process: nobody else can take the run over there.
        if connections[self.queryset.db].vendor == "postgresql":
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + 5)
        return False


def leased(task_name: str, key: Callable[..., str]):
    """Decorator (under @shared_task(name=task_name)) for a task without a status row of its own: while it
    runs, a RunLease row named by `key(*args, **kwargs)` beats; `lease_sweep` requeues the task when the
    beat stops. The task must be safe to repeat. A finished lease is started afresh by the next call."""
    import functools

    def wrap(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            from portal.models import RunLease

            lease, _ = RunLease.objects.get_or_create(key=key(*args, **kwargs)[:200], defaults={
                "task_name": task_name, "args": list(args), "kwargs": kwargs})
            now = timezone.now()
            fresh = {"started_at": now, "heartbeat_at": now, "finished_at": None, "outcome": ""}
            if lease.finished_at is not None:
                fresh["attempts"] = 1
            else:
                from django.db.models import F

                fresh["attempts"] = F("attempts") + 1
            RunLease.objects.filter(pk=lease.pk).update(**fresh)
            with Heartbeat(RunLease.objects.filter(pk=lease.pk, finished_at__isnull=True)):
                result = func(*args, **kwargs)
            RunLease.objects.filter(pk=lease.pk).update(finished_at=timezone.now(), outcome="done")
            return result

        return run

    return wrap


def lease_sweep() -> int:
    """Requeues leased tasks whose heartbeat stopped (or gives up after RUN_MAX_ATTEMPTS). Safe to repeat."""
    from celery import current_app

    from portal.dispatch import dispatch_on_commit
    from portal.models import RunLease

    found = 0
    for lease in RunLease.objects.filter(finished_at__isnull=True, heartbeat_at__lt=stale_before()):
        final = lease.attempts >= max_attempts()
        claimed = RunLease.objects.filter(pk=lease.pk, finished_at__isnull=True, heartbeat_at=lease.heartbeat_at)
        if final:
            found += claimed.update(finished_at=timezone.now(), outcome=f"given up after {lease.attempts} attempts")
            continue
        if claimed.update(heartbeat_at=timezone.now()):  # one sweeper requeues it; the redo beats from now on
            found += 1
            log.warning("run %s lost its worker; started again", lease.key)
            dispatch_on_commit(current_app.tasks[lease.task_name], *lease.args, **lease.kwargs)
    return found


register_sweeper(lease_sweep)
