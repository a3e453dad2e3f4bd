"""Reads of year-end reporting: reporting rates per region, set-based, and the figures this programme gives
the annual assessment pack.

Who owes a report on year Y (working definition): every institution filed on or before 31 December Y and not
cancelled on or before it — the metrics' "active on" rule, on the year's last day. Submitted = sent to the
county at least once (under review, accepted, or returned for correction); on time = first sent by the
deadline.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, FilteredRelation, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from institutions.models import Institution
from regions import codes

from .models import YearEndObligation, YearEndReport

S = YearEndReport.Status


@dataclass
class Rate:
    code: str
    due: int = 0
    submitted: int = 0
    on_time: int = 0
    late: int = 0
    accepted: int = 0
    returned: int = 0
    under_review: int = 0
    drafts: int = 0

    @property
    def missing(self) -> int:
        return self.due - self.submitted

    @property
    def submitted_pct(self):
        return None if not self.due else round(100 * self.submitted / self.due, 1)

    @property
    def on_time_pct(self):
        return None if not self.due else round(100 * self.on_time / self.due, 1)

    def add(self, other: Rate) -> None:
        for name in ("due", "submitted", "on_time", "late", "accepted", "returned", "under_review", "drafts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def reporting_rates(*, year: int, area: str, group_length: int) -> dict[str, Rate]:
    """{region code[:group_length]: Rate} for the institutions of `area` owing a report on `year`.

    One query whatever the number of regions: the owing institutions, left-joined to their report of the
    year, counted per code prefix.
    """
    year_end = datetime.date(year, 12, 31)
    rows = (Institution.objects.active_on(year_end)
            .filter(region__code__startswith=area)
            .annotate(r=FilteredRelation("yearend_reports", condition=Q(yearend_reports__year=year)),
                      code=Substr("region_id", 1, group_length))
            .values("code")
            .annotate(due=Count("pk"),
                      submitted=Count("r__pk", filter=Q(r__first_submitted_at__isnull=False)),
                      on_time=Count("r__pk", filter=Q(r__first_submitted_at__isnull=False, r__on_time=True)),
                      late=Count("r__pk", filter=Q(r__first_submitted_at__isnull=False, r__on_time=False)),
                      accepted=Count("r__pk", filter=Q(r__status=S.ACCEPTED)),
                      returned=Count("r__pk", filter=Q(r__status=S.RETURNED)),
                      under_review=Count("r__pk", filter=Q(r__status=S.SUBMITTED)),
                      drafts=Count("r__pk", filter=Q(r__status=S.DRAFT)))
            .order_by("code"))
    # An institution filed at its county's own code (no township) keeps that code: the county's row of its
    # townships' table, "not assigned to a township".
    return {row["code"]: Rate(**row) for row in rows}


def obligation_for(province: str, year: int) -> YearEndObligation | None:
    return YearEndObligation.objects.filter(region_id=province, year=year).select_related("template").first()


def pack_figures(*, year: int, city_codes: list[str]) -> dict[str, list[dict]]:
    """The annual assessment pack's figures of year-end reporting, per city: reports submitted, on time and
    accepted, each over the institutions owing one."""
    rates: dict[str, Rate] = {}
    for province in sorted({codes.province_of(c) for c in city_codes if c}):
        rates.update(reporting_rates(year=year, area=province, group_length=4))
    out = {}
    for city in city_codes:
        rate = rates.get(city, Rate(code=city))
        note = _("Institutions filed and not cancelled on 31 December %(year)d owe a report.") % {"year": year}
        out[city] = [
            {"label": _("Year-end reports submitted"), "numerator": rate.submitted, "denominator": rate.due,
             "note": note},
            {"label": _("Year-end reports submitted on time"), "numerator": rate.on_time, "denominator": rate.due,
             "note": _("First sent by the deadline.")},
            {"label": _("Year-end reports accepted by the county"), "numerator": rate.accepted,
             "denominator": rate.due, "note": ""},
        ]
    return out
