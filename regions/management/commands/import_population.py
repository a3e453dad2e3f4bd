from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regions.importing import DATA_DIR, ImportProblems, populations_import


class Command(BaseCommand):
    help = "Load resident populations from CSV: code, name, resident_population, year, source."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, default=DATA_DIR / "hebei_cities_2020_census.csv")

    def handle(self, *args, path, **options):
        if not path.exists():
            raise CommandError(f"{path}: file not found")
        try:
            result = populations_import(path=path)
        except ImportProblems as exc:
            raise CommandError("Nothing was imported:\n" + "\n".join(exc.problems)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Populations: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"))
