"""Races on real PostgreSQL: two reviewers approving the same filing at once, and two institutions
booking the last place of a slot. Exactly one wins; nothing is half-written."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from filings import services
from filings.models import AppointmentSlot, Booking, Filing, ReceiptCounter
from institutions.models import Institution
from tests.factories import InstitutionClassFactory, InstitutionFactory, UserFactory
from tests.helpers import race

from .conftest import make_submitted

pytestmark = pytest.mark.django_db(transaction=True)


def _submitted_filings(n: int, *, region_id: str) -> list[Filing]:
    """The submitted initial filings of `n` new draft institutions of a township, each with a class."""
    filings = []
    for _ in range(n):
        inst = InstitutionFactory(region_id=region_id, status=Institution.Status.DRAFT, filed_on=None)
        InstitutionClassFactory(institution=inst)
        filings.append(make_submitted(inst, UserFactory(institution=inst)))
    return filings


def test_two_reviewers_approving_at_once_issue_exactly_one_receipt(require_postgresql, regions):
    first = UserFactory(username="county_x", role="official", region_id="130102")
    second = UserFactory(username="county_y", role="official", region_id="130102")
    filings = _submitted_filings(3, region_id="130102001")
    for filing in filings:
        results = race(lambda f=filing: services.filing_approve(filing=f, actor=first),
                        lambda f=filing: services.filing_approve(filing=f, actor=second))
        wins = [r for r in results if isinstance(r, Filing)]
        losses = [r for r in results if isinstance(r, services.FilingStateError)]
        assert len(wins) == 1 and len(losses) == 1, results
    numbers = list(Filing.objects.filter(status="filed").order_by("receipt_number")
                   .values_list("receipt_number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"130102-{year}-{n:04d}" for n in (1, 2, 3)]
    assert ReceiptCounter.objects.get(county_id="130102", year=year).last_number == 3
    assert Institution.objects.filter(status="filed", filing_number__in=numbers).count() == 3


def test_approvals_of_different_filings_at_once_get_unique_consecutive_numbers(require_postgresql, regions):
    official = UserFactory(username="county_z", role="official", region_id="130102")
    filings = _submitted_filings(4, region_id="130102002")
    results = race(*[lambda f=f: services.filing_approve(filing=f, actor=official) for f in filings])
    assert all(isinstance(r, Filing) for r in results), results
    numbers = sorted(r.receipt_number for r in results)
    year = timezone.localdate().year
    assert numbers == [f"130102-{year}-{n:04d}" for n in (1, 2, 3, 4)]


def test_two_institutions_racing_for_the_last_place_exactly_one_wins(require_postgresql, regions):
    from institutions.models import GuidanceCentre

    centre = GuidanceCentre.objects.create(city_id="1301", name="石家庄市托育指导中心")
    slot = AppointmentSlot.objects.create(centre=centre, date=timezone.localdate() + datetime.timedelta(days=2),
                                          start_time="09:00", end_time="10:00", capacity=1, purpose="verification")
    a = UserFactory(institution=InstitutionFactory(region_id="130102001"))
    b = UserFactory(institution=InstitutionFactory(region_id="130104001"))
    assert connection.vendor == "postgresql"
    results = race(lambda: services.booking_create(slot=slot, actor=a),
                    lambda: services.booking_create(slot=slot, actor=b))
    wins = [r for r in results if isinstance(r, Booking)]
    losses = [r for r in results if isinstance(r, services.FilingStateError)]
    assert len(wins) == 1 and len(losses) == 1, results
    slot.refresh_from_db()
    assert slot.booked_count == 1 and Booking.objects.filter(slot=slot).count() == 1
