import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings

from portal.demo import DEMO_PASSWORD, seed_all


class Command(BaseCommand):
    help = "Load the Hebei demo data set (regions, populations, accounts, institutions, records). Idempotent."

    def handle(self, *args, **options):
        started = time.monotonic()
        # In development (DEBUG) every statement is logged with its parameters, formatted into SQL text: for
        # the demo's multi-row INSERTs (thousands of parameters each) that was a tenth of the seeding time.
        with override_settings(DEBUG=False):
            ctx = seed_all(self.stdout)
        # Thousands of rows just arrived in empty tables: give the planner their real sizes now rather
        # than whenever autovacuum gets to it (a plan made for empty tables sorts every row per page).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        steps = ", ".join(f"{name.split('.')[0]} {seconds}s" for name, seconds in ctx.seconds.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s ({steps})."))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, description in ctx.accounts:
            self.stdout.write(f"  {username:<22} {description}")
