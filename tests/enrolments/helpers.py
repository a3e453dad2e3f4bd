"""Helpers for enrolment tests: valid resident IDs and birth dates for a given age."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from enrolments.models import add_months
from portal.validators import resident_id_check_character
from tests.helpers import csv_file, xlsx_file

_seq = itertools.count(1)


def resident_id(born: datetime.date, *, county: str = "130102", sex: str = "male", seq: int | None = None) -> str:
    n = next(_seq) if seq is None else seq
    # 3 digits: odd for boys, even for girls.
    serial = (n * 2 + (1 if sex == "male" else 0)) % 1000
    if (serial % 2 == 1) != (sex == "male"):
        serial = (serial + 1) % 1000
    body = f"{county}{born:%Y%m%d}{serial:03d}"
    return body + resident_id_check_character(body)


def born_months_ago(months: int, *, on: datetime.date | None = None, extra_days: int = 10) -> datetime.date:
    """A birth date that makes the child `months` completed months old on `on` (default today)."""
    on = on or timezone.localdate()
    return add_months(on, -months) - datetime.timedelta(days=extra_days)


def csv_bytes(rows: list[list]) -> bytes:
    from enrolments.importing import HEADERS

    return csv_file(HEADERS, rows)


def xlsx_bytes(rows: list[list]) -> bytes:
    from enrolments.importing import HEADERS

    return xlsx_file(HEADERS, rows)


def import_row(name: str, months: int, klass: str, *, care: str = "全日托", start: datetime.date | None = None,
               sex: str = "male", county: str = "130102", seq: int | None = None) -> list:
    start = start or timezone.localdate()
    born = born_months_ago(months, on=start)
    return [name, "男" if sex == "male" else "女", born.isoformat(), "居民身份证",
            resident_id(born, county=county, sex=sex, seq=seq), klass, care, start.isoformat(), "王芳", "母亲",
            "13900000000", "书面", min(start, timezone.localdate()).isoformat()]
