"""Validated, all-or-nothing imports of division codes and resident populations.

Every row is checked before anything is written; an error names the file and line. The write is a
single upsert in one transaction, so running an import twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from audit.services import audit_record

from .models import Region, RegionPopulation

DATA_DIR = Path(__file__).resolve().parent / "data"
LEVEL_FILES = [  # file, level, code length, parent column
    ("provinces.csv", Region.Level.PROVINCE, 2, None),
    ("cities.csv", Region.Level.CITY, 4, "provinceCode"),
    ("areas.csv", Region.Level.COUNTY, 6, "cityCode"),
    ("streets.csv", Region.Level.TOWNSHIP, 9, "areaCode"),
]


def data_file(name: str, data_dir: Path | None = None) -> Path:
    """The shipped file `name`, or its gzip-compressed copy `name.gz` (the township list is 1.6 MB raw)."""
    data_dir = data_dir or DATA_DIR
    path = data_dir / name
    compressed = data_dir / f"{name}.gz"
    return compressed if not path.exists() and compressed.exists() else path


def open_data(path: Path):
    """A text stream of a CSV file, compressed or not."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(newline="", encoding="utf-8-sig")


def shipped_provinces(data_dir: Path | None = None) -> dict[str, str]:
    """Code → name of the provinces whose division codes ship with the portal (all 31)."""
    with open_data(data_file("provinces.csv", data_dir)) as fh:
        return {row["code"].strip(): row["name"].strip() for row in csv.DictReader(fh)}


class ImportProblems(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _read(path: Path):
    with open_data(path) as fh:
        # Line numbers as an editor shows them: the header is line 1.
        yield from enumerate(csv.DictReader(fh), start=2)


def regions_import(*, data_dir: Path | None = None, province: str | None = None, actor=None) -> ImportResult:
    """Loads the four-level division codes. Idempotent; all-or-nothing; one audit row when anything changed."""
    problems: list[str] = []
    rows: dict[str, Region] = {}
    for filename, level, length, parent_column in LEVEL_FILES:
        path = data_file(filename, data_dir)
        if not path.exists():
            problems.append(f"{path}: file not found")
            continue
        for line, row in _read(path):
            code = (row.get("code") or "").strip()
            name = (row.get("name") or "").strip()
            where = f"{path.name}:{line}"
            if not re.fullmatch(rf"\d{{{length}}}", code):
                problems.append(f"{where}: code {code!r} is not {length} digits")
                continue
            if province and not code.startswith(province):
                continue
            if not name:
                problems.append(f"{where}: name is empty")
                continue
            parent = None
            if parent_column:
                parent = (row.get(parent_column) or "").strip()
                if not code.startswith(parent) or parent not in rows:
                    problems.append(f"{where}: parent {parent!r} of {code} does not exist")
                    continue
            rows[code] = Region(code=code, name=name, level=level, parent_id=parent)
    if problems:
        raise ImportProblems(problems)

    existing = {r.code: (r.name, r.level, r.parent_id) for r in Region.objects.filter(code__in=rows).only(
        "code", "name", "level", "parent_id")} if len(rows) < 60000 else {}
    changed = [r for r in rows.values() if existing.get(r.code) != (r.name, r.level, r.parent_id)]
    created = sum(1 for r in changed if r.code not in existing)
    if not changed:  # a repeat: nothing to write, nothing to audit
        return ImportResult(created=0, updated=0, unchanged=len(rows))
    with transaction.atomic():
        # Parents before children: the list is in file order, provinces first.
        Region.objects.bulk_create(
            changed, batch_size=2000, update_conflicts=True, unique_fields=["code"],
            update_fields=["name", "level", "parent"],
        )
        audit_record(actor=actor, action="regions.import", target_type="region", target_id=province or "*",
                     after={"created": created, "updated": len(changed) - created})
    return ImportResult(created=created, updated=len(changed) - created, unchanged=len(rows) - len(changed))


def populations_import(*, path: Path, actor=None, is_synthetic: bool = False) -> ImportResult:
    """Loads resident populations from CSV (code, name, resident_population, year, source).

    Idempotent; all-or-nothing; a figure must be a positive whole number for an existing region.
    """
    problems: list[str] = []
    parsed: dict[tuple[str, int], RegionPopulation] = {}
    rows = list(_read(path))
    known = set(Region.objects.filter(code__in=[(r.get("code") or "").strip() for _, r in rows])
                .values_list("code", flat=True))
    for line, row in rows:
        where = f"{path.name}:{line}"
        code = (row.get("code") or "").strip()
        raw_population = (row.get("resident_population") or "").strip()
        raw_year = (row.get("year") or "").strip()
        source = (row.get("source") or "").strip()
        if code not in known:
            problems.append(f"{where}: region {code!r} does not exist (import the division codes first)")
            continue
        if not re.fullmatch(r"\d{4}", raw_year):
            problems.append(f"{where}: year {raw_year!r} is not a four-digit year")
            continue
        if not re.fullmatch(r"\d+", raw_population) or int(raw_population) <= 0:
            problems.append(f"{where}: resident_population {raw_population!r} must be a positive whole number")
            continue
        if not source:
            problems.append(f"{where}: source is empty; every figure needs its source")
            continue
        key = (code, int(raw_year))
        if key in parsed:
            problems.append(f"{where}: a second figure for {code} in {raw_year}")
            continue
        parsed[key] = RegionPopulation(region_id=code, year=int(raw_year), resident_population=int(raw_population),
                                       source=source, is_synthetic=is_synthetic)
    if problems:
        raise ImportProblems(problems)
    return population_upsert(figures=list(parsed.values()), actor=actor)


def population_upsert(*, figures: list[RegionPopulation], actor=None) -> ImportResult:
    """Writes population figures by (region, year). Idempotent; one audit row."""
    existing = {
        (p.region_id, p.year): (p.resident_population, p.source, p.is_synthetic)
        for p in RegionPopulation.objects.filter(region_id__in={f.region_id for f in figures})
    }
    changed = [f for f in figures
               if existing.get((f.region_id, f.year)) != (f.resident_population, f.source, f.is_synthetic)]
    created = sum(1 for f in changed if (f.region_id, f.year) not in existing)
    with transaction.atomic():
        RegionPopulation.objects.bulk_create(
            changed, batch_size=2000, update_conflicts=True, unique_fields=["region", "year"],
            update_fields=["resident_population", "source", "is_synthetic"],
        )
        audit_record(actor=actor, action="populations.import", target_type="region_population",
                     target_id=str(len(figures)), after={"created": created, "updated": len(changed) - created})
    return ImportResult(created=created, updated=len(changed) - created, unchanged=len(figures) - len(changed))
