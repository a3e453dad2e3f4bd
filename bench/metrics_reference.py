"""The metrics benchmark's reference: the same snapshot rows computed by an independent query, and the floor.

The reference is written apart from metrics.compute on purpose, so that a wrong figure in either shows up as
a difference: each source is counted per region with FILTER clauses, the per-region counts are put side by
side with FULL JOINs, and the roll-up follows the regions' parent links (each region joined to itself and
its ancestors) where the portal cuts code prefixes. It writes the real table (metrics_regionsnapshot, every
column, with its indexes and constraints) under a Snapshot row of its own, in one transaction with the same
session settings as the portal's statement; the rows and the Snapshot are removed once compared, so the
reference never becomes a current snapshot.

The floor is what no recompute can avoid: the GROUP BYs over the source tables, bare, and writing as many
rows into metrics_regionsnapshot.
"""

from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.db import connection, transaction

# Every column of metrics_regionsnapshot but the row id and the snapshot it belongs to.
COMPARED_COLUMNS = [
    "region_id", "level", "parent_code", "institutions", "institutions_by_setting", "places", "places_inclusive",
    "places_infant", "places_younger", "places_older", "places_mixed", "enrolled", "resident_population",
    "population_year", "population_is_synthetic", "places_per_1000", "utilisation", "inclusive_share",
    "target_per_1000", "target_gap", "places_change", "pilots_designated", "pilots_completed", "filings_pending",
    "filings_overdue", "filings_decided", "filings_decided_on_time", "inspected_institutions", "inspections_done",
    "findings_high", "findings_medium", "findings_low", "rectifications_due", "rectifications_on_time",
    "verifications_due", "verifications_on_time", "verifications_overdue", "complaints_open",
]


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def reference_sql(date: datetime.date, snapshot_id: int) -> str:
    """INSERT … SELECT of every region's row for the date under snapshot `snapshot_id` (PostgreSQL)."""
    from filings.models import Filing
    from institutions.models import Institution, InstitutionClass
    from metrics.models import Snapshot
    from supervision.models import Inspection

    settings_types = [s for s, _l in Institution.SettingType.choices]
    class_types = [c for c, _l in InstitutionClass.ClassType.choices]
    tz = settings.TIME_ZONE
    d = f"DATE '{date.isoformat()}'"
    y = f"DATE '{date.year}-01-01'"
    d_end = f"(({d} + 1)::timestamp AT TIME ZONE '{tz}')"
    y_start = f"({y}::timestamp AT TIME ZONE '{tz}')"
    target = f"{settings.PLACES_TARGET_PER_1000:.2f}::numeric"
    waiting = (f"f.status IN {_in([*Filing.PENDING, *Filing.DECIDED])} AND f.submitted_at < {d_end} "
               f"AND (f.decided_at IS NULL OR f.decided_at >= {d_end})")
    decided = f"f.status IN {_in(Filing.DECIDED)} AND f.decided_at >= {y_start} AND f.decided_at < {d_end}"
    done = f"s.inspected_on BETWEEN {y} AND {d}"
    verification = f"s.kind = '{Inspection.Kind.VERIFICATION}'"
    issued = f"o.id IS NOT NULL AND o.issued_on BETWEEN {y} AND {d}"
    sums = {  # the per-region measures, by the table that gives them
        "ins": ["n", *[f"st_{s}" for s in settings_types], "places", "incl", *[f"p_{c}" for c in class_types],
                "enrolled"],
        "pil": ["pil_d", "pil_c"],
        "fil": ["f_pend", "f_over", "f_dec", "f_ontime"],
        "sup": ["s_cov", "s_done", "s_high", "s_med", "s_low", "r_due", "r_ontime", "v_due", "v_ontime", "v_over"],
        "com": ["c_open"],
    }
    measures = [m for group in sums.values() for m in group]
    t = {m: f"COALESCE(t.{m}, 0)" for m in measures}
    return f"""
    INSERT INTO metrics_regionsnapshot (snapshot_id, {", ".join(COMPARED_COLUMNS)})
    WITH ins AS (
        SELECT i.region_id AS code, count(*)::int AS n,
               {", ".join(f"(count(*) FILTER (WHERE i.setting_type = '{s}'))::int AS st_{s}" for s in settings_types)},
               sum(k.places)::int AS places, (sum(k.places) FILTER (WHERE i.is_inclusive))::int AS incl,
               {", ".join(f"sum(k.p_{c})::int AS p_{c}" for c in class_types)}, sum(e.n)::int AS enrolled
        FROM institutions_institution i
        LEFT JOIN (SELECT institution_id, sum(places)::int AS places,
                          {", ".join(f"(sum(places) FILTER (WHERE class_type = '{c}'))::int AS p_{c}"
                                     for c in class_types)}
                   FROM institutions_institutionclass
                   WHERE opened_on <= {d} AND (closed_on IS NULL OR closed_on > {d})
                   GROUP BY institution_id) k ON k.institution_id = i.id
        LEFT JOIN (SELECT institution_id, count(*)::int AS n FROM enrolments_enrolment
                   WHERE start_date <= {d} AND (end_date IS NULL OR end_date > {d})
                   GROUP BY institution_id) e ON e.institution_id = i.id
        WHERE i.status <> '{Institution.Status.DRAFT}' AND i.filed_on <= {d}
          AND (i.cancelled_on IS NULL OR i.cancelled_on > {d})
          AND i.id NOT IN (SELECT institution_id FROM institutions_suspension
                           WHERE suspended_on <= {d} AND (lifted_on IS NULL OR lifted_on > {d}))
        GROUP BY i.region_id
    ),
    pil AS (
        SELECT i.region_id AS code, count(*)::int AS pil_d,
               (count(*) FILTER (WHERE p.completed_on <= {d}))::int AS pil_c
        FROM pilots_pilot p JOIN institutions_institution i ON i.id = p.institution_id
        WHERE p.designated_on <= {d}
          AND p.year = (SELECT max(year) FROM pilots_pilot WHERE designated_on <= {d})
        GROUP BY i.region_id
    ),
    fil AS (
        SELECT i.region_id AS code, (count(*) FILTER (WHERE {waiting}))::int AS f_pend,
               (count(*) FILTER (WHERE {waiting} AND f.due_on < {d}))::int AS f_over,
               (count(*) FILTER (WHERE {decided}))::int AS f_dec,
               (count(*) FILTER (WHERE {decided} AND (f.decided_at AT TIME ZONE '{tz}')::date <= f.due_on))::int
                   AS f_ontime
        FROM filings_filing f JOIN institutions_institution i ON i.id = f.institution_id
        WHERE f.submitted_at < {d_end}
        GROUP BY i.region_id
    ),
    sup AS (
        SELECT i.region_id AS code,
               (count(DISTINCT s.institution_id) FILTER (WHERE {done} AND a.id IS NOT NULL))::int AS s_cov,
               (count(*) FILTER (WHERE {done}))::int AS s_done,
               COALESCE(sum(s.findings_high) FILTER (WHERE {done}), 0)::int AS s_high,
               COALESCE(sum(s.findings_medium) FILTER (WHERE {done}), 0)::int AS s_med,
               COALESCE(sum(s.findings_low) FILTER (WHERE {done}), 0)::int AS s_low,
               (count(*) FILTER (WHERE {issued} AND (o.due_on < {d} OR o.rectified_on <= {d})))::int AS r_due,
               (count(*) FILTER (WHERE {issued} AND o.rectified_on <= least({d}, o.due_on)))::int AS r_ontime,
               (count(*) FILTER (WHERE {verification} AND s.due_on >= {y}
                                   AND (s.due_on < {d} OR s.inspected_on <= {d})))::int AS v_due,
               (count(*) FILTER (WHERE {verification} AND s.due_on >= {y}
                                   AND s.inspected_on <= least({d}, s.due_on)))::int AS v_ontime,
               (count(*) FILTER (WHERE {verification} AND s.due_on < {d}
                                   AND NOT COALESCE(s.inspected_on <= {d}, false)))::int AS v_over
        FROM supervision_inspection s
        JOIN institutions_institution i ON i.id = s.institution_id
        LEFT JOIN supervision_rectificationorder o ON o.inspection_id = s.id
        LEFT JOIN institutions_institution a ON a.id = s.institution_id
             AND a.status <> '{Institution.Status.DRAFT}' AND a.filed_on <= {d}
             AND (a.cancelled_on IS NULL OR a.cancelled_on > {d})
             AND a.id NOT IN (SELECT institution_id FROM institutions_suspension
                              WHERE suspended_on <= {d} AND (lifted_on IS NULL OR lifted_on > {d}))
        WHERE s.created_at < {d_end}
        GROUP BY i.region_id
    ),
    com AS (
        SELECT county_id AS code, count(*)::int AS c_open FROM complaints_complaint
        WHERE received_on <= {d} AND (answered_on IS NULL OR answered_on > {d})
        GROUP BY county_id
    ),
    per_region AS (
        SELECT code, {", ".join(measures)}
        FROM ins FULL JOIN pil USING (code) FULL JOIN fil USING (code) FULL JOIN sup USING (code)
             FULL JOIN com USING (code)
    ),
    totals AS (
        -- Each region's counts go to the region itself and to every ancestor, following the parent links.
        SELECT up.code, {", ".join(f"sum(COALESCE(f.{m}, 0)) AS {m}" for m in measures)}
        FROM per_region f
        JOIN regions_region r ON r.code = f.code
        LEFT JOIN regions_region p ON p.code = r.parent_id
        LEFT JOIN regions_region g ON g.code = p.parent_id
        CROSS JOIN LATERAL (VALUES (r.code), (r.parent_id), (p.parent_id), (g.parent_id)) up(code)
        WHERE up.code IS NOT NULL
        GROUP BY up.code
    ),
    pop AS (
        SELECT DISTINCT ON (region_id) region_id, resident_population, year, is_synthetic
        FROM regions_regionpopulation WHERE year <= {date.year} ORDER BY region_id, year DESC
    ),
    prev AS (
        SELECT region_id, places FROM metrics_regionsnapshot
        WHERE snapshot_id = (SELECT id FROM metrics_snapshot WHERE status = '{Snapshot.Status.READY}' AND date < {d}
                             ORDER BY date DESC, version DESC LIMIT 1)
    )
    SELECT {snapshot_id}, r.code, r.level, COALESCE(r.parent_id, ''), {t["n"]},
           jsonb_build_object({", ".join(f"'{s}', {t[f'st_{s}']}" for s in settings_types)}),
           {t["places"]}, {t["incl"]}, {", ".join(t[f"p_{c}"] for c in class_types)}, {t["enrolled"]},
           pop.resident_population, pop.year, COALESCE(pop.is_synthetic, false),
           round({t["places"]} * 1000.0 / pop.resident_population, 4),
           round({t["enrolled"]} * 1.0 / NULLIF(t.places, 0), 4),
           round({t["incl"]} * 1.0 / NULLIF(t.places, 0), 4),
           {target},
           CASE WHEN pop.resident_population IS NOT NULL
                THEN greatest(ceil({target} * pop.resident_population / 1000) - {t["places"]}, 0) END,
           {t["places"]} - prev.places,
           {", ".join(t[m] for m in measures[measures.index("pil_d"):])}
    FROM regions_region r
    LEFT JOIN totals t ON t.code = r.code
    LEFT JOIN pop ON pop.region_id = r.code
    LEFT JOIN prev ON prev.region_id = r.code
    """  # noqa: S608 — constants and dates we format ourselves


def run_reference(date: datetime.date) -> int:
    """Writes the reference rows under a new computing Snapshot of the date; returns that snapshot's id."""
    from decimal import Decimal

    from django.db.models import Max

    from metrics.compute import session_tuning
    from metrics.models import Snapshot

    version = (Snapshot.objects.filter(date=date).aggregate(v=Max("version"))["v"] or 0) + 1
    snapshot = Snapshot.objects.create(date=date, version=version, task_id="bench-reference",
                                       target_per_1000=Decimal(f"{settings.PLACES_TARGET_PER_1000:.2f}"))
    with transaction.atomic(), connection.cursor() as cursor:
        # The same session settings as the portal's statement (metrics.compute.session_tuning): a fair ratio.
        for statement in session_tuning():
            cursor.execute(statement)
        cursor.execute(reference_sql(date, snapshot.pk))
    return snapshot.pk


def remove(snapshot_id: int) -> None:
    """Removes a reference snapshot and its rows (it must never become a current snapshot)."""
    from metrics.models import RegionSnapshot, Snapshot

    RegionSnapshot.objects.filter(snapshot_id=snapshot_id).delete()
    Snapshot.objects.filter(pk=snapshot_id).delete()


def compare(ours: int, reference: int) -> dict:
    """Rows of the two snapshots compared on every column with EXCEPT ALL both ways, and counted."""
    cols = ", ".join(COMPARED_COLUMNS)
    rows = f"SELECT {cols} FROM metrics_regionsnapshot WHERE snapshot_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT count(*) FROM ({rows} EXCEPT ALL {rows}) a), "
                       f"(SELECT count(*) FROM ({rows} EXCEPT ALL {rows}) b), "
                       "(SELECT count(*) FROM metrics_regionsnapshot WHERE snapshot_id = %s), "
                       "(SELECT count(*) FROM metrics_regionsnapshot WHERE snapshot_id = %s)",
                       [ours, reference, reference, ours, ours, reference])
        only_ours, only_reference, rows_ours, rows_reference = cursor.fetchone()
    differing = only_ours + only_reference
    return {"identical": differing == 0 and rows_ours == rows_reference, "differing_rows": differing,
            "only_in_recompute": only_ours, "only_in_reference": only_reference,
            "rows": rows_ours, "reference_rows": rows_reference}


def floor(date: datetime.date) -> dict:
    """Seconds of the bare GROUP BYs over the source tables, and of writing one row per region."""
    from institutions.models import Institution
    from metrics.compute import session_tuning

    d = f"DATE '{date.isoformat()}'"
    d_end = f"(({d} + 1)::timestamp AT TIME ZONE '{settings.TIME_ZONE}')"
    scans = {
        "institutions": f"SELECT region_id, count(*) FROM institutions_institution WHERE filed_on <= {d} "
                        "GROUP BY region_id",
        "classes": f"SELECT institution_id, sum(places) FROM institutions_institutionclass WHERE opened_on <= {d} "
                   "GROUP BY institution_id",
        "enrolments": f"SELECT institution_id, count(*) FROM enrolments_enrolment WHERE start_date <= {d} "
                      f"AND (end_date IS NULL OR end_date > {d}) GROUP BY institution_id",
        "filings": f"SELECT institution_id, count(*) FROM filings_filing WHERE submitted_at < {d_end} "
                   "GROUP BY institution_id",
    }
    figures = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in session_tuning():
            cursor.execute(statement)
        for name, sql in scans.items():
            start = time.perf_counter()
            cursor.execute(f"SELECT count(*) FROM ({sql}) t")  # noqa: S608
            figures[f"scan_{name}_seconds"] = round(time.perf_counter() - start, 3)
    figures["scan_seconds"] = round(sum(v for k, v in figures.items() if k.startswith("scan_")), 3)
    zeros = ", ".join("0" for _c in range(COMPARED_COLUMNS.index("places_change") + 1,
                                          len(COMPARED_COLUMNS)))
    settings_json = ", ".join(f"'{s}', 0" for s, _l in Institution.SettingType.choices)
    scratch = -1  # no snapshot has this id; the rows go as soon as they are counted
    write = f"""
        INSERT INTO metrics_regionsnapshot (snapshot_id, {", ".join(COMPARED_COLUMNS)})
        SELECT {scratch}, code, level, COALESCE(parent_id, ''), 0, jsonb_build_object({settings_json}),
               0, 0, 0, 0, 0, 0, 0, NULL, NULL, false, NULL, NULL, NULL, 4.5, NULL, NULL, {zeros}
        FROM regions_region"""  # noqa: S608
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(write)
        figures["written_rows"] = cursor.rowcount
    figures["write_seconds"] = round(time.perf_counter() - start, 3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_regionsnapshot WHERE snapshot_id = %s", [scratch])
    figures["floor_seconds"] = round(figures["scan_seconds"] + figures["write_seconds"], 3)
    return figures
