"""Compute snapshots for a range of dates: every day, month end or quarter end between two dates."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from metrics.compute import snapshot_compute


def dates_between(start: datetime.date, end: datetime.date, every: str) -> list[datetime.date]:
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
    if every == "day":
        return days
    month_ends = [d for d in days if (d + datetime.timedelta(days=1)).day == 1]
    if every == "month":
        return month_ends
    return [d for d in month_ends if d.month in (3, 6, 9, 12)]


class Command(BaseCommand):
    help = "Compute metrics snapshots for a range of dates, oldest first (so changes chain correctly)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first date, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last date, YYYY-MM-DD")
        parser.add_argument("--every", choices=["day", "month", "quarter"], default="month")
        parser.add_argument("--async", dest="use_celery", action="store_true",
                            help="send one Celery task per date instead of computing here")

    def handle(self, *args, start, end, every, use_celery, **options):
        try:
            first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
        except ValueError as exc:
            raise CommandError(f"dates are YYYY-MM-DD: {exc}") from exc
        if last < first:
            raise CommandError("--to is before --from")
        for date in dates_between(first, last, every):
            if use_celery:
                from metrics.tasks import recompute_snapshot
                from portal.dispatch import dispatch_on_commit

                task_id = dispatch_on_commit(recompute_snapshot, date.isoformat())
                self.stdout.write(f"{date}: task {task_id} queued")
            else:
                snapshot = snapshot_compute(date=date)
                self.stdout.write(f"{date}: snapshot #{snapshot.pk} v{snapshot.version} {snapshot.status}")
