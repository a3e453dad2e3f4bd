"""Officials' dashboards: one page per region, drilling down through its child regions.

Every page reads the precomputed snapshot rows and rankings only (see selectors.py), so its number
of SQL queries is fixed whatever the number of child regions.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import policies
from metrics.models import RankingRun
from portal.demo import REAL_FIGURES_ON
from regions import codes
from regions.models import Region

from . import exports, tables
from .forms import PlannerForm, SnapshotDateForm
from .selectors import GEO_DIR, AreaData, area_data, area_for, home_code, snapshot_for, snapshot_rows


def _level_plural(level: str | None) -> str:
    return {
        "city": _("Cities"), "county": _("Counties and districts"), "township": _("Townships and streets"),
    }.get(level or "", _("Regions"))


def _float(value):
    return None if value is None else float(value)


def _chart_data(data: AreaData) -> dict:
    """Everything the charts draw, handed to static/js/dashboard.js through a json_script block."""
    date_q = f"?date={data.snapshot.date.isoformat()}" if data.snapshot else ""
    children = [
        {"code": r.region_id, "name": r.region.name, "value": _float(tables.quantize(r.places_per_1000)),
         "places": r.places, "population": r.resident_population,
         "url": reverse("dashboards:area", args=[r.region_id]) + date_q}
        for r in data.children
    ]
    indicators = tables.ranking_indicators(data.entries)
    target = data.row.target_per_1000 if data.row else None
    return {
        "map": {"name": f"region-{data.map.code}", "url": static(f"geo/hebei/{data.map.file}")} if data.map else None,
        "children": children,
        "target": _float(target),
        "trend": {
            "dates": [t["snapshot__date"].isoformat() for t in data.trend],
            "places": [t["places"] for t in data.trend],
            "enrolled": [t["enrolled"] for t in data.trend],
            "rate": [_float(tables.quantize(t["places_per_1000"])) for t in data.trend],
            "target": [_float(t["target_per_1000"]) for t in data.trend],
            "syntheticFrom": data.synthetic_from.isoformat() if data.synthetic_from else None,
        },
        "ranking": {
            "regions": [e.region.name for e in data.entries],
            "indicators": [
                {"label": str(tables.indicator_label(k)),
                 "points": [_float(tables.quantize((e.breakdown.get(k) or {}).get("points"))) for e in data.entries]}
                for k in indicators
            ],
        },
        "labels": {
            "rate": _("Places per 1,000"), "places": _("Places"), "enrolled": _("Enrolled children"),
            "target": _("Target"), "notProvided": _("population not provided"), "points": _("Points"),
            "noRegion": _("no current region has this boundary's code"),
            "synthetic": _("synthetic demo data from here"),
        },
    }


def _region_table(data: AreaData, child_label: str) -> tables.Table:
    """The child regions, plus a row for what is not assigned to any of them: the rows add up to the area."""
    return tables.region_table(data.children, child_label, area_row=data.row, child_level=data.child_level)


def _crumbs(user, area) -> list[dict]:
    """The area's ancestors; those inside the user's own area link to their dashboards."""
    own = policies.area_of(user)
    return [{"name": r.name, "url": reverse("dashboards:area", args=[r.code]) if codes.contains(own, r.code) else None}
            for r in area.breadcrumb_ancestors]


def _date_form(request) -> SnapshotDateForm:
    return SnapshotDateForm(request.GET if request.GET.get("date") else None)


def _show_date_of(form: SnapshotDateForm, data) -> None:
    """An unasked date field shows the date the figures are of, not an empty field."""
    if data.snapshot and not form.is_bound:
        form.initial["date"] = data.snapshot.date


def _ranking_kind(request) -> str:
    """The ranking period shown: the quarter by default, or ?ranking=half / year."""
    kind = request.GET.get("ranking", "")
    return kind if kind in RankingRun.PeriodKind.values else RankingRun.PeriodKind.QUARTER


@login_required
@require_GET
def area(request, code: str | None = None):
    """The dashboard of one region: headline cards, map, child-region table, trends, ranking, pilots."""
    if code is None and policies.is_admin(request.user):
        return render(request, "dashboards/choose.html",
                      {"provinces": Region.objects.filter(level=Region.Level.PROVINCE).order_by("code")})
    region = area_for(request.user, code or home_code(request.user))
    form = _date_form(request)
    data = area_data(request.user, region, form.chosen(), ranking_kind=_ranking_kind(request))
    _show_date_of(form, data)
    child_label = _level_plural(data.child_level)
    context = {
        "area": region, "crumbs": _crumbs(request.user, region), "data": data, "form": form, "row": data.row,
        "snapshot": data.snapshot,
        "child_label": child_label,
        "region_table": _region_table(data, child_label),
        "ranking_table": tables.ranking_table(data.ranking, data.entries) if data.ranking else None,
        "pilots_table": tables.pilots_table(data.children, data.reporting),
        "composition_table": tables.composition_table(data.children),
        "supervision_table": tables.supervision_table(data.children),
        "trend_table": tables.trend_table(data.trend),
        "chart_data": _chart_data(data),
        "published_date": REAL_FIGURES_ON,
        "date_q": f"?date={data.snapshot.date.isoformat()}" if data.snapshot else "",
        "ranking_kind": _ranking_kind(request), "ranking_kinds": RankingRun.PeriodKind.choices,
        "ranking_q": f"&ranking={_ranking_kind(request)}" if data.snapshot and request.GET.get("ranking") else "",
    }
    return render(request, "dashboards/area.html", context)


@login_required
@require_GET
def report(request, code: str):
    """The printable quarterly report of an area: headline, map, child regions, ranking, pilots."""
    region = area_for(request.user, code)
    form = _date_form(request)
    data = area_data(request.user, region, form.chosen(), with_history=False, ranking_kind=_ranking_kind(request))
    child_label = _level_plural(data.child_level)
    return render(request, "dashboards/report.html", {
        "area": region, "crumbs": _crumbs(request.user, region), "data": data, "row": data.row,
        "snapshot": data.snapshot, "child_label": child_label,
        "region_table": _region_table(data, child_label),
        "ranking_table": tables.ranking_table(data.ranking, data.entries) if data.ranking else None,
        "pilots_table": tables.pilots_table(data.children, data.reporting),
        "chart_data": _chart_data(data),
        "date_q": f"?date={data.snapshot.date.isoformat()}" if data.snapshot else "",
    })


def _headline(row) -> list[tuple[str, str]]:
    if row is None:
        return []
    rate = tables.fmt(row.places_per_1000, tables.RATE) if row.places_per_1000 is not None else _(
        "population not provided")
    return [
        (_("Filed institutions"), tables.fmt(row.institutions)),
        (_("Places"), tables.fmt(row.places)),
        (_("Places per 1,000"), _("%(rate)s (target %(target)s)") % {
            "rate": rate, "target": tables.fmt(row.target_per_1000, tables.RATE)}),
        (_("Places / residents"), f"{tables.fmt(row.places)} / {tables.fmt(row.resident_population) or '—'}"),
        (_("Enrolled children"), tables.fmt(row.enrolled)),
        (_("Utilisation"), tables.fmt(tables.percent(row.utilisation), tables.PCT) or "—"),
        (_("Inclusive share"), tables.fmt(tables.percent(row.inclusive_share), tables.PCT) or "—"),
        (_("Pilots completed"), f"{row.pilots_completed:,} / {row.pilots_designated:,}"),
        (_("Filings pending / overdue"), f"{row.filings_pending:,} / {row.filings_overdue:,}"),
        (_("Filed institutions inspected this year"), f"{row.inspected_institutions:,} / {row.institutions:,}"),
        (_("Rectified on time / due"), f"{row.rectifications_on_time:,} / {row.rectifications_due:,}"),
        (_("Verified on time / due"), f"{row.verifications_on_time:,} / {row.verifications_due:,}"),
        (_("Complaints open"), f"{row.complaints_open:,}"),
    ]


@login_required
@require_GET
def report_pdf(request, code: str):
    region = area_for(request.user, code)
    data = area_data(request.user, region, _date_form(request).chosen(), with_history=False,
                     ranking_kind=_ranking_kind(request))
    with translation.override(exports.EXPORT_LANGUAGE):
        child_label = _level_plural(data.child_level)
        table_list = [_region_table(data, child_label)]
        if data.ranking:
            table_list.append(tables.ranking_table(data.ranking, data.entries))
        table_list.append(tables.pilots_table(data.children, data.reporting))
        # The dashboard's supervision table, each rate beside its numerator and denominator.
        table_list.append(tables.supervision_table(data.children))
        if data.snapshot is None:
            subtitle = _("No figures have been computed for this area and date yet.")
        else:
            subtitle = _("Snapshot of %(date)s. Places per 1,000 residents = places of filed, active institutions "
                         "÷ resident population × 1,000.") % {"date": data.snapshot.date.isoformat()}
        content = exports.pdf_bytes(
            title=_("%(region)s childcare services: quarterly report") % {"region": region.name},
            subtitle=subtitle,
            headline=_headline(data.row),
            tables=table_list,
            notes=[
                *([_("Ranking: %(start)s to %(end)s, version %(version)s (%(status)s).") % {
                    "start": data.ranking.period_start.isoformat(), "end": data.ranking.period_end.isoformat(),
                    "version": data.ranking.version, "status": data.ranking.get_status_display()}]
                  if data.ranking else []),
                *([_("Progress reports from %(start)s to %(end)s (the quarter of the snapshot).") % {
                    "start": data.reporting_period[0].isoformat(), "end": data.reporting_period[1].isoformat()}]
                  if data.snapshot else []),
            ],
            region_map=_pdf_map(data),
        )
    return exports.pdf_response(content, f"report-{region.code}-{_file_date(data)}.pdf")


def _pdf_map(data: AreaData) -> dict | None:
    """The PDF map of the child regions, from the dashboard's boundary file (none for a township)."""
    if data.map is None or not data.children:
        return None
    geojson = json.loads((GEO_DIR / data.map.file).read_text(encoding="utf-8"))
    return {
        "title": _("Places per 1,000 residents by region"),
        "geojson": geojson,
        "values": {r.region_id: float(r.places_per_1000) if r.places_per_1000 is not None else None
                   for r in data.children},
        "names": {r.region_id: r.region.name for r in data.children},
        "no_data_label": _("No figures"),
    }


def _file_date(data: AreaData) -> str:
    return data.snapshot.date.isoformat() if data.snapshot else "no-snapshot"


EXPORT_TABLES = ("regions", "composition", "supervision", "ranking", "pilots", "trend", "planner", "all")


@login_required
@require_GET
def export(request, code: str, table: str, fmt: str):
    """One dashboard table (or all of them, as XLSX sheets) as CSV or XLSX, for the same area and date.

    Without a snapshot (or a ranking) the file still comes, with its headers and no rows: an export
    link never fails for a user who may see the area."""
    if table not in EXPORT_TABLES or fmt not in ("csv", "xlsx") or (table == "all" and fmt == "csv"):
        raise Http404("no such export")
    region = area_for(request.user, code)
    form = _date_form(request)
    with translation.override(exports.EXPORT_LANGUAGE):
        data = area_data(request.user, region, form.chosen(), with_history=table in ("trend", "all"),
                         ranking_kind=_ranking_kind(request))
        child_label = _level_plural(data.child_level)
        built = {
            "regions": lambda: _region_table(data, child_label),
            "composition": lambda: tables.composition_table(data.children),
            "supervision": lambda: tables.supervision_table(data.children),
            "ranking": lambda: tables.ranking_table(data.ranking, data.entries),
            "pilots": lambda: tables.pilots_table(data.children, data.reporting),
            "trend": lambda: tables.trend_table(data.trend),
            "planner": lambda: _planner(request, data)[0],
        }
        names = list(built) if table == "all" else [table]
        result = [built[n]() for n in names]
        title = _("%(region)s, snapshot of %(date)s") % {"region": region.name, "date": _file_date(data)}
    filename = f"{table}-{region.code}-{_file_date(data)}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(result[0], filename)
    return exports.xlsx_response(result, filename, title=title)


def _planner(request, data: AreaData):
    form = PlannerForm(request.GET or None)
    values = form.values(data.snapshot.date if data.snapshot else timezone.localdate())
    if not request.GET.get("target"):
        form = PlannerForm(initial={"target": values["target"], "year": values["year"],
                                    "inclusive_share": values["inclusive_share"]})
    rows = list(data.children) + ([data.row] if data.row else [])
    table = tables.planner_table(rows, target=values["target"], share=values["inclusive_share"],
                                 years=values["years"])
    return table, form, values


@login_required
@require_GET
def planner(request, code: str):
    """Places needed per child region to reach a target by a year, and the inclusive part of them."""
    region = area_for(request.user, code)
    form = _date_form(request)
    snapshot = snapshot_for(form.chosen())
    row, children = snapshot_rows(request.user, region, snapshot)
    data = AreaData(area=region, snapshot=snapshot, row=row, children=children)
    context = {"area": region, "crumbs": _crumbs(request.user, region), "data": data, "snapshot": snapshot,
               "row": row}
    if snapshot is not None:
        table, planner_form, values = _planner(request, data)
        context.update(table=table, planner_form=planner_form, values=values,
                       query=request.GET.urlencode(), total_code=region.code)
    return render(request, "dashboards/planner.html", context)
