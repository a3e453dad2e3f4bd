"""Division codes and their levels: the one place that knows a code's length is its level.

A national statistical division code has 2 digits for a province, 4 for a city, 6 for a county
and 9 for a township, and a code's prefix is its parent's code. Everything that asks "which level
is this?", "which county holds it?" or "is it under that area?" asks here, so no caller slices
or measures a code itself.
"""

from __future__ import annotations

PROVINCE, CITY, COUNTY, TOWNSHIP = "province", "city", "county", "township"
CODE_LENGTHS = {2: PROVINCE, 4: CITY, 6: COUNTY, 9: TOWNSHIP}
LEVEL_LENGTHS = {level: length for length, level in CODE_LENGTHS.items()}
_NEXT_LENGTH = {2: 4, 4: 6, 6: 9, 9: 9}


def level_of(code: str | None) -> str | None:
    """province, city, county or township; None for anything that is not a division code."""
    return CODE_LENGTHS.get(len(code)) if code else None


def is_level(code: str | None, level: str) -> bool:
    return level_of(code) == level


def at_level(code: str, level: str) -> str | None:
    """The code of the region at `level` that holds `code` (itself at its own level); None above it."""
    length = LEVEL_LENGTHS[level]
    return code[:length] if code and len(code) >= length else None


def province_of(code: str) -> str | None:
    return at_level(code, PROVINCE)


def city_of(code: str) -> str | None:
    return at_level(code, CITY)


def county_of(code: str) -> str | None:
    return at_level(code, COUNTY)


def contains(area: str | None, code: str | None) -> bool:
    """Whether the region `code` lies in `area` (an area contains itself)."""
    return bool(area and code and code.startswith(area))


def child_length(code: str) -> int:
    """The code length of the level below `code`'s (a township has none below: its own length)."""
    return _NEXT_LENGTH[len(code)]


def is_code_of_level(code: str, level: str) -> bool:
    """`code` has the form of a code at `level` (digits of the right length)."""
    return code.isdigit() and len(code) == LEVEL_LENGTHS[level]
