"""Reading a population table uploaded as CSV or XLSX into numbered rows of text.

Only the reading is here: the rows are checked and written by `regions.services.populations_upload`,
so a page can check a file first (dry run) and save the very same rows afterwards.
Row numbers are those a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.tabular import decode_csv

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # China has about 45,000 regions: a full table is under 2 MB
MAX_ROWS = 50_000

# Column → the header spellings accepted for it (English as in the API, or the Chinese a statistics
# office's own table uses).
COLUMNS = {
    "code": ("code", "区划代码", "代码"),
    "resident_population": ("resident_population", "常住人口", "population"),
    "year": ("year", "年份", "年度"),
    "source": ("source", "来源", "数据来源"),
}
OPTIONAL = {"name": ("name", "名称", "区划名称")}
REQUIRED = ("code", "resident_population", "year", "source")


@dataclass(frozen=True)
class UploadRow:
    number: int
    values: dict[str, str]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet keeps 1301 or 11235086 as a float
    return str(value).strip()


def _header_map(header: list[str]) -> dict[str, int]:
    wanted = {**COLUMNS, **OPTIONAL}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        title = title.strip().lower()
        for column, spellings in wanted.items():
            if title in spellings and column not in found:
                found[column] = index
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise ValidationError({"file": [
            _("Row 1 (the header) lacks the column %(column)s; the columns are code, resident_population, year "
              "and source.") % {"column": c} for c in missing]})
    return found


def _rows(table) -> list[UploadRow]:
    header = None
    columns: dict[str, int] = {}
    rows: list[UploadRow] = []
    for number, raw in enumerate(table, start=1):
        cells = [_text(v) for v in raw]
        if header is None:
            header = cells
            columns = _header_map(cells)
            continue
        if not any(cells):
            continue  # blank lines at the end of a sheet
        if len(rows) >= MAX_ROWS:
            raise ValidationError({"file": [_("The file has more than %(max)d rows.") % {"max": MAX_ROWS}]})
        rows.append(UploadRow(number, {c: (cells[i] if i < len(cells) else "") for c, i in columns.items()}))
    if header is None:
        raise ValidationError({"file": [_("The file is empty.")]})
    if not rows:
        raise ValidationError({"file": [_("The file has a header but no figures.")]})
    return rows


def read_population_file(upload) -> list[UploadRow]:
    """The rows of an uploaded .csv (UTF-8 or GB18030) or .xlsx file; a ValidationError on `file` otherwise."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [_("The file is larger than %(mb)d MB.") % {
            "mb": MAX_UPLOAD_BYTES // (1024 * 1024)}]})
    data = upload.read()
    if data[:4] == b"PK\x03\x04":  # an .xlsx is a zip archive, whatever its name says
        return _xlsx_rows(data)
    if (upload.name or "").lower().endswith((".xlsx", ".xls")):
        raise ValidationError({"file": [_("This is not an .xlsx workbook (old .xls files: save as .xlsx or CSV).")]})
    text = decode_csv(data)
    if text is None:
        raise ValidationError({"file": [_("The file is neither a CSV text file nor an .xlsx workbook.")]})
    if "\x00" in text:
        raise ValidationError({"file": [_("The file is neither a CSV text file nor an .xlsx workbook.")]})
    try:
        return _rows(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValidationError({"file": [_("The CSV file cannot be read: %(error)s") % {"error": exc}]}) from exc


def _xlsx_rows(data: bytes) -> list[UploadRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ValidationError({"file": [_("The .xlsx workbook cannot be read.")]}) from exc
    try:
        sheet = workbook.worksheets[0]
        return _rows(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
