"""Helpers of tests in several folders: the files people upload, the demo seeded step by step, racing calls."""

from __future__ import annotations

import csv
import importlib
import io
import threading
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections


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


def race(*calls) -> list:
    """Runs the calls in threads released at the same moment (each on its own database connection);
    returns their results or the exceptions they raised, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test checks
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


# The smallest files the safe upload path accepts as what they claim to be.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name: str = "scan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def keep_uploads_in(settings, folder: Path) -> Path:
    """Uploaded files go to `folder`, a private directory of the test, never the developer's media root."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder), "base_url": None}}}
    return folder

