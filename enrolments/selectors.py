"""Reads shared by pages, API and exports: class lists, occupancy and report completeness.

Aggregates for officials are set-based (GROUP BY the region code prefix), a fixed number of queries
whatever the number of institutions, and never carry a child's name or number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from institutions.models import Institution, InstitutionClass
from regions import codes
from regions.models import Region

from .models import Enrolment, EnrolmentReport


def class_lists(institution: Institution, on: datetime.date):
    """Open classes with their current enrolments (child prefetched): 2 queries."""
    current = (Enrolment.objects.active_on(on).select_related("child")
               .order_by("child__name", "pk"))
    return list(
        InstitutionClass.objects.filter(institution=institution)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .prefetch_related(Prefetch("enrolments", queryset=current, to_attr="current"))
        .order_by("class_type", "name"))


def enrolled_by_class(institution: Institution, on: datetime.date | None = None) -> list[dict]:
    """Enrolments not ended by `on` per class, [{"class_name": ..., "count": n}]: counts, no names.

    Enrolments starting later count too: a cancellation must find those children a place as well.
    """
    on = on or timezone.localdate()
    rows = (Enrolment.objects.filter(institution=institution).filter(Q(end_date__isnull=True) | Q(end_date__gt=on))
            .values("klass__name").annotate(n=Count("pk")).order_by("klass__name"))
    return [{"class_name": r["klass__name"] or "", "count": r["n"]} for r in rows]


@dataclass
class AreaRow:
    code: str
    name: str
    institutions: int = 0
    places: int = 0
    enrolled: int = 0
    expected: int = 0
    actual: int = 0
    on_time: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def utilisation(self) -> Decimal | None:
        """Enrolled ÷ places (working definition); None when there are no places (no rate, not 0)."""
        if not self.places:
            return None
        return (Decimal(self.enrolled) * 100 / Decimal(self.places)).quantize(Decimal("0.1"))

    @property
    def reporting_rate(self) -> Decimal | None:
        if not self.expected:
            return None
        return (Decimal(self.actual) * 100 / Decimal(self.expected)).quantize(Decimal("0.1"))

    @property
    def on_time_rate(self) -> Decimal | None:
        if not self.expected:
            return None
        return (Decimal(self.on_time) * 100 / Decimal(self.expected)).quantize(Decimal("0.1"))


DUE_WITHIN_DAYS = 30


@dataclass
class Due:
    """A child who must move class (or leave) within DUE_WITHIN_DAYS: read live from the enrolments."""

    enrolment: Enrolment
    kind: str
    due_on: datetime.date

    def get_kind_display(self) -> str:
        from .models import DueNotice

        return DueNotice.Kind(self.kind).label


def due_enrolments(institution: Institution, on: datetime.date, within_days: int = DUE_WITHIN_DAYS) -> list[Due]:
    """The institution's children due to move class or leave within `within_days` of `on`, soonest first.

    The one definition behind the class list's count and the due list (one query): live, so a child
    withdrawn or moved a minute ago is no longer on it.
    """
    from .services import due_dates

    horizon = on + datetime.timedelta(days=within_days)
    out = []
    for e in (Enrolment.objects.active_on(on).filter(institution=institution)
              .select_related("child", "klass").order_by("pk")):
        kind, due_on = due_dates(e.child.date_of_birth, e.klass.class_type)
        if due_on <= horizon:
            out.append(Due(enrolment=e, kind=kind, due_on=due_on))
    return sorted(out, key=lambda d: (d.due_on, d.enrolment.pk))


def _areas(region_code: str) -> tuple[int, dict[str, str]]:
    n = codes.grouping_length(region_code)
    names = dict(Region.objects.filter(code__startswith=region_code, code__regex=rf"^\d{{{n}}}$")
                 .values_list("code", "name"))
    return n, names


def _area_names(area_codes, names: dict[str, str]) -> dict[str, str]:
    missing = [c for c in area_codes if c not in names]
    if missing:
        names.update(Region.objects.filter(code__in=missing).values_list("code", "name"))
    return names


def occupancy_by_area(region_code: str, on: datetime.date) -> list[AreaRow]:
    """Places, enrolled children and utilisation of the institutions counted in capacity on a date (active,
    not suspended), per next-level area under the region: 3 queries."""
    n, names = _areas(region_code)
    active = Institution.objects.under(region_code).in_capacity_on(on)
    rows: dict[str, AreaRow] = {}

    def row(code):
        if code not in rows:
            rows[code] = AreaRow(code=code, name="")
        return rows[code]

    for r in active.annotate(area=Substr("region_id", 1, n)).values("area").annotate(k=Count("pk")).order_by():
        row(r["area"]).institutions = r["k"]
    places = (InstitutionClass.objects.filter(institution__in=active, opened_on__lte=on)
              .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
              .annotate(area=Substr("institution__region_id", 1, n)).values("area")
              .annotate(p=Sum("places")).order_by())
    for r in places:
        row(r["area"]).places = r["p"] or 0
    enrolled = (Enrolment.objects.active_on(on).filter(institution__in=active)
                .annotate(area=Substr("institution__region_id", 1, n)).values("area")
                .annotate(k=Count("pk")).order_by())
    for r in enrolled:
        row(r["area"]).enrolled = r["k"]
    names = _area_names(rows.keys(), names)
    for code, r in rows.items():
        r.name = names.get(code, code)
    return sorted(rows.values(), key=lambda r: r.code)


def total_row(rows: list[AreaRow], code: str, name: str) -> AreaRow:
    total = AreaRow(code=code, name=name)
    for r in rows:
        for attr in ("institutions", "places", "enrolled", "expected", "actual", "on_time"):
            setattr(total, attr, getattr(total, attr) + getattr(r, attr))
    return total


def _report_exists(period_start, on_time: bool = False):
    qs = EnrolmentReport.objects.filter(institution=OuterRef("pk"), period_start=period_start,
                                        status=EnrolmentReport.Status.SUBMITTED)
    if on_time:
        from django.db.models import F

        qs = qs.filter(submitted_on__lte=F("due_on"))
    return Exists(qs)


def report_completeness(region_code: str, period_start: datetime.date, period_end: datetime.date) -> list[AreaRow]:
    """Expected, actual and on-time reports per next-level area (DHIS2 reporting rates): 2 queries.

    Expected respects each institution's filing and cancellation dates (see services.expected_institutions).
    """
    from .services import expected_institutions

    n, names = _areas(region_code)
    grouped = (expected_institutions(period_start, period_end).under(region_code)
               .annotate(area=Substr("region_id", 1, n), reported=_report_exists(period_start),
                         reported_on_time=_report_exists(period_start, on_time=True))
               .values("area")
               .annotate(expected=Count("pk"), actual=Count("pk", filter=Q(reported=True)),
                         on_time=Count("pk", filter=Q(reported_on_time=True)))
               .order_by("area"))
    rows = [AreaRow(code=r["area"], name="", expected=r["expected"], actual=r["actual"], on_time=r["on_time"])
            for r in grouped]
    names = _area_names([r.code for r in rows], names)
    for r in rows:
        r.name = names.get(r.code, r.code)
    return rows


def report_status_list(region_code: str, period_start: datetime.date, period_end: datetime.date,
                       due_on: datetime.date, today: datetime.date):
    """Each institution of the area for a period: reported on time, reported late, late (missing after the
    due date), not yet due, or not expected (filed after the period or cancelled before it): 2 queries."""
    reports = {r.institution_id: r for r in EnrolmentReport.objects.filter(
        period_start=period_start, institution__in=Institution.objects.under(region_code))}
    out = []
    for inst in (Institution.objects.under(region_code).exclude(status=Institution.Status.DRAFT)
                 .order_by("region_id", "name").only("pk", "name", "region_id", "filed_on", "cancelled_on", "status")):
        report = reports.get(inst.pk)
        if inst.filed_on is None or inst.filed_on > period_end:
            state = "not_yet_filed"
        elif inst.cancelled_on and inst.cancelled_on <= period_start:
            state = "cancelled"
        elif report and report.status == EnrolmentReport.Status.SUBMITTED:
            state = "on_time" if report.on_time else "submitted_late"
        elif due_on >= today:
            state = "pending"
        else:
            state = "late"
        out.append((inst, report, state))
    return out
