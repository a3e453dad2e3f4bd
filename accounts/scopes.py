"""The scopes of API tokens: one read and one write scope per area of the API.

Plain data, importable from settings (django-oauth-toolkit's SCOPES is built from it). A write scope
includes reading the same area. The labels for people are in accounts.tokens.AREA_LABELS.
"""

API_AREAS = {
    "accounts": "accounts, invitations and API clients",
    "regions": "regions and populations",
    "institutions": "institutions, classes, staff and guidance centres",
    "filings": "filings, documents and appointments",
    "enrolments": "children, enrolments and reports",
    "pilots": "pilots and progress reports",
    "metrics": "figures, snapshots, rankings and recomputes",
    "supervision": "inspections, rounds, rectification and checklists",
    "complaints": "complaints and their answers",
    "demonstration": "demonstration-city creations and their standard",
    "yearend": "year-end reports and the annual assessment pack",
    "training": "training courses, registrations, attendance and their figures",
    "events": "the change feed",
}
READ, WRITE = "read", "write"
# Views about the caller themself (`/api/v1/me/`): readable with any token, whatever its scopes.
SELF_AREA = "me"
ALL_SCOPES = [f"{area}:{kind}" for area in API_AREAS for kind in (READ, WRITE)]
READ_SCOPES = [f"{area}:{READ}" for area in API_AREAS]


def scope_descriptions() -> dict[str, str]:
    out = {}
    for area, label in API_AREAS.items():
        out[f"{area}:{READ}"] = f"Read {label}"
        out[f"{area}:{WRITE}"] = f"Read and write {label}"
    return out


def normalise_scopes(scopes) -> str:
    """A space-separated scope string of known scopes in a fixed order; raises ValueError with the first
    unknown one."""
    wanted = scopes.split() if isinstance(scopes, str) else list(scopes)
    unknown = [s for s in wanted if s not in ALL_SCOPES]
    if unknown:
        raise ValueError(unknown[0])
    return " ".join(s for s in ALL_SCOPES if s in wanted)
