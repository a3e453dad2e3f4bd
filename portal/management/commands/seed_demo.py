import time

from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, seed_all


class Command(BaseCommand):
    help = "Load the Hebei demo data set (regions, populations, accounts, institutions, records). Idempotent."

    def handle(self, *args, **options):
        started = time.monotonic()
        ctx = seed_all(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s."))
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, description in ctx.accounts:
            self.stdout.write(f"  {username:<22} {description}")
