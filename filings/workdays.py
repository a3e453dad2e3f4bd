"""Working-day arithmetic for filing deadlines: Monday to Friday count, except the days off of the
State Council's holiday notice; weekends do not, except the weekend days worked instead (调休).
Both are Holiday rows, entered from each year's notice."""

from __future__ import annotations

import datetime

from django.conf import settings


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start` (start itself does not count).

    A filing submitted on Friday with n=5 is due the next Friday; a day off on a weekday in between
    pushes it one day further, a weekend day worked brings it one day nearer. One query for the
    holiday rows of the window, whatever n is.
    """
    from .models import Holiday

    # Generous window: n working days fit in 2n + 30 calendar days even around Golden Week.
    window_end = start + datetime.timedelta(days=2 * n + 30)
    rows = Holiday.objects.filter(date__gt=start, date__lte=window_end).values_list("date", "kind")
    days_off = {d for d, kind in rows if kind == Holiday.Kind.DAY_OFF}
    worked = {d for d, kind in rows if kind == Holiday.Kind.WORKING_WEEKEND}
    return add_working_days_skipping(start, n, days_off, worked)


def add_working_days_skipping(start: datetime.date, n: int, holidays: set[datetime.date],
                              worked_weekends: set[datetime.date] = frozenset()) -> datetime.date:
    """add_working_days with the holiday rows given (no query): for bulk work such as the demo."""
    day, left = start, n
    while left > 0:
        day += datetime.timedelta(days=1)
        working = day in worked_weekends or (day.weekday() < 5 and day not in holidays)
        if working:
            left -= 1
    return day


def decision_due_on(submitted_on: datetime.date) -> datetime.date:
    return add_working_days(submitted_on, getattr(settings, "FILING_DECISION_WORKING_DAYS", 5))
