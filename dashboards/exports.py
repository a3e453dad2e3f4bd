"""Tables as CSV, XLSX and a PDF report.

Files carry Chinese headers whatever the reader's interface language: they are passed on to other
offices and statistics systems, where the Chinese form is the expected one.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import translation

from .tables import PCT, RATE, SIGNED, TEXT, Table, fmt

EXPORT_LANGUAGE = "zh-hans"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _headers(table: Table) -> list[str]:
    with translation.override(EXPORT_LANGUAGE):
        return [str(c.label) for c in table.columns]


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers(table))
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    # The BOM makes Excel read the file as UTF-8 instead of the system code page.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_response(table: Table, filename: str) -> HttpResponse:
    return _attachment(HttpResponse(csv_bytes(table), content_type="text/csv; charset=utf-8"), filename)


def xlsx_bytes(tables: list[Table], *, title: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    with translation.override(EXPORT_LANGUAGE):
        for table in tables:
            sheet = workbook.create_sheet(str(table.title)[:31])
            start = 1
            if title:
                sheet.cell(row=1, column=1, value=title).font = Font(bold=True)
                start = 3
            for col, column in enumerate(table.columns, start=1):
                sheet.cell(row=start, column=col, value=str(column.label)).font = Font(bold=True)
                sheet.column_dimensions[sheet.cell(row=start, column=col).column_letter].width = (
                    14 if column.kind != TEXT else 18)
            for r, row in enumerate(table.rows, start=start + 1):
                for col, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
                    cell = sheet.cell(row=r, column=col, value=float(value) if isinstance(value, Decimal) else value)
                    if column.kind == RATE:
                        cell.number_format = "0.00"
                    elif column.kind == PCT:
                        cell.number_format = "0.0"
                    elif column.kind == SIGNED:
                        cell.number_format = "+#,##0;-#,##0;0"
                    elif column.kind != TEXT:
                        cell.number_format = "#,##0"
            sheet.freeze_panes = sheet.cell(row=start + 1, column=2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(tables: list[Table], filename: str, *, title: str = "") -> HttpResponse:
    return _attachment(HttpResponse(xlsx_bytes(tables, title=title), content_type=XLSX_TYPE), filename)


# --- PDF -----------------------------------------------------------------------------------------

PDF_FONT = "STSong-Light"  # reportlab's built-in CID font: Chinese without shipping font files


# The dashboard map's colours (static/js/dashboard.js), light = few places per 1,000, dark = many.
MAP_PALETTE = ["#fde0dd", "#fbb4b9", "#f768a1", "#c51b8a", "#7a0177"]
MAP_NO_DATA = "#d9dde3"


def map_drawing(geojson: dict, values: dict[str, float | None], names: dict[str, str], *, width: float,
                height: float, no_data_label: str):
    """The child regions of an area coloured by places per 1,000, as vector shapes for the PDF.

    Boundaries are the dashboard's GeoJSON (longitude/latitude); they are drawn in an equirectangular
    projection with the longitude scaled by the cosine of the middle latitude, which is accurate
    enough for a province. Five equal classes between the lowest and the highest value, and a legend.
    """
    import math

    from reportlab.graphics.shapes import Drawing, Polygon, Rect, String
    from reportlab.lib import colors

    rings: dict[str, list[list[list[float]]]] = {}
    for feature in geojson.get("features", []):
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings.setdefault(feature["properties"]["name"], []).extend(polygon[0] for polygon in polygons)
    points = [pt for code_rings in rings.values() for ring in code_rings for pt in ring]
    drawing = Drawing(width, height)
    if not points:
        return drawing
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    k = math.cos(math.radians((south + north) / 2))
    legend_height = 22
    scale = min(width / ((east - west) * k or 1), (height - legend_height) / ((north - south) or 1))
    x0 = (width - (east - west) * k * scale) / 2

    def project(pt):
        return x0 + (pt[0] - west) * k * scale, legend_height + (pt[1] - south) * scale

    known = [v for v in values.values() if v is not None]
    lo, hi = (math.floor(min(known) * 10) / 10, math.ceil(max(known) * 10) / 10) if known else (0.0, 1.0)
    hi = max(hi, lo + 0.1)

    def colour(value):
        if value is None:
            return colors.HexColor(MAP_NO_DATA)
        return colors.HexColor(MAP_PALETTE[min(len(MAP_PALETTE) - 1, int((value - lo) / (hi - lo) * len(MAP_PALETTE)))])

    for code, code_rings in rings.items():
        for ring in code_rings:
            flat = [c for pt in ring for c in project(pt)]
            drawing.add(Polygon(flat, fillColor=colour(values.get(code)), strokeColor=colors.white, strokeWidth=0.6))
    for code, code_rings in rings.items():
        largest = max(code_rings, key=len)
        xs, ys = zip(*(project(pt) for pt in largest), strict=True)
        if code in names:
            drawing.add(String(sum(xs) / len(xs), sum(ys) / len(ys), names[code], fontName=PDF_FONT, fontSize=6,
                               textAnchor="middle"))
    step = (hi - lo) / len(MAP_PALETTE)
    box = min(60, width / (len(MAP_PALETTE) + 2))
    for i, fill in enumerate([*MAP_PALETTE, MAP_NO_DATA]):
        x = i * box
        drawing.add(Rect(x, 10, box - 4, 8, fillColor=colors.HexColor(fill), strokeColor=None))
        label = no_data_label if fill == MAP_NO_DATA else f"{lo + i * step:.1f}–{lo + (i + 1) * step:.1f}"
        drawing.add(String(x, 1, label, fontName=PDF_FONT, fontSize=6))
    return drawing


def pdf_bytes(*, title: str, subtitle: str, headline: list[tuple[str, str]], tables: list[Table],
              notes: list[str] = (), region_map: dict | None = None) -> bytes:
    """An A4 landscape report: title, headline figures, the map of the child regions when there is one
    (`region_map`: the keyword arguments of `map_drawing` and a `title`), then each table (long tables
    split across pages)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    h1 = ParagraphStyle("h1", fontName=PDF_FONT, fontSize=16, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=PDF_FONT, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=9, leading=12)
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=7, leading=9)
    number = ParagraphStyle("number", parent=cell, alignment=2)  # right-aligned

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title)
    story = [Paragraph(title, h1), Paragraph(subtitle, body), Spacer(1, 4 * mm)]
    grid = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), PDF_FONT), ("FONTSIZE", (0, 0), (-1, -1), 7),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ])
    if headline:
        data = [[Paragraph(label, cell) for label, _ in headline], [Paragraph(value, body) for _, value in headline]]
        story += [LongTable(data, style=grid)]
    if region_map:
        story.append(Paragraph(region_map.pop("title"), h2))
        story.append(map_drawing(**region_map, width=doc.width * 0.6, height=110 * mm))
    with translation.override(EXPORT_LANGUAGE):
        for table in tables:
            story.append(Paragraph(str(table.title), h2))
            header = [Paragraph(str(c.label), cell) for c in table.columns]
            texts = [[fmt(v, c.kind) if c.kind != TEXT else str(v or "") for c, v in zip(table.columns, row,
                                                                                          strict=True)]
                     for row in table.rows]
            rows = [[Paragraph(t, number if c.numeric else cell) for c, t in zip(table.columns, r, strict=True)]
                    for r in texts]
            # Column widths follow their content: the longest value (CJK counts double), at least half the header.
            weights = []
            for i, c in enumerate(table.columns):
                longest = max([sum(2 if ord(ch) > 0x2E80 else 1 for ch in r[i]) for r in texts] or [0])
                weights.append(min(20, max(6, longest + 1, len(str(c.label)))))
            widths = [doc.width * w / sum(weights) for w in weights]
            story.append(LongTable([header, *rows], colWidths=widths, repeatRows=1, style=grid))
    for note in notes:
        story += [Spacer(1, 3 * mm), Paragraph(note, body)]
    doc.build(story)
    return buffer.getvalue()


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    return _attachment(HttpResponse(content, content_type="application/pdf"), filename)
