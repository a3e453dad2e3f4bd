from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.forms import DateField, DateInput


class SnapshotDateForm(forms.Form):
    date = DateField(label=_("Snapshot date"), required=False, widget=DateInput(attrs={"list": "snapshot-dates"}),
                     help_text=_("The latest snapshot on or before this date is shown."))

    def chosen(self) -> datetime.date | None:
        return self.cleaned_data.get("date") if self.is_valid() else None


class PlannerForm(forms.Form):
    """The planner's assumptions. The target and the inclusive share are working definitions."""

    target = forms.DecimalField(label=_("Target places per 1,000 residents"), min_value=Decimal("0.1"),
                                max_value=Decimal("50"), max_digits=5, decimal_places=2, required=False)
    year = forms.IntegerField(label=_("Reach it by the end of"), min_value=2000, max_value=2100, required=False)
    inclusive_share = forms.DecimalField(label=_("Inclusive share of places (%)"), min_value=Decimal("0"),
                                         max_value=Decimal("100"), max_digits=5, decimal_places=1, required=False)

    DEFAULT_INCLUSIVE_SHARE = Decimal("50")  # nationally about half of places are inclusive (2025)

    @staticmethod
    def default_year(snapshot_date: datetime.date) -> int:
        """The deadline the planner aims at by default (a working definition): the end of the year the
        target was set for (PLACES_TARGET_YEAR, 2025 for the 14th Five-Year Plan's 4.5), or, once that is
        past, the end of the next five-year plan still ahead of the snapshot (2030, 2035, ...)."""
        year = settings.PLACES_TARGET_YEAR
        while datetime.date(year, 12, 31) <= snapshot_date:
            year += settings.PLAN_PERIOD_YEARS
        return year

    def values(self, snapshot_date: datetime.date) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        year = data.get("year") or self.default_year(snapshot_date)
        days = (datetime.date(year, 12, 31) - snapshot_date).days
        return {
            "target": data.get("target") or Decimal(str(settings.PLACES_TARGET_PER_1000)),
            "year": year,
            "target_year": settings.PLACES_TARGET_YEAR,
            # The target's own deadline is past and the default moved on to a later plan's end.
            "next_plan": not data.get("year") and year != settings.PLACES_TARGET_YEAR,
            # Years left from the snapshot to the end of the chosen year; 0 when that is already past.
            "years": max(Decimal(0), Decimal(days) / Decimal("365.25")).quantize(Decimal("0.1")),
            "inclusive_share": data.get("inclusive_share")
            if data.get("inclusive_share") is not None else self.DEFAULT_INCLUSIVE_SHARE,
        }
