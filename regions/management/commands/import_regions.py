import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regions.importing import DATA_DIR, ImportProblems, regions_import


class Command(BaseCommand):
    help = "Load China's four-level division codes (about 44,700 units). Idempotent and all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR,
                            help="Folder with provinces.csv, cities.csv, areas.csv, streets.csv.")
        parser.add_argument("--province", help="Only this province's code (for example 13 for Hebei).")

    def handle(self, *args, data_dir, province, **options):
        started = time.monotonic()
        try:
            result = regions_import(data_dir=data_dir, province=province)
        except ImportProblems as exc:
            raise CommandError("Nothing was imported:\n" + "\n".join(exc.problems)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Regions: {result.created} created, {result.updated} updated, {result.unchanged} unchanged "
            f"in {time.monotonic() - started:.1f}s"))
