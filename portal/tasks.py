from celery import shared_task
from django.db import connection


@shared_task(name="portal.health")
def health() -> dict:
    """Proves a worker can reach the database. Read-only, so repeating it is harmless."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"database": one == 1, "vendor": connection.vendor}
