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
def dispatch_retry_outbox() -> dict:
    """Beat's safety net beside the relay process of each worker (every minute): one relay pass and one
    sweep of lost runs. Safe to repeat and to overlap with the relays (rows are claimed with row locks)."""
    from portal import dispatch, runs

    try:
        sent = dispatch.relay_pending()
    except dispatch.BrokerUnavailable:
        sent = 0
    return {"sent": sent, "swept": runs.sweep_all(), "pruned_outbox_rows": dispatch.outbox_prune()}
