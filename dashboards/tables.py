"""The dashboard's tables, defined once and rendered four ways: HTML, CSV, XLSX and PDF.

A `Table` holds raw values (ints, Decimals, None for "not provided"); formatting happens only at
display, so an export carries the same numbers the snapshot rows hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TEXT, INT, RATE, PCT, SIGNED, DECIMAL = "text", "int", "rate", "pct", "signed", "decimal"


@dataclass
class Column:
    key: str
    label: str
    kind: str = INT

    @property
    def numeric(self) -> bool:
        return self.kind != TEXT


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # the region code of each row, for links and sorting

    def add(self, code: str, row: list) -> None:
        """One row and the region code it is for (codes and rows stay aligned)."""
        self.codes.append(code)
        self.rows.append(row)

    def records(self):
        """(code, [Cell, ...]) per row, formatted here once rather than cell by cell in template filters."""
        for code, row in zip(self.codes, self.rows, strict=True):
            yield code, [Cell(column, value) for column, value in zip(self.columns, row, strict=True)]


class Cell:
    __slots__ = ("column", "value", "text", "sort")

    def __init__(self, column: Column, value):
        self.column = column
        self.value = value
        self.text = fmt(value, column.kind) if column.kind != TEXT else ("" if value is None else str(value))
        self.sort = "" if value is None else value


def quantize(value, places: int = 2) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(ratio, places: int = 1) -> Decimal | None:
    """A stored ratio (0.523) as a percentage (52.3)."""
    return None if ratio is None else quantize(Decimal(ratio) * 100, places)


def fmt(value, kind: str = INT) -> str:
    """Display form; None is an empty string here, templates say "not provided" where it matters."""
    if value is None:
        return ""
    if kind == INT:
        return f"{int(value):,}"
    if kind == SIGNED:
        return f"{int(value):+,}"
    if kind == RATE:
        return f"{quantize(value, 2):,}"
    if kind == PCT:
        return f"{quantize(value, 1)}%"
    if kind == DECIMAL:
        return f"{quantize(value, 2)}"
    return str(value)


def rate_bar(rate, target) -> int:
    """Width in percent of a bar showing a rate against its target (capped at 100)."""
    if rate is None or not target:
        return 0
    return max(0, min(100, int(Decimal(rate) / Decimal(target) * 100)))


# --- The tables ------------------------------------------------------------------------------------

# Institutions are filed at a county's code or one of its townships' codes, so only a county's child regions
# (townships) can leave some of the area's institutions out.
UNASSIGNED = {"township": _("Not assigned to a township or street")}
# The counts that add up from child regions to their parent.
SUMMED = ["institutions", "places", "places_inclusive", "enrolled", "pilots_completed", "pilots_designated",
          "filings_pending", "filings_overdue"]


def unassigned_row(area_row, children) -> dict | None:
    """What the area's own row holds beyond the sum of its child regions: institutions filed at the area's
    own code (a county's institutions not assigned to a township). None when the rows already add up."""
    if area_row is None:
        return None
    rest = {k: getattr(area_row, k) - sum(getattr(r, k) for r in children) for k in SUMMED}
    if not any(rest.values()):
        return None
    if area_row.places_change is not None and all(r.places_change is not None for r in children):
        rest["places_change"] = area_row.places_change - sum(r.places_change for r in children)
    else:
        rest["places_change"] = None
    return rest


def region_table(rows, child_level_label: str = "", *, area_row=None, child_level: str | None = None) -> Table:
    """Every metric of each child region, with the gap to target; with the area's row, a last row for what
    is not assigned to any child region, so the rows add up to the area's headline."""
    columns = [
        Column("region", child_level_label or _("Region"), TEXT),
        Column("code", _("Division code"), TEXT),
        Column("institutions", _("Filed institutions")),
        Column("places", _("Places")),
        Column("places_inclusive", _("Inclusive places")),
        Column("enrolled", _("Enrolled children")),
        Column("resident_population", _("Resident population")),
        Column("places_per_1000", _("Places per 1,000"), RATE),
        Column("target_per_1000", _("Target per 1,000"), RATE),
        Column("target_gap", _("Places still needed"), INT),
        Column("utilisation", _("Utilisation (%)"), PCT),
        Column("inclusive_share", _("Inclusive share (%)"), PCT),
        Column("places_change", _("Change in places"), SIGNED),
        Column("pilots_completed", _("Pilots completed")),
        Column("pilots_designated", _("Pilots designated")),
        Column("filings_pending", _("Filings pending")),
        Column("filings_overdue", _("Filings overdue")),
    ]
    table = Table("regions", _("Child regions"), columns)
    for r in rows:
        table.add(r.region_id, [
            r.region.name, r.region_id, r.institutions, r.places, r.places_inclusive, r.enrolled,
            r.resident_population, quantize(r.places_per_1000), quantize(r.target_per_1000), r.target_gap,
            percent(r.utilisation), percent(r.inclusive_share), r.places_change, r.pilots_completed,
            r.pilots_designated, r.filings_pending, r.filings_overdue,
        ])
    rest = unassigned_row(area_row, rows) if rows and child_level in UNASSIGNED else None
    if rest is not None:
        places = rest["places"]
        table.add("", [
            str(UNASSIGNED[child_level]), "", rest["institutions"],
            places, rest["places_inclusive"], rest["enrolled"], None, None, None, None,
            percent(Decimal(rest["enrolled"]) / places) if places > 0 else None,
            percent(Decimal(rest["places_inclusive"]) / places) if places > 0 else None,
            rest["places_change"], rest["pilots_completed"], rest["pilots_designated"], rest["filings_pending"],
            rest["filings_overdue"],
        ])
    return table


def composition_table(rows) -> Table:
    """Places by class type and filed institutions by setting type, per child region."""
    from institutions.models import Institution

    settings_types = list(Institution.SettingType.choices)
    columns = [
        Column("region", _("Region"), TEXT),
        Column("places_infant", _("Infant-class places (6–12 months)")),
        Column("places_younger", _("Younger-toddler places (12–24 months)")),
        Column("places_older", _("Older-toddler places (24–36 months)")),
        Column("places_mixed", _("Mixed-class places")),
        *[Column(f"setting:{value}", label) for value, label in settings_types],
    ]
    table = Table("composition", _("Places by class and institutions by setting"), columns)
    for r in rows:
        by_setting = r.institutions_by_setting or {}
        table.add(r.region_id, [r.region.name, r.places_infant, r.places_younger, r.places_older, r.places_mixed,
                                *[int(by_setting.get(value) or 0) for value, _label in settings_types]])
    return table


def _share(numerator: int, denominator: int) -> Decimal | None:
    return percent(Decimal(numerator) / denominator) if denominator else None


def supervision_table(rows) -> Table:
    """Supervision after filing per child region, this year to the snapshot date: every rate beside its
    numerator and denominator."""
    columns = [
        Column("region", _("Region"), TEXT),
        Column("inspected_institutions", _("Institutions inspected")),
        Column("institutions", _("Filed institutions")),
        Column("inspection_coverage", _("Inspection coverage (%)"), PCT),
        Column("inspections_done", _("Inspections signed off")),
        Column("findings_high", _("High-risk findings")),
        Column("findings_medium", _("Medium-risk findings")),
        Column("findings_low", _("Low-risk findings")),
        Column("findings_per_inspection", _("Findings per inspection"), RATE),
        Column("rectifications_on_time", _("Rectified on time")),
        Column("rectifications_due", _("Rectification orders due")),
        Column("rectification_timeliness", _("Rectification on time (%)"), PCT),
        Column("verifications_on_time", _("Verified on time")),
        Column("verifications_due", _("Verifications due")),
        Column("verification_timeliness", _("Verifications on time (%)"), PCT),
        Column("verifications_overdue", _("Verifications overdue")),
        Column("complaints_open", _("Complaints open")),
    ]
    table = Table("supervision", _("Supervision after filing"), columns)
    for r in rows:
        findings = r.findings_high + r.findings_medium + r.findings_low
        table.codes.append(r.region_id)
        table.rows.append([
            r.region.name, r.inspected_institutions, r.institutions, _share(r.inspected_institutions, r.institutions),
            r.inspections_done, r.findings_high, r.findings_medium, r.findings_low,
            quantize(Decimal(findings) / r.inspections_done) if r.inspections_done else None,
            r.rectifications_on_time, r.rectifications_due, _share(r.rectifications_on_time, r.rectifications_due),
            r.verifications_on_time, r.verifications_due, _share(r.verifications_on_time, r.verifications_due),
            r.verifications_overdue, r.complaints_open,
        ])
    return table


# Labels of the ranking indicators the metrics app computes; an unknown key is shown as it is.
INDICATOR_LABELS = {
    "pilot_completion_rate": _("Pilot completion rate"),
    "places_per_1000": _("Places per 1,000"),
    "places_growth": _("Growth in places"),
    "places_per_1000_growth": _("Growth in places per 1,000"),
    "filing_timeliness": _("Filings decided on time"),
    "filings_on_time_rate": _("Filings decided on time"),
    "report_timeliness": _("Reports on time"),
    "reports_on_time_rate": _("Reports on time"),
    "utilisation": _("Utilisation"),
    "inclusive_share": _("Inclusive share"),
    "inspection_coverage": _("Inspection coverage"),
    "rectification_timeliness": _("Rectification on time"),
    "verification_timeliness": _("Verifications on time"),
}


def indicator_label(key: str) -> str:
    return INDICATOR_LABELS.get(key, key)


def ranking_indicators(entries) -> list[str]:
    """The indicators of a ranking in a stable order (PostgreSQL's jsonb does not keep key order):
    the known ones in INDICATOR_LABELS order, then any others alphabetically."""
    keys = {key for entry in entries for key in (entry.breakdown or {})}
    known = list(INDICATOR_LABELS)
    return sorted(keys, key=lambda k: (known.index(k) if k in known else len(known), k))


def ranking_table(run, entries) -> Table:
    """Rank, score, points per indicator and the move since the previous period."""
    indicators = ranking_indicators(entries)
    columns = [
        Column("rank", _("Rank")),
        Column("region", _("Region"), TEXT),
        Column("score", _("Score"), DECIMAL),
        *[Column(f"points:{key}", indicator_label(key), DECIMAL) for key in indicators],
        Column("previous_rank", _("Previous rank")),
        Column("move", pgettext_lazy("ranking", "Move"), SIGNED),
    ]
    table = Table("ranking", _("Ranking"), columns)
    for e in entries:
        breakdown = e.breakdown or {}
        table.add(e.region_id, [
            e.rank, e.region.name, quantize(e.score),
            *[quantize((breakdown.get(k) or {}).get("points")) for k in indicators],
            e.previous_rank, e.move,
        ])
    return table


def pilots_table(rows, reporting: dict[str, dict]) -> Table:
    """Pilot progress and progress-report completeness (expected / actual / on time) per child region."""
    columns = [
        Column("region", _("Region"), TEXT),
        Column("pilots_designated", _("Pilots designated")),
        Column("pilots_completed", _("Pilots completed")),
        Column("pilot_completion", _("Completion (%)"), PCT),
        Column("reports_expected", _("Reports expected")),
        Column("reports_actual", _("Reports received")),
        Column("reports_on_time", _("Reports on time")),
        Column("reporting_rate", _("Reporting rate (%)"), PCT),
        Column("on_time_rate", _("On-time rate (%)"), PCT),
    ]
    table = Table("pilots", _("Pilots and progress reports"), columns)
    for r in rows:
        rep = reporting.get(r.region_id) or {}
        expected, actual, on_time = rep.get("expected"), rep.get("actual"), rep.get("on_time")
        table.add(r.region_id, [
            r.region.name, r.pilots_designated, r.pilots_completed,
            percent(Decimal(r.pilots_completed) / r.pilots_designated) if r.pilots_designated else None,
            expected, actual, on_time,
            percent(Decimal(actual) / expected) if expected and actual is not None else None,
            percent(Decimal(on_time) / expected) if expected and on_time is not None else None,
        ])
    return table


def trend_table(trend: list[dict]) -> Table:
    columns = [
        Column("date", _("Snapshot date"), TEXT),
        Column("places", _("Places")),
        Column("places_per_1000", _("Places per 1,000"), RATE),
        Column("enrolled", _("Enrolled children")),
        Column("places_inclusive", _("Inclusive places")),
    ]
    table = Table("trend", _("Trend"), columns)
    for t in trend:
        day = t["snapshot__date"].isoformat()
        table.add(day, [day, t["places"], quantize(t["places_per_1000"]), t["enrolled"], t["places_inclusive"]])
    return table


def planner_table(rows, *, target: Decimal, share: Decimal, years: Decimal) -> Table:
    """Places needed to reach `target` per 1,000 at the latest population, and the inclusive part.

    The population is held at its latest figure (no projection is published); regions without a
    population get no figure rather than a guess.
    """
    columns = [
        Column("region", _("Region"), TEXT),
        Column("resident_population", _("Resident population")),
        Column("places", _("Places now")),
        Column("places_per_1000", _("Places per 1,000 now"), RATE),
        Column("places_needed", _("Places at target")),
        Column("places_to_add", _("Places to add")),
        Column("per_year", _("Places to add per year")),
        Column("inclusive_needed", _("Inclusive places at target")),
        Column("inclusive_to_add", _("Inclusive places to add")),
    ]
    table = Table("planner", _("Target planner"), columns)
    for r in rows:
        pop = r.resident_population
        if pop:
            needed = math.ceil(Decimal(pop) * target / 1000)
            to_add = max(0, needed - r.places)
            inclusive_needed = math.ceil(needed * share / 100)
            inclusive_to_add = max(0, inclusive_needed - r.places_inclusive)
            # Spread over the years left; with a year or less left, the whole gap is this year's need
            # (dividing by 0.1 year made a "per year" figure ten times the gap).
            per_year = math.ceil(to_add / years) if years > 1 else to_add
        else:
            needed = to_add = inclusive_needed = inclusive_to_add = per_year = None
        table.add(r.region_id, [r.region.name, pop, r.places, quantize(r.places_per_1000), needed, to_add, per_year,
                                inclusive_needed, inclusive_to_add])
    return table
