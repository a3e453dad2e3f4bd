"""Reads of mentoring (帮扶结对) and medical-care integration (医育结合): figures for every region of an area in
one statement, the annual pack's figures, and a pair's mentee scorecard before and after.

Working definitions, used by the dashboard panel, the API and the annual pack alike:
- a pair counts in the region of its **mentee** (the weaker institution it supports);
- a pair is **active** on a day from its start to the day before its `ended_on`; it is active **in a
  year** when those days meet the year;
- a pair **ended** on its `ended_on`; its result is its recorded outcome (improved, partly, not
  improved);
- **filed institutions** on a day: filed on or before it and not cancelled by then (suspended ones
  included), as the metrics count them; **医育结合** ones among them have `medical_integration` set (the
  flag as recorded now: the registry keeps no history of it).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from institutions.models import MentoringPair
from pilots.models import Assessment
from portal.replica import connection_for_read
from regions import codes

RESULTS = ("improved", "partly", "not_improved")

_REGION_SQL = """
WITH kids AS (
    SELECT code, name FROM regions_region WHERE parent_id = %(area)s
), inst AS (
    SELECT code, count(*) AS filed, count(*) FILTER (WHERE medical) AS medical
    FROM (SELECT left(i.region_id, %(n)s) AS code, i.medical_integration AS medical
          FROM institutions_institution i
          WHERE i.region_id LIKE %(prefix)s AND i.filed_on <= %(on)s
            AND (i.cancelled_on IS NULL OR i.cancelled_on > %(on)s)) t
    GROUP BY ROLLUP (code)
), pairs AS (
    SELECT code,
           count(*) FILTER (WHERE active) AS active,
           count(*) FILTER (WHERE ended) AS ended,
           count(*) FILTER (WHERE ended AND result = 'improved') AS improved,
           count(*) FILTER (WHERE ended AND result = 'partly') AS partly,
           count(*) FILTER (WHERE ended AND result = 'not_improved') AS not_improved
    FROM (SELECT left(e.region_id, %(n)s) AS code,
                 (p.started_on <= %(on)s AND (p.ended_on IS NULL OR p.ended_on > %(on)s)) AS active,
                 (p.ended_on <= %(on)s) AS ended, o.result
          FROM institutions_mentoringpair p
          JOIN institutions_institution e ON e.id = p.mentee_id
          LEFT JOIN mentoring_outcome o ON o.pair_id = p.id
          WHERE e.region_id LIKE %(prefix)s) t
    GROUP BY ROLLUP (code)
)
SELECT r.code, r.name, r.total, coalesce(inst.filed, 0), coalesce(inst.medical, 0), coalesce(pairs.active, 0),
       coalesce(pairs.ended, 0), coalesce(pairs.improved, 0), coalesce(pairs.partly, 0),
       coalesce(pairs.not_improved, 0)
FROM (SELECT code, name, false AS total FROM kids UNION ALL SELECT NULL, NULL, true) r
LEFT JOIN inst ON (inst.code = r.code) OR (r.total AND inst.code IS NULL)
LEFT JOIN pairs ON (pairs.code = r.code) OR (r.total AND pairs.code IS NULL)
ORDER BY r.total, r.code
"""

_FIELDS = ("filed", "medical", "active", "ended", "improved", "partly", "not_improved")


def _share(part, whole) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None


def region_figures(*, area_code: str, on: datetime.date) -> dict:
    """Mentoring and 医育结合 figures of the area's child regions and of the whole area, on a day, in one
    statement: {"rows": [{"code", "name", <figures>, "medical_share"}...], "total": {...}}.

    For a township (no child regions) the rows are empty and the total is the township's."""
    n = codes.grouping_length(area_code)
    with connection_for_read(MentoringPair).cursor() as cursor:
        cursor.execute(_REGION_SQL, {"area": area_code, "n": n, "prefix": f"{area_code}%", "on": on})
        fetched = cursor.fetchall()
    rows, total = [], None
    for code, name, is_total, *values in fetched:
        row = {"code": code, "name": name, **dict(zip(_FIELDS, values, strict=True))}
        row["medical_share"] = _share(row["medical"], row["filed"])
        if is_total:
            total = row
        else:
            rows.append(row)
    return {"rows": rows, "total": total}


_PACK_SQL = """
WITH cities AS (
    SELECT unnest(%(cities)s::varchar[]) AS code
), inst AS (
    SELECT left(i.region_id, 4) AS code, count(*) AS filed, count(*) FILTER (WHERE i.medical_integration) AS medical
    FROM institutions_institution i
    WHERE left(i.region_id, 4) = ANY(%(cities)s::varchar[]) AND i.filed_on <= %(end)s
      AND (i.cancelled_on IS NULL OR i.cancelled_on > %(end)s)
    GROUP BY 1
), pairs AS (
    SELECT left(e.region_id, 4) AS code,
           count(*) FILTER (WHERE p.started_on <= %(end)s AND (p.ended_on IS NULL OR p.ended_on > %(start)s))
               AS active,
           count(*) FILTER (WHERE p.ended_on BETWEEN %(start)s AND %(end)s) AS ended,
           count(*) FILTER (WHERE p.ended_on BETWEEN %(start)s AND %(end)s AND o.result = 'improved') AS improved,
           count(*) FILTER (WHERE p.ended_on BETWEEN %(start)s AND %(end)s AND o.result = 'partly') AS partly,
           coalesce(sum(g.goals) FILTER (WHERE p.ended_on BETWEEN %(start)s AND %(end)s), 0) AS goals,
           coalesce(sum(g.reached) FILTER (WHERE p.ended_on BETWEEN %(start)s AND %(end)s), 0) AS reached,
           coalesce(sum(v.visits), 0) AS visits
    FROM institutions_mentoringpair p
    JOIN institutions_institution e ON e.id = p.mentee_id
    LEFT JOIN mentoring_outcome o ON o.pair_id = p.id
    LEFT JOIN (SELECT pair_id, count(*) AS goals, count(*) FILTER (WHERE reached) AS reached
               FROM mentoring_goal GROUP BY pair_id) g ON g.pair_id = p.id
    LEFT JOIN (SELECT pair_id, count(*) AS visits FROM mentoring_visit
               WHERE visited_on BETWEEN %(start)s AND %(end)s GROUP BY pair_id) v ON v.pair_id = p.id
    WHERE left(e.region_id, 4) = ANY(%(cities)s::varchar[])
    GROUP BY 1
)
SELECT c.code, coalesce(pairs.active, 0), coalesce(pairs.ended, 0), coalesce(pairs.improved, 0),
       coalesce(pairs.partly, 0), coalesce(pairs.goals, 0), coalesce(pairs.reached, 0), coalesce(pairs.visits, 0),
       coalesce(inst.filed, 0), coalesce(inst.medical, 0)
FROM cities c LEFT JOIN inst ON inst.code = c.code LEFT JOIN pairs ON pairs.code = c.code
"""


def pack_figures(*, year: int, city_codes: list[str]) -> dict[str, list[dict]]:
    """The annual assessment pack's mentoring and 医育结合 figures of each city, in one statement.

    Per city code a list of {"label", "numerator", "denominator" (None when the figure is a count),
    "note"}, labels and notes in the active language: pairs active in the year; pairs ended in the year
    that improved, of those ended; goals reached by the pairs ended in the year, of their goals; visits in
    the year, per active pair; 医育结合 institutions of the institutions filed at the end of the year."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    cities = [c for c in dict.fromkeys(city_codes) if codes.is_level(c, codes.CITY)]
    out: dict[str, list[dict]] = {c: [] for c in city_codes}
    if not cities:
        return out
    with connection_for_read(MentoringPair).cursor() as cursor:
        cursor.execute(_PACK_SQL, {"cities": cities, "start": start, "end": end})
        fetched = cursor.fetchall()
    for code, active, ended, improved, partly, goals, reached, visits, filed, medical in fetched:
        per_pair = (Decimal(visits) / active).quantize(Decimal("0.1")) if active else None
        out[code] = [
            {"label": _("Mentoring pairs (帮扶结对) active in the year"), "numerator": active, "denominator": None,
             "note": _("Pairs whose time (start to end) meets the year, counted in the mentee's city.")},
            {"label": _("Mentoring pairs ended in the year that improved the mentee"), "numerator": improved,
             "denominator": ended,
             "note": _("Of the pairs ended in the year: %(partly)s partly improved, %(not)s not improved.")
             % {"partly": partly, "not": ended - improved - partly}},
            {"label": _("Goals reached by the mentoring pairs ended in the year"), "numerator": reached,
             "denominator": goals, "note": _("Goals set by the officials, marked reached at the pair's close.")},
            {"label": _("Mentoring visits in the year"), "numerator": visits, "denominator": active,
             "note": (_("%(n)s visits per active pair.") % {"n": per_pair}) if per_pair is not None
             else _("No pair was active in the year.")},
            {"label": _("Institutions combining medical care and childcare (医育结合)"), "numerator": medical,
             "denominator": filed,
             "note": _("Of the institutions filed on 31 December and not cancelled by then; the 医育结合 flag "
                       "as the registry holds it today.")},
        ]
    return out


def mentee_scorecards(pair: MentoringPair, *, user) -> dict | None:
    """The mentee's latest assessment (pilots' scorecards) before the pair began and its latest since, with
    the change of grade and points; None when the user may not read the mentee's assessments."""
    visible = Assessment.objects.visible_to(user).filter(pilot__institution_id=pair.mentee_id)
    if user is not None and not _reads_assessments(user, pair):
        return None
    ordered = visible.select_related("template").order_by("-assessed_on", "-pk")
    before = ordered.filter(assessed_on__lt=pair.started_on).first()
    after = ordered.filter(assessed_on__gte=pair.started_on).first()
    change = None
    if before and after:
        steps = ord(before.grade) - ord(after.grade)  # A is the best grade: a positive step is better
        change = {"points": after.total - before.total, "grade_steps": steps,
                  "direction": "up" if steps > 0 else "down" if steps < 0 else "same"}
    return {"before": before, "after": after, "change": change}


def _reads_assessments(user, pair: MentoringPair) -> bool:
    """Assessments are read by the assessed institution and the officials of its area (pilots' rule)."""
    from accounts import policies

    return policies.in_area(user, pair.mentee.region_id) or policies.is_staff_of(user, pair.mentee_id)
