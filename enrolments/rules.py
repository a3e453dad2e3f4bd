"""The enrolment rules, as plain functions shared by the services (one record) and the import (many).

Each returns a message naming the child and the rule, or None. Working definition (our choice,
documented in the UI help): a start date may be at most MAX_DAYS_AHEAD days in the future, so that
planned enrolments are possible but typos such as 2062 are caught.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils.translation import gettext as _

from institutions.models import Institution, InstitutionClass, class_rules

from .models import CareForm, age_in_months

MAX_DAYS_AHEAD = 60
# Below this age no class takes a child; from this age the child goes to kindergarten.
MIN_AGE_MONTHS = 6
MAX_AGE_MONTHS = 36

CARE_FORM_FLAGS = {
    CareForm.FULL_DAY: "full_day", CareForm.HALF_DAY: "half_day",
    CareForm.HOURLY: "hourly", CareForm.TEMPORARY: "temporary",
}


def class_fit_error(name: str, date_of_birth: datetime.date, klass: InstitutionClass,
                    on: datetime.date) -> str | None:
    months = age_in_months(date_of_birth, on)
    params = {"child": name, "months": months, "date": on.isoformat(), "class": klass.name}
    if months < MIN_AGE_MONTHS:
        return _("%(child)s is %(months)d months old on %(date)s: children under 6 months are not enrolled "
                 "in a class.") % params
    if months >= MAX_AGE_MONTHS:
        return _("%(child)s is %(months)d months old on %(date)s: children of 3 years and over are not "
                 "enrolled in a class (kindergarten age).") % params
    rule = class_rules()[klass.class_type]
    if not (rule.min_age_months <= months < rule.max_age_months):
        # The class type's label already states its age range.
        return _("%(child)s is %(months)d months old on %(date)s, but class %(class)s is a %(type)s.") % {
            **params, "type": klass.get_class_type_display()}
    return None


def institution_open_error(name: str, institution: Institution, on: datetime.date) -> str | None:
    if institution.status != Institution.Status.FILED or institution.filed_on is None:
        return _("%(child)s cannot be enrolled: %(institution)s is not filed (only filed institutions, "
                 "not suspended or cancelled ones, enrol children).") % {
            "child": name, "institution": institution.name}
    if institution.filed_on > on:
        return _("%(child)s cannot start on %(date)s: %(institution)s was filed only on %(filed)s.") % {
            "child": name, "date": on.isoformat(), "institution": institution.name,
            "filed": institution.filed_on.isoformat()}
    if institution.cancelled_on and institution.cancelled_on <= on:
        return _("%(child)s cannot be enrolled: %(institution)s is cancelled.") % {
            "child": name, "institution": institution.name}
    return None


def class_open_error(name: str, klass: InstitutionClass, institution: Institution,
                     on: datetime.date) -> str | None:
    if klass.institution_id != institution.pk:
        return _("%(child)s: class %(class)s is not a class of this institution.") % {
            "child": name, "class": klass.name}
    if klass.opened_on > on or (klass.closed_on and klass.closed_on <= on):
        return _("%(child)s: class %(class)s is not open on %(date)s.") % {
            "child": name, "class": klass.name, "date": on.isoformat()}
    return None


def care_form_error(name: str, institution: Institution, care_form: str) -> str | None:
    if care_form not in CARE_FORM_FLAGS:
        return _("%(child)s: choose a care form (full-day, half-day, hourly or temporary).") % {"child": name}
    if not getattr(institution, CARE_FORM_FLAGS[care_form]):
        return _("%(child)s: %(institution)s is not filed for %(form)s.") % {
            "child": name, "institution": institution.name, "form": CareForm(care_form).label}
    return None


def dates_error(name: str, start: datetime.date, end: datetime.date | None, today: datetime.date) -> str | None:
    if start > today + datetime.timedelta(days=MAX_DAYS_AHEAD):
        return _("%(child)s: the start date %(date)s is more than %(days)d days ahead.") % {
            "child": name, "date": start.isoformat(), "days": MAX_DAYS_AHEAD}
    if end is not None and end <= start:
        return _("%(child)s: the leaving date must be after the start date (%(date)s).") % {
            "child": name, "date": start.isoformat()}
    return None


def full_day_conflict_message(name: str) -> str:
    # Deliberately says nothing of where the other enrolment is: that is another institution's data.
    return _("%(child)s already has a full-day enrolment for some of these dates, here or at another "
             "institution; a child may have only one full-day enrolment at a time.") % {"child": name}


def capacity_message(name: str, klass: InstitutionClass, date: datetime.date) -> str:
    return _("%(child)s cannot join class %(class)s: it would hold more than its %(places)d places on "
             "%(date)s.") % {"child": name, "class": klass.name, "places": klass.places, "date": date.isoformat()}


def peak_occupancy(intervals: Iterable[tuple[datetime.date, datetime.date | None]], start: datetime.date,
                   end: datetime.date | None) -> tuple[int, datetime.date | None]:
    """The largest number of intervals [a, b) covering one day of [start, end), and the first such day."""
    events = []
    for a, b in intervals:
        lo = max(a, start)
        hi = b if end is None else (end if b is None else min(b, end))
        if hi is not None and hi <= lo:
            continue
        events.append((lo, 1))
        if hi is not None:
            events.append((hi, -1))
    # Leaving on a day frees the place that day: -1 sorts before +1.
    events.sort(key=lambda e: (e[0], e[1]))
    running = peak = 0
    peak_day = None
    for day, delta in events:
        running += delta
        if running > peak:
            peak, peak_day = running, day
    return peak, peak_day


def first_overfull_day(intervals: list[tuple[datetime.date, datetime.date | None]],
                       places: int) -> datetime.date | None:
    """For the import: the first day on which the intervals together exceed the places."""
    events = []
    for a, b in intervals:
        events.append((a, 1))
        if b is not None:
            events.append((b, -1))
    events.sort(key=lambda e: (e[0], e[1]))
    running = 0
    for day, delta in events:
        running += delta
        if running > places:
            return day
    return None
