"""Working-day arithmetic for filing deadlines: weekends never count, Holiday rows are data."""

from __future__ import annotations

import datetime

from django.conf import settings


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start` (start itself does not count).

    A filing submitted on Friday with n=5 is due the next Friday; a Holiday on a weekday in between
    pushes it one day further. One query for the holidays of the window, whatever n is.
    """
    from .models import Holiday

    # Generous window: n working days fit in 2n + 30 calendar days even around Golden Week.
    window_end = start + datetime.timedelta(days=2 * n + 30)
    holidays = set(Holiday.objects.filter(date__gt=start, date__lte=window_end).values_list("date", flat=True))
    return add_working_days_skipping(start, n, holidays)


def add_working_days_skipping(start: datetime.date, n: int, holidays: set[datetime.date]) -> datetime.date:
    """add_working_days with the holidays given (no query): for bulk work such as the demo."""
    day, left = start, n
    while left > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() >= 5 or day in holidays:
            continue
        left -= 1
    return day


def decision_due_on(submitted_on: datetime.date) -> datetime.date:
    return add_working_days(submitted_on, getattr(settings, "FILING_DECISION_WORKING_DAYS", 5))
