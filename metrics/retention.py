"""Which snapshots are kept, and the removal of the rest: a few statements, however many rows.

Every snapshot version writes one row per region (about 45,000 for China, ~14 MB), so nightly snapshots
alone would add some 16 M rows a year. What the pages and rankings read decides what is kept:
- the dashboards, the API and the recompute read the latest ready version on or before a date
  (`Snapshot.objects.current`), the trend pages and the series API every ready date;
- rankings read the ready version current at the end of a quarter, a half-year or a year and at the end of
  the period before (`metrics.rankings`), and a ranking keeps a reference to the snapshot it used.

So the ready version of each date is kept for SNAPSHOT_KEEP_DAILY_DAYS, and after that only the last ready
date of each month (month-ends, so every quarter- and year-end: what `current()` of a period end returns),
and any snapshot a ranking used, for ever. A ready version that falls out is `retired`: readers stop seeing it
at once (a date in between reads the month-end before it, as `current()` does), its rows go with the
superseded versions' once the grace period is over (`snapshot_prune`), in one DELETE … WHERE snapshot_id IN
(…), never row by row. The Snapshot row itself stays (its date, version and times; a few hundred bytes),
so the audit trail keeps pointing at something.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from audit.services import audit_record
from portal.api import cache as api_cache

from .models import RankingRun, RegionSnapshot, Snapshot

# Versions whose rows one prune removes at most: one DELETE stays a bounded piece of work after a long outage.
PRUNE_BATCH = 200


def retire_before(today: datetime.date | None = None) -> datetime.date:
    """Ready versions dated before this day keep their rows only as month-ends (or ranking inputs)."""
    return (today or timezone.localdate()) - datetime.timedelta(days=settings.SNAPSHOT_KEEP_DAILY_DAYS)


def snapshots_to_retire(today: datetime.date | None = None):
    """Ready versions older than the daily window that are not the last ready date of their month and that no
    ranking used."""
    month_last = (Snapshot.objects.ready()
                  .filter(date__year=OuterRef("date__year"), date__month=OuterRef("date__month"))
                  .order_by("-date").values("date")[:1])
    used = RankingRun.objects.filter(snapshot__isnull=False).values("snapshot_id")
    return (Snapshot.objects.ready().filter(date__lt=retire_before(today))
            .exclude(date=Subquery(month_last)).exclude(pk__in=used))


@transaction.atomic
def snapshot_retire(*, today: datetime.date | None = None) -> dict:
    """Retires the ready versions outside what is kept (the module docstring); one audit row for the pass.

    Safe to repeat and to run twice at once: the UPDATE only takes versions still ready, and a second run
    finds none. Returns how many were retired and their first and last dates.
    """
    due = list(snapshots_to_retire(today).order_by("date").values_list("pk", "date"))
    if not due:
        return {"retired": 0}
    now = timezone.now()
    retired = Snapshot.objects.filter(pk__in=[pk for pk, _d in due], status=Snapshot.Status.READY).update(
        status=Snapshot.Status.RETIRED, superseded_at=now, updated_at=now)
    facts = {"retired": retired, "from": due[0][1].isoformat(), "to": due[-1][1].isoformat(),
             "kept_daily_since": retire_before(today).isoformat()}
    audit_record(actor=None, action="metrics.snapshot_retire", target_type="metrics.snapshot",
                 target_id=f"{facts['from']}..{facts['to']}", after=facts)
    api_cache.metrics_changed()  # the list of ready dates and the series have changed
    return facts


def snapshot_prune() -> int:
    """Deletes the rows of versions superseded or retired more than SNAPSHOT_GRACE_SECONDS ago (after every
    swap, by the sweeper beside the workers and by the nightly retention), up to PRUNE_BATCH versions with one
    DELETE. Safe to repeat. Returns how many versions were pruned."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.SNAPSHOT_GRACE_SECONDS)
    due = list(Snapshot.objects.filter(status__in=[Snapshot.Status.SUPERSEDED, Snapshot.Status.RETIRED],
                                       superseded_at__lt=cutoff, rows_removed_at__isnull=True)
               .order_by("pk").values_list("pk", flat=True)[:PRUNE_BATCH])
    if not due:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        # A plain statement: no collector, no signals, no row fetched into Python.
        cursor.execute(f"DELETE FROM {RegionSnapshot._meta.db_table} "  # noqa: S608 — our own table name
                       f"WHERE snapshot_id IN ({', '.join(['%s'] * len(due))})", due)
        Snapshot.objects.filter(pk__in=due).update(rows_removed_at=timezone.now())
    return len(due)


def snapshot_retention(*, today: datetime.date | None = None) -> dict:
    """The nightly pass: retire what falls out of the kept set, then prune every version past its grace
    period. Returns the counts."""
    facts = snapshot_retire(today=today)
    pruned = 0
    while batch := snapshot_prune():
        pruned += batch
    return {**facts, "pruned": pruned}
