from celery import shared_task
from django.db import connection


@shared_task(name="portal.health")
def health() -> dict:
    """Proves a worker can reach the database. Read-only, so repeating it is harmless."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"database": one == 1, "vendor": connection.vendor}


@shared_task(name="portal.dispatch_retry_outbox", acks_late=True)
def dispatch_retry_outbox(limit: int = 500) -> int:
    """Resends task calls kept while the broker was down. Each row is claimed with a conditional
    UPDATE, so two overlapping runs never send the same call twice. Returns how many were sent."""
    from django.utils import timezone

    from portal.celery import app
    from portal.dispatch import PUBLISH_RETRY_POLICY
    from portal.models import TaskOutbox

    sent = 0
    for row in TaskOutbox.objects.filter(sent_at__isnull=True).order_by("created_at")[:limit]:
        if not TaskOutbox.objects.filter(pk=row.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
            continue
        try:
            app.send_task(row.task_name, args=row.args, kwargs=row.kwargs, retry=True,
                          retry_policy=PUBLISH_RETRY_POLICY)
        except Exception:  # still down: give the row back for the next run
            TaskOutbox.objects.filter(pk=row.pk).update(sent_at=None)
            break
        sent += 1
    return sent
