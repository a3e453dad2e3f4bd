"""The shared core of the spreadsheet imports (an enrolment list, an existing province's institutions).

Reading a CSV (UTF-8 or GB18030, as Excel in China saves it) or an XLSX into rows of cells, with a
bound on the rows read; cells to text and dates; headers matched in Chinese or English; and the
one error shape every import reports: {"row": n, "column": header, "message": text}, row 1 being
the header as the spreadsheet numbers it.
"""

from __future__ import annotations

import csv
import datetime
import io
from itertools import islice

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class RowErrors(ValidationError):
    """Raised with the table of row errors; nothing was written."""

    def __init__(self, errors: list[dict]):
        self.rows = errors
        super().__init__([f"{e['row']} {e['column']}: {e['message']}" for e in errors[:50]])


def decode_csv(data: bytes) -> str | None:
    """A CSV file's text: UTF-8 (with or without its byte-order mark) or GB18030, as Excel in Chinese saves
    it; None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_table(data: bytes, filename: str, *, max_rows: int) -> list[list]:
    """The sheet as a list of rows of cells (first row: headers); at most max_rows + 2 rows are read."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
            raise RowErrors([{"row": 0, "column": "", "message": _("This is not a readable XLSX file.")}]) \
                from exc
        ws = wb.worksheets[0]
        # Read at most one row past the limit: a crafted sheet cannot make us hold millions of rows.
        table = [list(r) for r in islice(ws.iter_rows(values_only=True), max_rows + 2)]
        wb.close()
        return table
    if filename.lower().endswith(".csv"):
        text = decode_csv(data)
        if text is None:
            raise RowErrors([{"row": 0, "column": "", "message": _("The CSV file is not UTF-8 or GB18030 text.")}])
        return list(islice(csv.reader(io.StringIO(text)), max_rows + 2))
    raise RowErrors([{"row": 0, "column": "", "message": _("Upload a .csv or .xlsx file.")}])


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_date(value) -> datetime.date | None:
    """A date cell, or text like 2024-03-01, 2024/3/1, 2024.03.01 or 20240301; ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    try:  # the common case, and far cheaper than strptime
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def map_headers(header: list, columns) -> dict[str, int]:
    """Column index of each known key, by its Chinese or English header (columns: (key, zh, en, ...))."""
    found = {}
    for index, cell in enumerate(header):
        text = cell_text(cell).lower().replace("*", "").strip()
        for key, zh, en, *_rest in columns:
            if text in (zh, en, key):
                found[key] = index
    return found
