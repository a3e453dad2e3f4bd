"""Load a scorecard edition: the shipped WS/T 821—2023 structure, or a province's own JSON file."""

import json

from django.core.management.base import BaseCommand, CommandError

from pilots.services import scorecard_load, scorecard_load_wst821
from regions.models import Region


class Command(BaseCommand):
    help = ("Load the WS/T 821—2023 scorecard (no argument) or a JSON file of the same shape: "
            '{"code", "name", "standard", "grades": [[grade, min_points, label]], '
            '"dimensions": [[code, name, points, [[code, text, points, is_veto], ...]], ...]}')

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="JSON file of a province's edition")
        parser.add_argument("--province", help="division code of the province that uses this edition")

    def handle(self, *args, path=None, province=None, **options):
        if not path:
            template = scorecard_load_wst821(actor=None)
        else:
            try:
                with open(path, encoding="utf-8") as fh:
                    data = json.load(fh)
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read {path}: {exc}") from exc
            region = Region.objects.filter(code=province).first() if province else None
            if province and region is None:
                raise CommandError(f"no region {province}")
            template = scorecard_load(data=data, actor=None, region=region)
        self.stdout.write(f"{template.code}: {template.dimensions.count()} dimensions, {template.total_points} points")
