"""Helpers of tests in several folders: the files people upload, the demo seeded step by step."""

from __future__ import annotations

import csv
import importlib
import io
import time


def seed_demo_steps(*steps: str) -> tuple:
    """Seeds the demo's steps (modules such as "regions.demo") in this order, as `seed_demo` does; returns the
    demo context and how long the last step took, in seconds."""
    from portal.demo import DemoContext

    ctx = DemoContext(stdout=io.StringIO())
    for step in steps[:-1]:
        importlib.import_module(step).seed(ctx)
    started = time.perf_counter()
    importlib.import_module(steps[-1]).seed(ctx)
    return ctx, time.perf_counter() - started


# The files people upload: a header row and data rows, as a UTF-8 CSV with a byte-order mark (as Excel saves it)
# or as an .xlsx workbook.


def csv_file(headers: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_file(headers: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def guardian_consent(**changes) -> dict:
    """A guardian's written consent given today, as child_register takes it."""
    import datetime

    return {"method": "written", "given_on": datetime.date.today(), "guardian_name": "王芳",
            "guardian_relation": "mother", **changes}
