"""Set-based computation of a metrics snapshot: a fixed handful of SQL statements, whatever the number of regions.

1. Facts per region code, each source grouped by the institution's region (county or township) before
   anything else: active institutions with their open classes' places and the children enrolled on the
   date (`enrolments_open_sql`), pilots (of the latest programme year designated by the date), filings and
   supervision. The counts are integers, so the planner sees tens of thousands of small rows.
2. Roll-up by code prefix: every region's facts count for the 2-, 4-, 6- and 9-digit prefixes of its code —
   division codes nest by prefix, so one GROUP BY does it, with no recursive query and no LIKE join.
3. Every region joined to its roll-up, its latest population figure (year on or before the date) and the
   previous ready snapshot, and written with one INSERT … SELECT into a snapshot that is still `computing`.
4. The atomic swap: in one transaction the previous ready version of the same date is retired and the new
   one flipped to ready; readers only ever read ready snapshots.

The SQL runs on PostgreSQL and SQLite; the few differences (JSON building, local date of a timestamp) are
chosen by `connection.vendor`.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import audit_record
from enrolments.models import Enrolment
from filings.models import Filing
from institutions.models import Institution, InstitutionClass
from portal import runs
from portal.api import cache as api_cache
from supervision.models import Inspection

from .models import RegionSnapshot, Snapshot
from .retention import snapshot_prune

log = logging.getLogger(__name__)

SETTING_TYPES = [value for value, _label in Institution.SettingType.choices]
CLASS_TYPES = [value for value, _label in InstitutionClass.ClassType.choices]
# A computing snapshot whose worker was lost says so in its error; the sweeper requeues it (portal.runs).
LOST_WORKER = "lost: the worker stopped"

# Supervision after filing (this calendar year up to the date): institutions inspected, inspections signed off
# and their findings by risk; rectification orders and verifications whose deadline has passed or which were
# done, and of those the ones done on time; verifications still open past their deadline; complaints received
# and not answered on the date (counted at the county handling them).
SUPERVISION_MEASURES = [
    "inspected_institutions", "inspections_done", "findings_high", "findings_medium", "findings_low",
    "rectifications_due", "rectifications_on_time", "verifications_due", "verifications_on_time",
    "verifications_overdue", "complaints_open",
]
# Columns of metrics_regionsnapshot the INSERT writes, in order.
ROW_COLUMNS = [
    "snapshot_id", "region_id", "level", "parent_code", "institutions", "institutions_by_setting", "places",
    "places_inclusive", "places_infant", "places_younger", "places_older", "places_mixed", "enrolled",
    "resident_population", "population_year", "population_is_synthetic", "places_per_1000", "utilisation",
    "inclusive_share", "target_per_1000", "target_gap", "places_change", "pilots_designated", "pilots_completed",
    "filings_pending", "filings_overdue", "filings_decided", "filings_decided_on_time",
    *SUPERVISION_MEASURES,
]
# The summed measures of the leaf table.
MEASURES = (["institutions"] + [f"st_{s}" for s in SETTING_TYPES]
            + ["places", "places_inclusive"] + [f"places_{c}" for c in CLASS_TYPES]
            + ["enrolled", "pilots_designated", "pilots_completed", "filings_pending", "filings_overdue",
               "filings_decided", "filings_decided_on_time", *SUPERVISION_MEASURES])


class SnapshotBusy(Exception):
    """Another computation of the same date is running (and is alive)."""

    def __init__(self, snapshot: Snapshot):
        super().__init__(f"snapshot of {snapshot.date} is being computed (#{snapshot.pk})")
        self.snapshot = snapshot


def _sql_in(values) -> str:
    """A SQL list of constants from our own TextChoices (never user input): ('filed', 'rejected')."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# Filings counted on a date: submitted and waiting (pending), or decided.
FILING_COUNTED = _sql_in([*Filing.PENDING, *Filing.DECIDED])
FILING_DECIDED = _sql_in(Filing.DECIDED)


@dataclass
class SqlParts:
    """The pieces of SQL that differ between PostgreSQL and SQLite."""

    json_setting: str
    decided_local_date: str


def _sql_parts() -> SqlParts:
    pairs = []
    for s in SETTING_TYPES:
        pairs.append(f"'{s}'")
        pairs.append(f"COALESCE(rolled.st_{s}, 0)")
    if connection.vendor == "postgresql":
        json_setting = f"jsonb_build_object({', '.join(pairs)})"
        decided_local = f"(f.decided_at AT TIME ZONE '{settings.TIME_ZONE}')::date"
    else:
        json_setting = f"json_object({', '.join(pairs)})"
        decided_local = "date(f.decided_at, %(utc_offset)s)"
    return SqlParts(json_setting, decided_local)


def enrolments_open_sql() -> str:
    """Enrolments open at the end of the date, counted per institution (an integer).

    "Open on d" is start_date <= d AND (end_date IS NULL OR end_date > d), written as two disjoint parts so
    that each is read from its own partial index (enrolments.Enrolment.Meta.indexes) instead of a scan of
    every enrolment ever made: the open ones (end_date IS NULL), and those ending after the date (for
    today a handful with a leaving day already set; for a past date, the ones that ended since). Years of
    closed enrolments then cost nothing on today's recompute. The two parts' rows are counted together, in
    one aggregation (counting each part and then summing the counts took a fifth longer at China scale).
    """
    table = Enrolment._meta.db_table
    return f"""
            SELECT institution_id, CAST(COUNT(*) AS integer) AS enrolled FROM (
                SELECT e.institution_id FROM {table} e
                WHERE e.end_date IS NULL AND e.start_date <= %(d)s
                UNION ALL
                SELECT e.institution_id FROM {table} e
                WHERE e.end_date > %(d)s AND e.start_date <= %(d)s
            ) open_parts
            GROUP BY institution_id
        """  # noqa: S608 — our own table name


def active_on(i: str) -> str:
    """The condition that institution `i` counts on the date: filed, not cancelled, not suspended."""
    return f"""({i}.status <> '{Institution.Status.DRAFT}' AND {i}.filed_on <= %(d)s
            AND ({i}.cancelled_on IS NULL OR {i}.cancelled_on > %(d)s)
            -- Suspended on the date: neither its places nor its children count (docs/domain.md)
            AND NOT EXISTS (SELECT 1 FROM institutions_suspension susp
                            WHERE susp.institution_id = {i}.id AND susp.suspended_on <= %(d)s
                              AND (susp.lifted_on IS NULL OR susp.lifted_on > %(d)s)))"""  # noqa: S608


def _facts(code: str, values: dict[str, str], source: str) -> str:
    """One branch of the per-region facts: `values` by measure, every other measure 0.

    Each value is a count or sum of one region and fits an integer; cast so, the roll-up sums integers into
    bigint (a SUM of bigint would be numeric: slower, and its wide transition state spilled to disk).
    """
    unknown = set(values) - set(MEASURES)
    if unknown:
        raise ValueError(f"not measures: {sorted(unknown)}")
    columns = ", ".join(f"CAST({values[m]} AS integer) AS {m}" if m in values else f"0 AS {m}" for m in MEASURES)
    return f"SELECT {code} AS code, {columns}\n{source}"


def _count_if(condition: str, value: str = "1") -> str:
    return f"SUM(CASE WHEN {condition} THEN {value} ELSE 0 END)"


def institution_facts() -> str:
    """Active institutions per region: counts by setting, their open classes' places, children enrolled."""
    values = {"institutions": "COUNT(*)",
              **{f"st_{s}": _count_if(f"i.setting_type = '{s}'") for s in SETTING_TYPES},
              "places": "COALESCE(SUM(cls.places), 0)",
              "places_inclusive": f"COALESCE({_count_if('i.is_inclusive', 'cls.places')}, 0)",
              **{f"places_{c}": f"COALESCE(SUM(cls.places_{c}), 0)" for c in CLASS_TYPES},
              "enrolled": "COALESCE(SUM(enr.enrolled), 0)"}
    class_sums = ", ".join("CAST(" + _count_if(f"c.class_type = '{c}'", "c.places") + f" AS integer) AS places_{c}"
                           for c in CLASS_TYPES)
    return _facts("i.region_id", values, f"""
        FROM institutions_institution i
        LEFT JOIN (SELECT c.institution_id, CAST(SUM(c.places) AS integer) AS places, {class_sums}
                   FROM institutions_institutionclass c
                   WHERE c.opened_on <= %(d)s AND (c.closed_on IS NULL OR c.closed_on > %(d)s)
                   GROUP BY c.institution_id) cls ON cls.institution_id = i.id
        LEFT JOIN ({enrolments_open_sql()}) enr ON enr.institution_id = i.id
        WHERE {active_on("i")}
        GROUP BY i.region_id""")  # noqa: S608


def pilot_facts() -> str:
    """Pilots of the latest programme year designated by the date, at their institution's region."""
    return _facts("i.region_id", {"pilots_designated": "COUNT(*)",
                                  "pilots_completed": _count_if("p.completed_on <= %(d)s")}, """
        FROM pilots_pilot p
        JOIN institutions_institution i ON i.id = p.institution_id
        WHERE p.designated_on <= %(d)s
          AND p.year = (SELECT MAX(p2.year) FROM pilots_pilot p2 WHERE p2.designated_on <= %(d)s)
        GROUP BY i.region_id""")


def filing_facts(parts: SqlParts) -> str:
    """Filings waiting for a decision at the end of the date (and of those, overdue), and decided this year."""
    waiting = (f"f.status IN {FILING_COUNTED} AND f.submitted_at < %(d_end)s "
               "AND (f.decided_at IS NULL OR f.decided_at >= %(d_end)s)")
    decided = f"f.status IN {FILING_DECIDED} AND f.decided_at >= %(year_start)s AND f.decided_at < %(d_end)s"
    return _facts("i.region_id", {
        "filings_pending": _count_if(waiting),
        "filings_overdue": _count_if(f"{waiting} AND f.due_on < %(d)s"),
        "filings_decided": _count_if(decided),
        "filings_decided_on_time": _count_if(
            f"{decided} AND f.due_on IS NOT NULL AND {parts.decided_local_date} <= f.due_on"),
    }, f"""
        FROM {Filing._meta.db_table} f
        JOIN institutions_institution i ON i.id = f.institution_id
        WHERE f.submitted_at < %(d_end)s
        GROUP BY i.region_id""")  # noqa: S608


def supervision_facts() -> str:
    """Supervision per region: inspections at their institution's region, complaints at the county handling them.

    Coverage counts each active institution once (COUNT DISTINCT within its own region: the roll-up sums
    regions, and an institution belongs to one). An order or a verification counts once its deadline has
    passed by the date or once it was done; on time: done on or before its deadline (working definitions).
    """
    done = "s.inspected_on >= %(year_start_date)s AND s.inspected_on <= %(d)s"
    issued = "r.id IS NOT NULL AND r.issued_on >= %(year_start_date)s AND r.issued_on <= %(d)s"
    verification = f"s.kind = '{Inspection.Kind.VERIFICATION}'"
    inspections = _facts("i.region_id", {
        "inspected_institutions": f"COUNT(DISTINCT CASE WHEN {active_on('i')} AND {done} THEN s.institution_id END)",
        "inspections_done": _count_if(done),
        **{f"findings_{risk}": _count_if(done, f"s.findings_{risk}") for risk in ("high", "medium", "low")},
        "rectifications_due": _count_if(f"{issued} AND (r.due_on < %(d)s OR r.rectified_on <= %(d)s)"),
        "rectifications_on_time": _count_if(f"{issued} AND r.rectified_on <= %(d)s AND r.rectified_on <= r.due_on"),
        "verifications_due": _count_if(f"{verification} AND s.due_on >= %(year_start_date)s "
                                       "AND (s.due_on < %(d)s OR s.inspected_on <= %(d)s)"),
        "verifications_on_time": _count_if(f"{verification} AND s.due_on >= %(year_start_date)s "
                                           "AND s.inspected_on <= %(d)s AND s.inspected_on <= s.due_on"),
        "verifications_overdue": _count_if(f"{verification} AND s.due_on < %(d)s "
                                           "AND (s.inspected_on IS NULL OR s.inspected_on > %(d)s)"),
    }, """
        FROM supervision_inspection s
        JOIN institutions_institution i ON i.id = s.institution_id
        LEFT JOIN supervision_rectificationorder r ON r.inspection_id = s.id
        WHERE s.created_at < %(d_end)s
        GROUP BY i.region_id""")
    complaints = _facts("c.county_id", {"complaints_open": "COUNT(*)"}, """
        FROM complaints_complaint c
        WHERE c.received_on <= %(d)s AND (c.answered_on IS NULL OR c.answered_on > %(d)s)
        GROUP BY c.county_id""")
    return f"{inspections}\n        UNION ALL\n        {complaints}"


def snapshot_sql(parts: SqlParts) -> str:
    """The one INSERT … SELECT that writes every region's row of a snapshot.

    Every source is grouped by region before the roll-up, so the planner sees a few tens of thousands of
    small integer rows (its estimates stay close) rather than a join of per-institution rows; nothing is
    materialised: each piece is read once.
    """
    sums = ", ".join(f"SUM(f.{m}) AS {m}" for m in MEASURES)
    # Only constants from our own code are formatted in; every value is a bound parameter.
    return f"""
    INSERT INTO metrics_regionsnapshot ({", ".join(ROW_COLUMNS)})
    WITH facts AS (
        {institution_facts()}
        UNION ALL
        {pilot_facts()}
        UNION ALL
        {filing_facts(parts)}
        UNION ALL
        {supervision_facts()}
    ),
    rolled AS (
        -- A division code begins with its ancestors' codes (2, 4, 6, 9 digits): each region's facts count
        -- for every prefix of its code, itself included.
        SELECT substr(f.code, 1, lv.n) AS code, {sums}
        FROM facts f
        JOIN (SELECT 2 AS n UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 9) lv ON lv.n <= length(f.code)
        GROUP BY substr(f.code, 1, lv.n)
    ),
    pop AS (
        SELECT region_id, resident_population, year, is_synthetic FROM (
            SELECT p.region_id, p.resident_population, p.year, p.is_synthetic,
                   ROW_NUMBER() OVER (PARTITION BY p.region_id ORDER BY p.year DESC) AS rn
            FROM regions_regionpopulation p
            WHERE p.year <= %(year)s
        ) ranked
        WHERE rn = 1
    ),
    joined AS (
        SELECT r.code, r.level, COALESCE(r.parent_id, '') AS parent_code,
               {parts.json_setting} AS by_setting,
               {", ".join(f"COALESCE(rolled.{m}, 0) AS {m}" for m in MEASURES if not m.startswith("st_"))},
               pop.resident_population AS population, pop.year AS population_year,
               COALESCE(pop.is_synthetic, %(false)s) AS population_is_synthetic,
               prev.places AS previous_places
        FROM regions_region r
        LEFT JOIN rolled ON rolled.code = r.code
        LEFT JOIN pop ON pop.region_id = r.code
        LEFT JOIN metrics_regionsnapshot prev ON prev.snapshot_id = %(previous)s AND prev.region_id = r.code
    )
    SELECT %(snapshot)s AS snapshot_id, code AS region_id, level, parent_code, institutions,
           by_setting AS institutions_by_setting, places, places_inclusive,
           {", ".join(f"places_{c}" for c in CLASS_TYPES)}, enrolled,
           population AS resident_population, population_year, population_is_synthetic,
           CASE WHEN population IS NULL THEN NULL ELSE ROUND(places * 1000.0 / population, 4) END AS places_per_1000,
           CASE WHEN places = 0 THEN NULL ELSE ROUND(enrolled * 1.0 / places, 4) END AS utilisation,
           CASE WHEN places = 0 THEN NULL ELSE ROUND(places_inclusive * 1.0 / places, 4) END AS inclusive_share,
           %(target)s AS target_per_1000,
           CASE WHEN population IS NULL THEN NULL
                WHEN (%(target_x100)s * population + 99999) / 100000 > places
                THEN (%(target_x100)s * population + 99999) / 100000 - places
                ELSE 0 END AS target_gap,
           CASE WHEN previous_places IS NULL THEN NULL ELSE places - previous_places END AS places_change,
           pilots_designated, pilots_completed, filings_pending, filings_overdue, filings_decided,
           filings_decided_on_time, {", ".join(SUPERVISION_MEASURES)}
    FROM joined
    """  # noqa: S608


def session_tuning() -> list[str]:
    """PostgreSQL settings for the one big statement, local to its transaction.

    JIT off: the statement's estimated cost (scans of millions of enrolments) passes the JIT threshold,
    and compiling it took longer than running it. Work memory: at China scale the largest hash aggregates
    (classes and enrolments per institution, the roll-up) take about 30 MB each; 64 MB (times
    hash_mem_multiplier for hashing) keeps twice that volume from spilling to disk. The benchmark's
    reference query runs with the same settings.
    """
    if connection.vendor != "postgresql":
        return []
    return ["SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'"]


def snapshot_params(*, date: datetime.date, snapshot_id: int, previous_id: int | None,
                    target: Decimal) -> dict:
    tz = timezone.get_current_timezone()
    day_end = datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    year_start = datetime.datetime.combine(datetime.date(date.year, 1, 1), datetime.time.min, tzinfo=tz)
    offset_minutes = int(day_end.utcoffset().total_seconds() // 60)
    ops = connection.ops
    return {
        "d": ops.adapt_datefield_value(date),
        "d_end": ops.adapt_datetimefield_value(day_end),
        "year_start": ops.adapt_datetimefield_value(year_start),
        "year_start_date": ops.adapt_datefield_value(datetime.date(date.year, 1, 1)),
        "year": date.year,
        "utc_offset": f"{offset_minutes:+d} minutes",
        "snapshot": snapshot_id,
        "previous": previous_id if previous_id is not None else -1,
        "target": ops.adapt_decimalfield_value(target, 6, 2),
        "target_x100": int((target * 100).to_integral_value()),
        "false": False,
    }


def _claim(date: datetime.date, *, task_id: str, requested_by_id: int | None, target: Decimal) -> Snapshot:
    """Create the computing snapshot of a date: the partial unique constraint makes this the lock.

    A computing snapshot left by a dead worker is taken over when its task is redelivered (same task id)
    or when its heartbeat is stale (portal.runs): "already running" holds only while the holder is alive.
    """
    for _attempt in range(2):
        version = (Snapshot.objects.filter(date=date).aggregate(v=Max("version"))["v"] or 0) + 1
        try:
            with transaction.atomic():
                return Snapshot.objects.create(date=date, version=version, task_id=task_id or "",
                                               requested_by_id=requested_by_id, target_per_1000=target)
        except IntegrityError:
            running = Snapshot.objects.filter(date=date, status=Snapshot.Status.COMPUTING).first()
            if running is None:
                continue  # a version number race with a run that has just finished: try again
            stale = running.heartbeat_at < runs.stale_before()
            if not (stale or (task_id and running.task_id == task_id)):
                raise SnapshotBusy(running) from None
            taken = Snapshot.objects.filter(pk=running.pk, status=Snapshot.Status.COMPUTING).update(
                status=Snapshot.Status.FAILED, error="abandoned: the worker stopped; taken over by a new run")
            if taken:
                RegionSnapshot.objects.filter(snapshot_id=running.pk).delete()
    raise SnapshotBusy(Snapshot.objects.filter(date=date, status=Snapshot.Status.COMPUTING).first()
                       or Snapshot(date=date))


def _progress(snapshot: Snapshot, percent: int) -> None:
    Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.COMPUTING).update(
        progress=percent, heartbeat_at=timezone.now())


def snapshot_compute(*, date: datetime.date, task_id: str = "", requested_by_id: int | None = None) -> Snapshot:
    """Compute every region's figures for the date into a new snapshot version and swap it in atomically.

    Side effects: a new ready Snapshot with one RegionSnapshot per region; the previous ready version of the
    same date becomes `superseded`, its rows deleted after the grace period (`snapshot_prune`).
    Safe to repeat: the same data gives the same rows.
    Raises SnapshotBusy while another live run computes the same date.
    """
    target = Decimal(str(getattr(settings, "PLACES_TARGET_PER_1000", 4.5))).quantize(Decimal("0.01"))
    snapshot = _claim(date, task_id=task_id, requested_by_id=requested_by_id, target=target)
    try:
        with runs.Heartbeat(Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.COMPUTING)):
            _compute_into(snapshot, date=date, target=target)
    except SnapshotBusy:
        raise
    except Exception as exc:
        Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.COMPUTING).update(
            status=Snapshot.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        RegionSnapshot.objects.filter(snapshot_id=snapshot.pk).delete()
        raise
    snapshot.refresh_from_db()
    return snapshot


def _compute_into(snapshot: Snapshot, *, date: datetime.date, target: Decimal) -> None:
    """The work of one run: the one INSERT … SELECT, then the swap. Raises SnapshotBusy if taken over."""
    parts = _sql_parts()
    previous = (Snapshot.objects.ready().filter(date__lt=date).order_by("-date", "-version")
                .values_list("pk", flat=True).first())
    _progress(snapshot, 10)
    params = snapshot_params(date=date, snapshot_id=snapshot.pk, previous_id=previous, target=target)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in session_tuning():
            cursor.execute(statement)
        cursor.execute(snapshot_sql(parts), params)
    _progress(snapshot, 90)
    snapshot_swap(snapshot)


def snapshot_swap(snapshot: Snapshot) -> None:
    """Retire the ready version of the date and make this one ready, in one transaction.

    The retired version's rows stay for SNAPSHOT_GRACE_SECONDS: a request that pinned it before the swap
    (every reader takes one snapshot per request) reads all of its rows to the end.
    """
    with transaction.atomic():
        old = list(Snapshot.objects.select_for_update().filter(date=snapshot.date, status=Snapshot.Status.READY)
                   .values_list("pk", flat=True))
        Snapshot.objects.filter(pk__in=old).update(status=Snapshot.Status.SUPERSEDED, superseded_at=timezone.now())
        flipped = Snapshot.objects.filter(pk=snapshot.pk, status=Snapshot.Status.COMPUTING).update(
            status=Snapshot.Status.READY, progress=100, computed_at=timezone.now(), heartbeat_at=timezone.now())
        if not flipped:
            # Taken over meanwhile (this worker was thought dead): leave the newer run in charge.
            raise SnapshotBusy(snapshot)
        # The events feed announces it to every official (figures of the whole country changed).
        audit_record(actor=None, action="metrics.snapshot_ready", target=snapshot,
                     after={"date": str(snapshot.date), "version": snapshot.version})
        api_cache.metrics_changed()  # the one moment a snapshot's figures become visible
    snapshot_prune()
