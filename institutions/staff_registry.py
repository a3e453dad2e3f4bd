"""Staff across institutions: the same person active at two institutions at once, and certificates that
have expired or expire soon. Reads only; two queries each, whatever the area's size.

A double registration is one identity hash (institutions.StaffMember.identity_hash) on staff working
today at two or more filed institutions. Each county holding one of them sees the whole group — the
other county's institution included — because resolving it needs both sides.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from accounts import policies

from .models import Institution, StaffMember

EXPIRING_WITHIN_DAYS = 30


@dataclass
class DoubleRegistration:
    identity_masked: str
    members: list[StaffMember] = field(default_factory=list)

    @property
    def counties(self) -> list[str]:
        return sorted({m.institution.county_code for m in self.members})


def _working(on: datetime.date):
    return (StaffMember.objects.active_on(on).filter(institution__status=Institution.Status.FILED)
            .exclude(identity_hash=""))


def double_registrations(*, user, on: datetime.date | None = None,
                         institution: Institution | None = None) -> list[DoubleRegistration]:
    """Groups of staff records with one identity, working at several filed institutions on the date, where
    at least one of them is in the user's area (or at `institution`). Officials and administrators only."""
    area = policies.area_of(user)
    if area is None:
        return []
    on = on or timezone.localdate()
    working = _working(on)
    mine = working.filter(institution__region__code__startswith=area)
    if institution is not None:
        mine = mine.filter(institution=institution)
    several = (working.filter(identity_hash=OuterRef("identity_hash")).values("identity_hash")
               .annotate(n=Count("institution", distinct=True)).filter(n__gt=1).values("n"))
    hashes = mine.filter(Exists(several)).values("identity_hash")
    groups: dict[str, DoubleRegistration] = {}
    for member in (working.filter(identity_hash__in=hashes).select_related("institution__region")
                   .order_by("identity_hash", "institution__region_id", "institution_id")):
        group = groups.setdefault(member.identity_hash, DoubleRegistration(identity_masked=member.identity_masked))
        group.members.append(member)
    return [g for g in groups.values() if len({m.institution_id for m in g.members}) > 1]


def certificate_state(date: datetime.date | None, on: datetime.date) -> str:
    if date is None:
        return ""
    if date < on:
        return "expired"
    return "expiring" if date <= on + datetime.timedelta(days=EXPIRING_WITHIN_DAYS) else ""


def certificates_due(members, on: datetime.date | None = None):
    """Staff working on the date with a certificate expired or expiring within 30 days, soonest first."""
    on = on or timezone.localdate()
    return (members.certificates_due(on, EXPIRING_WITHIN_DAYS).select_related("institution__region")
            .order_by("institution__region_id", "institution_id", "name", "pk"))
