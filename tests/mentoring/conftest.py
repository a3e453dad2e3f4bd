import datetime

import pytest

from institutions.models import MentoringPair
from tests.factories import InstitutionFactory, UserFactory


@pytest.fixture
def mentee(regions):
    return InstitutionFactory(region_id="130104001", name="桥西区新苗托育园")


@pytest.fixture
def pair(institution, mentee):
    """长安区阳光托育园 (the `institution` fixture) mentors 桥西区新苗托育园 since 1 March 2026."""
    return MentoringPair.objects.create(mentor=institution, mentee=mentee, started_on=datetime.date(2026, 3, 1))


@pytest.fixture
def mentee_staff(mentee):
    return UserFactory(username="staff_mentee", institution=mentee)
