"""Celery tasks of the metrics app: thin wrappers around metrics.compute and metrics.rankings.

Reliability: acks_late with reject_on_worker_lost, so a worker killed mid-run gives the message back and
the redelivered task (same task id) takes over its own abandoned snapshot; the readers keep the previous
ready version meanwhile. Two computations of one date never run at once (the partial unique constraint
on computing snapshots is the lock). A run beats a heartbeat; when a whole worker is lost, the sweeper
(`snapshot_sweep`, run beside every worker) notices the silence within a minute or two and requeues the
run under the same run id, so the progress page follows the redo; after RUN_MAX_ATTEMPTS it stays failed.
"""

from __future__ import annotations

import datetime
import logging
import os

from celery import shared_task
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from portal import runs
from portal.dispatch import dispatch_on_commit

from .compute import SnapshotBusy, snapshot_compute
from .models import Snapshot

log = logging.getLogger(__name__)

# A burst of approvals within this many seconds makes one recompute. Read from the environment so that a
# test worker can shorten it; settings.py stays the single place for everything a deployment tunes.
DEBOUNCE_SECONDS = int(os.environ.get("METRICS_DEBOUNCE_SECONDS", "60"))
BUSY_RETRY_SECONDS = 30
MAX_RETRIES = 5


RESTARTED = "; started again"


def recompute_result_key(task_id: str) -> str:
    return f"metrics:recompute:{task_id}"


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES,
             soft_time_limit=600, time_limit=660, name="metrics.recompute_snapshot")
def recompute_snapshot(self, date_iso: str, requested_by_id: int | None = None, if_busy: str = "retry",
                       run_id: str = "") -> dict:
    """Compute the snapshot of a date (ISO string) and swap it in.

    Safe to repeat: same data, same rows; a run (run_id, else the task id) that has finished already
    returns its result. While another live run computes the same date the task waits and retries
    (if_busy="retry") or reports that run instead (if_busy="skip"). Database errors are retried up to
    MAX_RETRIES times; after that the failed snapshot says so and the task returns status "failed".
    """
    date = datetime.date.fromisoformat(date_iso)
    task_id = run_id or self.request.id or ""
    done = (Snapshot.objects.filter(task_id=task_id, status__in=[Snapshot.Status.READY, Snapshot.Status.SUPERSEDED])
            .order_by("-version").first() if task_id else None)
    if done is not None:  # a redelivered message of a run the sweeper already had redone
        return {"status": done.status, "snapshot": done.pk, "date": date_iso, "version": done.version}
    try:
        snapshot = snapshot_compute(date=date, task_id=task_id, requested_by_id=requested_by_id)
    except SnapshotBusy as busy:
        if if_busy == "skip" or self.request.is_eager:
            if task_id and busy.snapshot.pk:
                cache.set(recompute_result_key(task_id), busy.snapshot.pk, timeout=24 * 3600)
            return {"status": "already-running", "snapshot": busy.snapshot.pk, "date": date_iso}
        raise self.retry(countdown=BUSY_RETRY_SECONDS) from None
    except DatabaseError as exc:
        # In-process (no broker) there is nobody to retry later: fail now rather than raise into the caller.
        if self.request.retries >= self.max_retries or self.request.is_eager:
            message = f"gave up after {self.request.retries + 1} attempts: {exc}"
            Snapshot.objects.filter(task_id=task_id, status=Snapshot.Status.FAILED).update(error=message[:2000])
            log.error("metrics snapshot of %s failed: %s", date_iso, message)
            return {"status": "failed", "date": date_iso, "error": message}
        raise self.retry(exc=exc, countdown=2 ** self.request.retries * 10) from exc
    if task_id:
        cache.set(recompute_result_key(task_id), snapshot.pk, timeout=24 * 3600)
    return {"status": snapshot.status, "snapshot": snapshot.pk, "date": date_iso, "version": snapshot.version}


@shared_task(acks_late=True, name="metrics.recompute_snapshot_debounced")
def recompute_snapshot_debounced(region_code: str = "", date_iso: str = "") -> dict:
    """A filing was approved or an institution cancelled: recompute today's snapshot soon, once per burst.

    The first call of a burst schedules one recompute DEBOUNCE_SECONDS later; calls within that window
    are absorbed by it (the recompute reads the data as it stands when it runs). Safe to repeat.
    """
    date_iso = date_iso or timezone.localdate().isoformat()
    if not cache.add(f"metrics:debounce:{date_iso}", region_code or "*", timeout=DEBOUNCE_SECONDS):
        return {"status": "absorbed", "date": date_iso}
    dispatch_on_commit(recompute_snapshot, date_iso, countdown=DEBOUNCE_SECONDS)
    return {"status": "scheduled", "date": date_iso}


@shared_task(acks_late=True, name="metrics.recompute_today")
def recompute_today() -> dict:
    """The nightly beat entry: today's snapshot, computed late in the evening. Safe to repeat."""
    task_id = dispatch_on_commit(recompute_snapshot, timezone.localdate().isoformat())
    return {"status": "dispatched", "task": task_id}


@shared_task(acks_late=True, name="metrics.rankings_period_end", soft_time_limit=600, time_limit=660)
@runs.leased("metrics.rankings_period_end",
             key=lambda on_iso="": f"rankings_period_end:{on_iso or timezone.localdate().isoformat()}")
def rankings_period_end(on_iso: str = "") -> dict:
    """Beat entry on the first day of each quarter: draft rankings of every period that ended yesterday.

    Each province ranks its cities and each city its counties. Safe to repeat: an unpublished draft is
    recomputed in place, a published one gets a new draft version.
    """
    from .rankings import periods_ending_on, ranking_compute_all

    on = datetime.date.fromisoformat(on_iso) if on_iso else timezone.localdate()
    ended = on - datetime.timedelta(days=1)
    done = 0
    for kind, start, end in periods_ending_on(ended):
        done += ranking_compute_all(period_kind=kind, period_start=start, period_end=end)
    return {"status": "done", "rankings": done}


@shared_task(acks_late=True, name="metrics.snapshot_retention")
def snapshot_retention() -> dict:
    """The nightly beat entry: queues the retention pass (metrics.retention) through the outbox. Safe to repeat."""
    return {"status": "dispatched", "task": dispatch_on_commit(snapshot_retention_run)}


@shared_task(acks_late=True, reject_on_worker_lost=True, name="metrics.snapshot_retention_run",
             soft_time_limit=1800, time_limit=1860)
@runs.leased("metrics.snapshot_retention_run",
             key=lambda: f"snapshot_retention:{timezone.localdate().isoformat()}")
def snapshot_retention_run() -> dict:
    """Retires the daily snapshots past the kept window (month-ends stay) and removes the rows of retired and
    superseded versions past their grace period. Safe to repeat and to overlap (guarded UPDATE, idempotent
    DELETE)."""
    from .retention import snapshot_retention as retention_pass

    return retention_pass()


def snapshot_sweep() -> int:
    """Computing snapshots whose heartbeat is stale lost their worker: each is marked failed and its run
    requeued under the same run id, or left failed after RUN_MAX_ATTEMPTS. Returns how many were found.
    Safe to repeat and to run in several places at once (conditional UPDATE)."""
    from .compute import LOST_WORKER

    found = 0
    for snapshot in Snapshot.objects.filter(status=Snapshot.Status.COMPUTING, heartbeat_at__lt=runs.stale_before()):
        attempts = Snapshot.objects.filter(task_id=snapshot.task_id, error__startswith=LOST_WORKER).count() + 1 \
            if snapshot.task_id else runs.max_attempts()
        final = attempts >= runs.max_attempts()
        with transaction.atomic():
            claimed = Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.COMPUTING,
                                              heartbeat_at=snapshot.heartbeat_at).update(
                status=Snapshot.Status.FAILED,
                error=f"{LOST_WORKER} (attempt {attempts} of {runs.max_attempts()})"
                      + ("; given up" if final else RESTARTED))
            if not claimed:
                continue
            found += 1
            log.warning("snapshot %s of %s lost its worker (attempt %s)", snapshot.pk, snapshot.date, attempts)
            if not final:
                dispatch_on_commit(recompute_snapshot, snapshot.date.isoformat(),
                                   requested_by_id=snapshot.requested_by_id, run_id=snapshot.task_id)
        from .models import RegionSnapshot

        RegionSnapshot.objects.filter(snapshot_id=snapshot.pk).delete()
    return found
