"""Reads of caregiver training: the "trained caregivers / caregivers" figures and the annual pack's figures.

A caregiver (a staff member of a role in `CAREGIVER_ROLES`, working at an institution filed and not cancelled
on the date) is *trained* on a date when they hold a training certificate issued on or before it and not
expired on it; the certificate is *expiring* when the newest such one ends within
`TRAINING_EXPIRING_WITHIN_DAYS` days. Every region's figures come from one statement (GROUPING SETS over the
code prefixes), whatever the number of regions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from institutions.models import Institution, StaffCertificate, StaffMember
from portal.replica import connection_for_read
from regions.models import Region

from .models import CAREGIVER_ROLES, Course, Registration


@dataclass
class Figure:
    """Trained caregivers / caregivers of one region or institution on a date."""

    key: str  # a region code, or an institution's id as text
    name: str
    caregivers: int = 0
    trained: int = 0
    expiring: int = 0

    @property
    def share(self) -> Decimal | None:
        """Trained ÷ caregivers as a percentage (one decimal); None without caregivers (never 0)."""
        if not self.caregivers:
            return None
        return (Decimal(self.trained) * 100 / self.caregivers).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def untrained(self) -> int:
        return self.caregivers - self.trained


def _members_sql(where: str) -> str:
    """The caregivers working on %(on)s at active institutions, with the expiry of their newest valid training
    certificate (NULL: not trained)."""
    return f"""
        WITH valid AS (
            SELECT c.staff_member_id, MAX(c.expires_on) AS until
            FROM {StaffCertificate._meta.db_table} c
            WHERE c.kind = %(kind)s AND c.issued_on <= %(on)s AND c.expires_on >= %(on)s
            GROUP BY c.staff_member_id
        )
        SELECT i.id AS institution_id, i.region_id AS code, v.until
        FROM {StaffMember._meta.db_table} s
        JOIN {Institution._meta.db_table} i ON i.id = s.institution_id
        LEFT JOIN valid v ON v.staff_member_id = s.id
        WHERE s.role = ANY(%(roles)s) AND s.started_on <= %(on)s AND (s.left_on IS NULL OR s.left_on > %(on)s)
          AND {where}
    """  # noqa: S608 — table names and fixed clauses only; every value is a parameter


def _params(on: datetime.date, **extra) -> dict:
    return {"kind": StaffCertificate.Kind.TRAINING, "on": on, "roles": [str(r) for r in CAREGIVER_ROLES],
            "soon": _soon(on), **extra}


def _soon(on: datetime.date) -> datetime.date:
    """The end of the expiry flag's window (the last representable day for a date at the end of time)."""
    days = datetime.timedelta(days=settings.TRAINING_EXPIRING_WITHIN_DAYS)
    return on + days if on <= datetime.date.max - days else datetime.date.max


ACTIVE_INSTITUTION = "i.filed_on <= %(on)s AND (i.cancelled_on IS NULL OR i.cancelled_on > %(on)s)"
COUNTS = "COUNT(*), COUNT(m.until), COUNT(m.until) FILTER (WHERE m.until < %(soon)s)"


def region_counts(*, on: datetime.date, prefix: str = "", cities: list[str] | None = None) -> dict[str, tuple]:
    """(caregivers, trained, expiring) for every province, city, county and township under `prefix` (or of the
    given cities) that has caregivers on the date: one statement. (Institutions of a county's own code count in
    the county, not in any township.)"""
    where = ACTIVE_INSTITUTION
    params = _params(on)
    if cities is not None:
        where += " AND LEFT(i.region_id, 4) = ANY(%(cities)s)"
        params["cities"] = list(cities)
    elif prefix:
        where += " AND i.region_id LIKE %(prefix)s"
        params["prefix"] = prefix + "%"
    sql = f"""
        SELECT COALESCE(m.township, m.county, m.city, m.province) AS code, {COUNTS}
        FROM (SELECT LEFT(code, 2) AS province, LEFT(code, 4) AS city, LEFT(code, 6) AS county,
                     CASE WHEN LENGTH(code) = 9 THEN code END AS township, until
              FROM ({_members_sql(where)}) x) m
        GROUP BY GROUPING SETS ((m.province), (m.city), (m.county), (m.township))
        HAVING GROUPING(m.township) = 1 OR m.township IS NOT NULL
    """  # noqa: S608
    with connection_for_read(StaffMember).cursor() as cursor:
        cursor.execute(sql, params)
        return {code: tuple(values) for code, *values in cursor.fetchall()}


def region_figures(*, codes: list[str], on: datetime.date, names: dict[str, str] | None = None) -> list[Figure]:
    """The figures of the given regions (in that order), zeros for a region without caregivers: two queries
    (one when the regions' names are given)."""
    if not codes:
        return []
    prefix = min(codes, key=len)
    common = prefix if all(c.startswith(prefix) for c in codes) else prefix[:2]
    counts = region_counts(on=on, prefix=common)
    if names is None:
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [Figure(code, names.get(code, code), *counts.get(code, (0, 0, 0))) for code in codes]


def institution_figures(*, on: datetime.date, institution_ids: list[int] | None = None,
                        prefix: str | None = None, active_only: bool = True) -> list[Figure]:
    """Per institution (of the ids given, or filed in the area `prefix`), those with caregivers: one query."""
    where = ACTIVE_INSTITUTION if active_only else "TRUE"
    params = _params(on)
    if institution_ids is not None:
        where += " AND i.id = ANY(%(ids)s)"
        params["ids"] = list(institution_ids)
    if prefix:
        where += " AND i.region_id LIKE %(prefix)s"
        params["prefix"] = prefix + "%"
    sql = f"""
        SELECT m.institution_id, MIN(i.name), {COUNTS}
        FROM ({_members_sql(where)}) m JOIN {Institution._meta.db_table} i ON i.id = m.institution_id
        GROUP BY m.institution_id ORDER BY MIN(i.name), m.institution_id
    """  # noqa: S608
    with connection_for_read(StaffMember).cursor() as cursor:
        cursor.execute(sql, params)
        return [Figure(str(pk), name, *values) for pk, name, *values in cursor.fetchall()]


def institution_figure(institution: Institution, on: datetime.date) -> Figure:
    """The institution's own figure (whatever its filing status: its staff follow their training before too)."""
    rows = institution_figures(on=on, institution_ids=[institution.pk], active_only=False)
    return rows[0] if rows else Figure(str(institution.pk), institution.name)


def expiring_certificates(*, institution_id: int, on: datetime.date):
    """The institution's caregivers whose newest valid training certificate ends within the flag's days."""
    soon = _soon(on)
    return (StaffCertificate.objects.filter(staff_member__institution_id=institution_id,
                                            kind=StaffCertificate.Kind.TRAINING, issued_on__lte=on,
                                            expires_on__gte=on, expires_on__lt=soon)
            .exclude(staff_member__certificates__kind=StaffCertificate.Kind.TRAINING,
                     staff_member__certificates__expires_on__gte=soon)
            .select_related("staff_member").order_by("expires_on", "pk"))


# --- The annual assessment pack ----------------------------------------------------------------------

def _item(label: str, numerator, denominator, note: str) -> dict:
    return {"label": label, "numerator": numerator, "denominator": denominator, "note": note}


def pack_figures(*, year: int, city_codes: list[str]) -> dict[str, list[dict]]:
    """The training figures of each city for the annual assessment pack, in the current language.

    Per city code, in this order: trained caregivers / caregivers on 31 December of the year (or today, while
    the year runs), caregivers whose training certificate expires within the flag's days / trained caregivers,
    courses held at the city's guidance centres (ended within the year by that date), attendance / places of
    those courses, certificates issued / staff who attended. Four queries whatever the number of cities.
    """
    as_of = min(datetime.date(year, 12, 31), timezone.localdate())
    start = datetime.date(year, 1, 1)
    counts = region_counts(on=as_of, cities=city_codes)
    held = Q(status=Course.Status.PUBLISHED, ends_on__gte=start, ends_on__lte=as_of)
    courses = {row["centre__city_id"]: row for row in (
        Course.objects.filter(held, centre__city_id__in=city_codes).values("centre__city_id")
        .annotate(courses=Count("pk"), places=Sum("capacity")))}
    registrations = {row["course__centre__city_id"]: row for row in (
        Registration.objects.filter(course__in=Course.objects.filter(held, centre__city_id__in=city_codes))
        .values("course__centre__city_id")
        .annotate(attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)),
                  certified=Count("pk", filter=Q(certificate__isnull=False))))}
    date = as_of.isoformat()
    years = settings.TRAINING_CERTIFICATE_VALID_YEARS
    days = settings.TRAINING_EXPIRING_WITHIN_DAYS
    out = {}
    for city in city_codes:
        caregivers, trained, expiring = counts.get(city, (0, 0, 0))
        course_row = courses.get(city, {})
        registration_row = registrations.get(city, {})
        attended = registration_row.get("attended", 0)
        out[city] = [
            _item(_("Trained caregivers / caregivers"), trained, caregivers,
                  _("On %(date)s: caregivers and early-years teachers of filed institutions holding an unexpired "
                    "training certificate (valid %(years)s years, a working definition).") % {
                      "date": date, "years": years}),
            _item(_("Training certificates expiring soon / trained caregivers"), expiring, trained,
                  _("Expiring within %(days)s days of %(date)s.") % {"days": days, "date": date}),
            _item(_("Training courses held"), course_row.get("courses", 0), None,
                  _("Courses of the city's guidance centres that ended between %(start)s and %(date)s.") % {
                      "start": start.isoformat(), "date": date}),
            _item(_("Attendance / places"), attended, course_row.get("places", 0),
                  _("Staff who attended those courses, against the places they offered.")),
            _item(_("Certificates issued / staff who attended"), registration_row.get("certified", 0), attended,
                  _("A certificate is issued for attending the whole course.")),
        ]
    return out
