"""Every write to regions and their resident populations.

Loading a province's division codes is an administrator's action; a population figure is set by the
officials of the region (or of an area containing it) and by administrators. Each write is one
transaction with its audit row; PermissionDenied and ValidationError are mapped to 403/404 and 400
by the pages and the API.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record

from .importing import ImportProblems, regions_import, shipped_provinces
from .models import Region, RegionPopulation
from .uploads import UploadRow

FIRST_YEAR = 1949
MAX_POPULATION = 2_000_000_000


# --- Division codes ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProvinceLoad:
    province: str
    name: str
    created: int
    updated: int
    unchanged: int
    seconds: float

    @property
    def regions(self) -> int:
        return self.created + self.updated + self.unchanged


def province_load(*, province: str, actor) -> ProvinceLoad:
    """Loads one province's shipped division codes (province, cities, counties, townships).

    Administrators only. All-or-nothing: every row is checked before one upsert in one transaction
    with its audit row. Idempotent: loading it again changes nothing (and writes no audit row, since
    nothing changed). Shanxi (1,485 units) takes about half a second.
    """
    require(policies.loads_divisions(actor), _("Only administrators load division codes."))
    province = (province or "").strip()
    provinces = shipped_provinces()
    if province not in provinces:
        raise ValidationError({"province": _("%(code)r is not the two-digit code of one of the %(n)d provinces "
                                             "shipped with the portal.") % {"code": province, "n": len(provinces)}})
    started = time.monotonic()
    try:
        result = regions_import(province=province, actor=actor)
    except ImportProblems as exc:  # only if the shipped files were damaged
        raise ValidationError({"province": exc.problems[:20]}) from exc
    return ProvinceLoad(province=province, name=provinces[province], created=result.created,
                        updated=result.updated, unchanged=result.unchanged,
                        seconds=round(time.monotonic() - started, 3))


def provinces_loaded() -> dict[str, int]:
    """Province code → number of its regions in the database, in one grouped query."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    return dict(Region.objects.annotate(province=Substr("code", 1, 2)).order_by().values("province")
                .annotate(n=Count("code")).values_list("province", "n"))


# --- Populations -------------------------------------------------------------------------------------

def _population_errors(*, year, resident_population, source) -> dict[str, str]:
    errors = {}
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not FIRST_YEAR <= year <= this_year:
        errors["year"] = _("The year must be between %(first)d and %(last)d.") % {"first": FIRST_YEAR,
                                                                                   "last": this_year}
    if not isinstance(resident_population, int) or not 0 < resident_population <= MAX_POPULATION:
        errors["resident_population"] = _("The resident population must be a whole number above 0.")
    if not (source or "").strip():
        errors["source"] = _("Say where the figure comes from (for example the census communiqué).")
    elif len(source.strip()) > 200:
        errors["source"] = _("At most 200 characters.")
    return errors


@transaction.atomic
def population_set(*, region: Region, year: int, resident_population: int, source: str,
                   actor) -> tuple[RegionPopulation, bool]:
    """Sets the region's resident population (常住人口) for a year, replacing that year's figure.

    Returns the figure and whether it was new. A figure set by a person is official (not synthetic).
    The next recompute uses it for snapshot dates in that year or later (the latest year on or before
    the snapshot date's year). One audit row with the figure before and after; setting the same figure
    again changes nothing and writes no audit row.
    """
    require(policies.sets_population_of(actor, region),
            _("Only the officials of this region or of an area containing it set its population."))
    errors = _population_errors(year=year, resident_population=resident_population, source=source)
    if errors:
        raise ValidationError(errors)
    source = source.strip()
    figure = RegionPopulation.objects.select_for_update().filter(region=region, year=year).first()
    created = figure is None
    before = None if created else {"resident_population": figure.resident_population, "source": figure.source,
                                   "is_synthetic": figure.is_synthetic}
    after = {"resident_population": resident_population, "source": source, "is_synthetic": False}
    if before == after:
        return figure, False
    if created:
        # ON CONFLICT: two officials setting the same year at once both succeed, the later one wins.
        RegionPopulation.objects.bulk_create(
            [RegionPopulation(region=region, year=year, **after)], update_conflicts=True,
            unique_fields=["region", "year"], update_fields=["resident_population", "source", "is_synthetic"])
        figure = RegionPopulation.objects.get(region=region, year=year)
    else:
        for key, value in after.items():
            setattr(figure, key, value)
        figure.save(update_fields=list(after))
    audit_record(actor=actor, action="population.set", target_type="regions.regionpopulation",
                 target_id=f"{region.code}:{year}", region_code=region.code, before=before,
                 after={"year": year, **after})
    return figure, created


@dataclass
class PopulationUpload:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = True
    figures: list[RegionPopulation] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


def _cell_error(row: int, column: str, message: str) -> str:
    return _("Row %(row)d, column %(column)s: %(message)s") % {"row": row, "column": column, "message": message}


def populations_upload(*, rows: list[UploadRow], actor, dry_run: bool = False) -> PopulationUpload:
    """Checks every row of a population table and, unless it is a dry run, writes them all.

    All-or-nothing: any problem raises a ValidationError on `file` listing every row and column at fault
    (in the user's language), and nothing is written. Every region must lie in the actor's area.
    Idempotent: uploading the same table again changes nothing. One audit row for the upload.
    """
    require(policies.uploads_populations(actor), _("Only officials and administrators upload population figures."))
    problems: list[str] = []
    codes = {r.values.get("code", "") for r in rows}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    this_year = timezone.localdate().year
    parsed: dict[tuple[str, int], tuple[int, RegionPopulation]] = {}
    for row in rows:
        v = row.values
        code, raw_year, raw_population, source = (v.get("code", ""), v.get("year", ""),
                                                  v.get("resident_population", ""), v.get("source", ""))
        row_problems = []
        region = regions.get(code)
        if not re.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{9}", code):
            row_problems.append(("code", _("%(code)r is not a division code of 2, 4, 6 or 9 digits.") % {
                "code": code}))
        elif region is None:
            row_problems.append(("code", _("no region has the code %(code)s (load its province first).") % {
                "code": code}))
        elif not policies.sets_population_of(actor, region):
            row_problems.append(("code", _("%(code)s %(name)s is outside your area.") % {
                "code": code, "name": region.name}))
        year = int(raw_year) if re.fullmatch(r"\d{4}", raw_year) else None
        if year is None or not FIRST_YEAR <= year <= this_year:
            row_problems.append(("year", _("%(value)r is not a year between %(first)d and %(last)d.") % {
                "value": raw_year, "first": FIRST_YEAR, "last": this_year}))
        digits = raw_population.replace(",", "")
        population = int(digits) if re.fullmatch(r"\d{1,10}", digits) else None
        if population is None or not 0 < population <= MAX_POPULATION:
            row_problems.append(("resident_population", _("%(value)r is not a whole number above 0.") % {
                "value": raw_population}))
        if not source:
            row_problems.append(("source", _("empty; every figure needs its source.")))
        elif len(source) > 200:
            row_problems.append(("source", _("longer than 200 characters.")))
        if not row_problems and (code, year) in parsed:
            row_problems.append(("year", _("row %(other)d already gives %(code)s a figure for %(year)d.") % {
                "other": parsed[(code, year)][0], "code": code, "year": year}))
        if row_problems:
            problems += [_cell_error(row.number, column, message) for column, message in row_problems]
            continue
        parsed[(code, year)] = (row.number, RegionPopulation(region_id=code, year=year, resident_population=population,
                                                             source=source, is_synthetic=False))
    if problems:
        raise ValidationError({"file": problems})

    figures = [figure for _row, figure in parsed.values()]
    existing = {(p.region_id, p.year): (p.resident_population, p.source, p.is_synthetic)
                for p in RegionPopulation.objects.filter(region_id__in={f.region_id for f in figures})}
    changed = [f for f in figures if existing.get((f.region_id, f.year)) != (f.resident_population, f.source, False)]
    created = sum(1 for f in changed if (f.region_id, f.year) not in existing)
    result = PopulationUpload(created=created, updated=len(changed) - created, unchanged=len(figures) - len(changed),
                              dry_run=dry_run, figures=figures)
    if dry_run or not changed:
        return result
    with transaction.atomic():
        RegionPopulation.objects.bulk_create(
            changed, batch_size=2000, update_conflicts=True, unique_fields=["region", "year"],
            update_fields=["resident_population", "source", "is_synthetic"])
        area = policies.area_of(actor) or ""
        audit_record(actor=actor, action="populations.upload", target_type="regions.regionpopulation",
                     target_id=str(len(figures)), region_code=area,
                     after={"created": result.created, "updated": result.updated,
                            "years": sorted({f.year for f in figures})})
    return result

