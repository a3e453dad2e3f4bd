"""Spreadsheet exports of the national filing system, as a province would upload them."""

from __future__ import annotations

import datetime

from institutions.onboarding import HEADERS, LABEL
from tests.factories import make_credit_code
from tests.helpers import csv_file, xlsx_file


def row(n: int, *, region: str = "130102", **overrides) -> dict:
    values = {
        "name": f"导入托育园{n}", "credit_code": make_credit_code(region, n=900000 + n),
        "address": f"长安区导入路{n}号", "region": region, "legal_form": "营利性",
        "infant_classes": "", "infant_places": "", "younger_classes": "1", "younger_places": "15",
        "older_classes": "2", "older_places": "35", "mixed_classes": "", "mixed_places": "",
        "filed_on": "2021-06-30", "receipt_number": f"{region}-2021-{n:05d}", "setting_type": "", "service_forms": "",
        "legal_representative": "", "person_in_charge": "", "person_in_charge_phone": "",
    }
    values.update(overrides)
    return values


def export_csv(rows: list[dict]) -> bytes:
    return csv_file(HEADERS, [[r.get(k, "") for k in LABEL] for r in rows])


def export_xlsx(rows: list[dict]) -> bytes:
    return xlsx_file(HEADERS, [[datetime.date.fromisoformat(r[k]) if k == "filed_on" else r.get(k, "") for k in LABEL]
                               for r in rows])
