"""Fixtures: snapshot rows and rankings made directly through the metrics models (see builders.py)."""

from __future__ import annotations

import datetime

import pytest

from .builders import breakdown, make_ranking, make_row, make_snapshot

SNAPSHOT_DATE = datetime.date(2022, 6, 30)
EARLIER_DATE = datetime.date(2022, 3, 31)


@pytest.fixture
def hebei_snapshot(regions):
    """Hebei's mid-2022 figures at the top, two cities (one without a county population) below."""
    earlier = make_snapshot(EARLIER_DATE)
    make_row(earlier, "13", places=130000, population=74610235, institutions=1200, pilots=(100, 160))
    make_row(earlier, "1301", places=20000, population=11235086)
    snap = make_snapshot(SNAPSHOT_DATE)
    rows = {
        "13": make_row(snap, "13", places=138000, population=74610235, institutions=1273, enrolled=69000,
                       inclusive=69000, pilots=(126, 160), pending=12, overdue=3, change=8000),
        "1301": make_row(snap, "1301", places=21000, population=11235086, institutions=190, pilots=(20, 25),
                         pending=5, overdue=1, change=1000, by_setting={"standalone": 150, "kindergarten": 40}),
        "1305": make_row(snap, "1305", places=9000, population=7111106, institutions=80, pilots=(10, 12)),
        "130102": make_row(snap, "130102", places=3000, population=None, institutions=30),
        "130104": make_row(snap, "130104", places=2500, population=600000, institutions=25, synthetic=True),
        "130502": make_row(snap, "130502", places=1200, population=700000, institutions=12),
        "14": make_row(snap, "14", places=50000, population=34915616, institutions=600),
        "1401": make_row(snap, "1401", places=12000, population=5390918, institutions=150),
    }
    make_ranking("13", [("1301", "71.500", breakdown("40", "31.5")), ("1305", "55.250", breakdown("30", "25.25"))])
    return snap, rows
