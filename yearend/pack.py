"""The annual assessment pack of the "Healthy China · Hebei Action" demonstration project: for a province (an
overview of its cities) or one city, and a year — the year's rankings (quarterly, half-yearly and the
year-end total ranking), the half-year reports, the year-end reporting rates and the figures of the other
programmes, each with its numerator and denominator. One set of tables, shown as a page, a PDF and an XLSX.

The programmes' figures come from `pack_figures(*, year, city_codes)` of each module in PACK_SECTIONS:
{city code: [{"label", "numerator", "denominator" (or None), "note"}]}.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import demonstration.selectors
import mentoring.selectors
import training.selectors
import yearend.selectors
from dashboards import exports
from dashboards.tables import (
    DECIMAL,
    INT,
    PCT,
    TEXT,
    Column,
    Table,
    indicator_label,
    quantize,
    ranking_indicators,
    ranking_table,
)
from metrics.models import RankingEntry, RankingRun
from pilots.models import ProgressReport, ProgressReportTemplate
from pilots.reporting import reporting_rates as progress_rates
from regions import codes
from regions.models import Region

from . import selectors

# The programmes whose figures the pack shows: (module, its section title). One list, one place.
PACK_SECTIONS = [
    (demonstration.selectors, gettext_lazy("Demonstration-city creation")),
    (training.selectors, gettext_lazy("Caregiver training")),
    (mentoring.selectors, gettext_lazy("Mentoring and integrated medical care")),
    (yearend.selectors, gettext_lazy("Year-end reports of the institutions")),
]


YEARS = (2000, 2100)  # the years a pack can be asked for


@dataclass
class PackData:
    region: Region
    year: int
    cities: list[Region]
    runs: list[RankingRun] = field(default_factory=list)
    entries: dict[int, list[RankingEntry]] = field(default_factory=dict)
    half_year_templates: list[ProgressReportTemplate] = field(default_factory=list)
    half_year_rates: dict[int, dict[str, dict]] = field(default_factory=dict)
    half_year_reports: list[ProgressReport] = field(default_factory=list)
    yearend_rates: dict[str, selectors.Rate] = field(default_factory=dict)
    yearend_area_names: dict[str, str] = field(default_factory=dict)
    sections: list[tuple[str, str, dict[str, list[dict]]]] = field(default_factory=list)  # programme, title, figures

    @property
    def is_province(self) -> bool:
        return codes.is_level(self.region.code, codes.PROVINCE)


def _latest_runs(province: str, year: int) -> list[RankingRun]:
    """Per period of the year (quarters, halves, the year), the latest published version, else the latest
    draft (the pack says which)."""
    runs = (RankingRun.objects.filter(scope_id=province, period_end__gte=datetime.date(year, 1, 1),
                                      period_end__lte=datetime.date(year, 12, 31))
            .order_by("period_kind", "period_start", "-version"))
    chosen: dict[tuple, RankingRun] = {}
    for run in runs:
        key = (run.period_kind, run.period_start)
        best = chosen.get(key)
        if best is None or (run.status == RankingRun.Status.PUBLISHED and best.status != RankingRun.Status.PUBLISHED):
            chosen[key] = run
    order = {RankingRun.PeriodKind.QUARTER: 0, RankingRun.PeriodKind.HALF: 1, RankingRun.PeriodKind.YEAR: 2}
    return sorted(chosen.values(), key=lambda r: (order.get(r.period_kind, 9), r.period_start))


def pack_data(*, region: Region, year: int) -> PackData:
    """Everything the pack shows, in a fixed number of queries (one more per programme section)."""
    province = codes.province_of(region.code)
    if codes.is_level(region.code, codes.PROVINCE):
        cities = list(Region.objects.filter(parent_id=region.code, level=Region.Level.CITY).order_by("code"))
    else:
        cities = [region]
    city_codes = [c.code for c in cities]
    data = PackData(region=region, year=year, cities=cities)
    data.runs = _latest_runs(province, year)
    entries = (RankingEntry.objects.filter(run__in=[r.pk for r in data.runs], region_id__in=city_codes)
               .select_related("region").order_by("run_id", "rank"))
    for e in entries:
        data.entries.setdefault(e.run_id, []).append(e)
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    data.half_year_templates = list(ProgressReportTemplate.objects.filter(
        region_id=province, frequency=ProgressReportTemplate.Frequency.HALF_YEARLY).prefetch_related("fields"))
    for t in data.half_year_templates:
        data.half_year_rates[t.pk] = progress_rates(region_code=region.code, group_length=4, start=start, end=end,
                                                    template=t)
    data.half_year_reports = list(ProgressReport.objects.filter(
        template__in=data.half_year_templates, region_id__in=city_codes, date__gte=start, date__lte=end)
        .select_related("region", "template").order_by("template_id", "region_id", "date"))
    group = 4 if data.is_province else 6
    data.yearend_rates = selectors.reporting_rates(year=year, area=region.code, group_length=group)
    data.yearend_area_names = dict(Region.objects.filter(code__in=list(data.yearend_rates))
                                   .values_list("code", "name"))
    for module, title in PACK_SECTIONS:
        data.sections.append((module.__name__.split(".")[0], str(title),
                              module.pack_figures(year=year, city_codes=city_codes)))
    return data


def pack_title(data: PackData) -> str:
    return _("%(region)s: annual assessment pack %(year)d") % {"region": data.region.name, "year": data.year}


def _rate(numerator, denominator) -> Decimal | None:
    if denominator in (None, 0) or numerator is None:
        return None
    return quantize(Decimal(numerator) * 100 / Decimal(denominator), 1)


def _period_label(run: RankingRun) -> str:
    if run.period_kind == RankingRun.PeriodKind.YEAR:
        return _("Year-end total ranking %(year)d") % {"year": run.period_start.year}
    if run.period_kind == RankingRun.PeriodKind.HALF:
        return _half_label(run.period_start, _("First-half ranking %(year)d"), _("Second-half ranking %(year)d"))
    return _("Quarterly ranking %(year)d Q%(n)d") % {"year": run.period_start.year,
                                                     "n": (run.period_start.month - 1) // 3 + 1}


def _half_label(start: datetime.date, first: str, second: str) -> str:
    return (first if start.month <= 6 else second) % {"year": start.year}


def _run_note(run: RankingRun) -> str:
    status = run.get_status_display()
    return _("%(start)s to %(end)s, version %(version)d, %(status)s") % {
        "start": run.period_start.isoformat(), "end": run.period_end.isoformat(), "version": run.version,
        "status": status}


def pack_tables(data: PackData, *, export: bool = False) -> list[Table]:
    """The pack's tables in order. `export`: sheet-safe titles (the XLSX names its sheets after them)."""
    out: list[Table] = []
    # 1. Rankings: each city's rank in every ranking of the year (one column per ranking), and the year-end
    # total ranking in full, each score broken down by indicator.
    columns = [Column("region", _("Region"), TEXT)]
    for run in data.runs:
        label = _period_label(run) + ("" if run.is_frozen else f" ({run.get_status_display()})")
        columns.append(Column(f"rank-{run.pk}", label))
    rankings = Table("rankings", _("Rankings of the year"), columns)
    ranks = {(e.run_id, e.region_id): e.rank for entries in data.entries.values() for e in entries}
    for city in data.cities:
        rankings.add(city.code, [city.name, *[ranks.get((run.pk, city.code)) for run in data.runs]])
    if data.runs:
        out.append(rankings)
    for run in data.runs:
        if run.period_kind == RankingRun.PeriodKind.YEAR and data.is_province:
            table = ranking_table(run, data.entries.get(run.pk, []))
            table.slug = "year-ranking"
            table.title = f"{_period_label(run)} ({_run_note(run)})"
            out.append(table)
        elif run.period_kind == RankingRun.PeriodKind.YEAR:
            table = Table("year-ranking", f"{_period_label(run)} ({_run_note(run)})", [
                Column("region", _("Region"), TEXT), Column("rank", _("Rank")), Column("score", _("Score"), DECIMAL),
                *[Column(k, indicator_label(k), DECIMAL) for k in ranking_indicators(data.entries.get(run.pk, []))]])
            for e in data.entries.get(run.pk, []):
                breakdown = e.breakdown or {}
                table.add(e.region_id, [e.region.name, e.rank, quantize(e.score), *[
                    quantize((breakdown.get(k) or {}).get("points"))
                    for k in ranking_indicators(data.entries.get(run.pk, []))]])
            out.append(table)
    # 2. Half-year reports: expected, received and on time per city, then each report's values.
    names = {c.code: c.name for c in data.cities}
    half = Table("half-year", _("Half-year reports"), [
        Column("template", _("Report"), TEXT), Column("region", _("Region"), TEXT),
        Column("expected", _("Reports expected")), Column("actual", _("Reports received")),
        Column("on_time", _("On time")), Column("rate", _("Received (%)"), PCT)])
    for t in data.half_year_templates:
        rates = data.half_year_rates.get(t.pk, {})
        for city in data.cities:
            r = rates.get(city.code, {"expected": 0, "actual": 0, "on_time": 0})
            half.add(city.code, [t.name, city.name, r["expected"], r["actual"], r["on_time"],
                                 _rate(r["actual"], r["expected"])])
    if data.half_year_templates:
        out.append(half)
    if data.half_year_reports:
        detail = Table("half-year-reports", _("Half-year reports received"), [
            Column("region", _("Region"), TEXT), Column("period", _("Period"), TEXT),
            Column("submitted", _("Submitted"), TEXT), Column("on_time", _("On time"), TEXT),
            Column("values", _("Values"), TEXT)])
        for r in data.half_year_reports:
            values = "；".join(f"{f.label}：{str(r.values[f.code]).rstrip('。')}"
                               for f in r.template.fields.all() if r.values.get(f.code) not in (None, ""))
            detail.add(r.region_id, [names.get(r.region_id, r.region_id),
                                     _half_label(r.date, _("First half of %(year)d"), _("Second half of %(year)d")),
                                     r.submitted_at.date().isoformat(), _("yes") if r.on_time else _("no"), values])
        out.append(detail)
    # 3. Year-end reporting rates (cities of a province; counties of a city).
    yearend_table = Table("yearend", _("Year-end reporting"), [
        Column("region", _("Region"), TEXT), Column("due", _("Reports due")), Column("submitted", _("Submitted")),
        Column("submitted_pct", _("Submitted (%)"), PCT), Column("on_time", _("On time")),
        Column("late", _("Late")), Column("accepted", _("Accepted by the county")), Column("returned", _("Returned")),
        Column("missing", _("Not submitted"))])
    for code, rate in sorted(data.yearend_rates.items()):
        yearend_table.add(code, [data.yearend_area_names.get(code, code), rate.due, rate.submitted,
                                 _rate(rate.submitted, rate.due), rate.on_time, rate.late, rate.accepted,
                                 rate.returned, rate.missing])
    out.append(yearend_table)
    # 4. The programmes' figures as each programme gives them: numerator beside denominator (none for a count).
    # No rate column: not every pair is a share (a rank among the cities ranked is not a percentage).
    for n, (_programme, title, figures) in enumerate(data.sections, start=1):
        rows = [(city, fig) for city in data.cities for fig in figures.get(city.code, [])]
        numbers = [_number(v) for _c, f in rows for v in (f["numerator"], f.get("denominator")) if v is not None]
        kind = INT if all(v == v.to_integral_value() for v in numbers) else DECIMAL
        table = Table(f"programme-{n}", title, [
            Column("region", _("Region"), TEXT), Column("label", _("Figure"), TEXT),
            Column("numerator", _("Numerator"), kind), Column("denominator", _("Denominator"), kind),
            Column("note", _("Note"), TEXT)])
        for city, fig in rows:
            numerator, denominator = _number(fig["numerator"]), _number(fig.get("denominator"))
            if kind == INT:
                numerator, denominator = (None if v is None else int(v) for v in (numerator, denominator))
            table.add(city.code, [city.name, fig["label"], numerator, denominator, fig.get("note", "")])
        out.append(table)
    if export:
        for i, table in enumerate(out, start=1):
            table.title = f"{i} {str(table.title).split(' (')[0]}"[:31]
    return out


def _number(value):
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def pack_pdf(data: PackData) -> bytes:
    with translation.override(exports.EXPORT_LANGUAGE):
        total = selectors.Rate(code=data.region.code)
        for rate in data.yearend_rates.values():
            total.add(rate)
        headline = [
            (_("Region"), data.region.name),
            (_("Year"), str(data.year)),
            (_("Rankings of the year"), str(len(data.runs))),
            (_("Half-year reports received"), str(len(data.half_year_reports))),
            (_("Year-end reports submitted / due"), f"{total.submitted:,} / {total.due:,}"),
            (_("Submitted on time / due"), f"{total.on_time:,} / {total.due:,}"),
        ]
        return exports.pdf_bytes(
            title=pack_title(data),
            subtitle=_("Rankings, half-year reports, year-end reporting and the programmes' figures of %(year)d; "
                       "every rate beside its numerator and denominator.") % {"year": data.year},
            headline=headline, tables=pack_tables(data),
            notes=[_("Year-end reports: institutions filed and not cancelled on 31 December owe one (working "
                     "definition); on time = first submitted by the deadline."),
                   _("A ranking shown as a draft is not published yet.")])
