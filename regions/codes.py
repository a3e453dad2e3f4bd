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
_CHILD_LENGTH = {2: 4, 4: 6, 6: 9}


def level_of(code: str | None) -> str | None:
    """province, city, county or township; None for anything that is not a division code."""
    return CODE_LENGTHS.get(len(code)) if code else None


def is_level(code: str | None, level: str) -> bool:
    return level_of(code) == level


def at_level(code: str, level: str) -> str | None:
    """The code of the region at `level` that holds `code` (itself at its own level); None above it."""
    return truncated(code, LEVEL_LENGTHS[level])


def province_of(code: str) -> str | None:
    return at_level(code, PROVINCE)


def city_of(code: str) -> str | None:
    return at_level(code, CITY)


def county_of(code: str) -> str | None:
    return at_level(code, COUNTY)


def contains(area: str | None, code: str | None) -> bool:
    """Whether the region `code` lies in `area` (an area contains itself; "" is the whole country)."""
    return area is not None and bool(code) and code.startswith(area)


def child_length(code: str) -> int | None:
    """The code length of the level below `code`'s; None for a township (nothing below it)."""
    return _CHILD_LENGTH.get(len(code))


def child_level(code: str) -> str | None:
    """The level below `code`'s (a province's children are cities); None for a township."""
    return CODE_LENGTHS.get(child_length(code))


def grouping_length(code: str) -> int:
    """The code length that breaks an area's figures down: its children's, or its own for a township."""
    return child_length(code) or len(code)


def truncated(code: str, length: int) -> str | None:
    """The first `length` digits of `code` (its ancestor of that length); None when `code` is shorter."""
    return code[:length] if code and len(code) >= length else None


def is_code_of_level(code: str, level: str) -> bool:
    """`code` has the form of a code at `level` (digits of the right length)."""
    return code.isdigit() and len(code) == LEVEL_LENGTHS[level]


def own_and_child_lengths(code: str) -> list[int]:
    """The code lengths that group figures by the region itself and by its children (a township has
    no children: just its own)."""
    return sorted({len(code), grouping_length(code)})


def ancestors_of(code: str) -> list[str]:
    """The codes of the province down to the parent of `code`."""
    return [code[:n] for n in sorted(CODE_LENGTHS) if n < len(code)]


def outermost(area_codes) -> list[str]:
    """The areas not inside another of them: what a query "at or below any of these" needs to filter on."""
    found: list[str] = []
    for code in sorted(area_codes):  # an area sorts before every code inside it
        if not any(code.startswith(outer) for outer in found):
            found.append(code)
    return found
