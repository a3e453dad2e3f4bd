"""Suspended institutions do not count in capacity from their suspension date (docs/domain.md): not in
the snapshot (and so not on the dashboards, planner, exports or metrics API), not on the occupancy page.
A lifted suspension counts again from the day it is lifted, and figures of a date inside the suspension
stay the same when recomputed after the lift."""

import datetime

import pytest
from django.utils import timezone

from enrolments.models import Child, Enrolment
from enrolments.selectors import occupancy_by_area
from institutions import services
from institutions.models import Institution, Suspension
from metrics.compute import snapshot_compute
from metrics.models import RegionSnapshot
from tests.factories import InstitutionClassFactory, InstitutionFactory

pytestmark = pytest.mark.django_db


def _county(date):
    return RegionSnapshot.objects.get(snapshot=snapshot_compute(date=date), region_id="130102")


@pytest.fixture
def two_institutions(regions):
    filed_on = datetime.date(2021, 1, 1)
    kept = InstitutionFactory(region_id="130102", filed_on=filed_on)
    InstitutionClassFactory(institution=kept, places=20, opened_on=filed_on)
    suspended = InstitutionFactory(region_id="130102", filed_on=filed_on)
    klass = InstitutionClassFactory(institution=suspended, places=10, opened_on=filed_on)
    child = Child.objects.create(institution=suspended, date_of_birth=datetime.date(2024, 3, 1), name="孩子",
                                 document_hash="hash-s")
    Enrolment.objects.create(child=child, institution=suspended, klass=klass, start_date=filed_on,
                             care_form="full_day")
    return kept, suspended


def test_figures_before_on_and_after_a_suspension(two_institutions, county_official, api_client):
    _kept, suspended = two_institutions
    today = timezone.localdate()
    suspended_on = today - datetime.timedelta(days=10)
    before = _county(suspended_on - datetime.timedelta(days=1))
    assert (before.institutions, before.places, before.enrolled) == (2, 30, 1)

    services.institution_suspend(institution=suspended, suspended_on=suspended_on, actor=county_official)
    during = _county(suspended_on)
    assert (during.institutions, during.places, during.enrolled) == (1, 20, 0)
    assert during.utilisation == 0 and during.places_older == 20
    # The day before still counts it: the rule starts on the suspension date.
    assert _county(suspended_on - datetime.timedelta(days=1)).places == 30
    rows = {r.code: r for r in occupancy_by_area("1301", suspended_on)}
    assert (rows["130102"].places, rows["130102"].enrolled) == (20, 0)

    services.institution_lift_suspension(institution=suspended, actor=county_official)
    assert Suspension.objects.get(institution=suspended).lifted_on == today
    assert _county(today).places == 30
    # Recomputing a date inside the suspension after the lift gives the same figures as before.
    assert _county(suspended_on).places == 20
    # The metrics API reads the same snapshot.
    api_client.force_authenticate(county_official)
    answer = api_client.get("/api/v1/metrics/regions/130102/", {"date": str(suspended_on)})
    assert answer.status_code == 200 and answer.json()["places"] == 20


def test_suspension_dispatches_a_recompute_and_a_repeat_keeps_one_period(two_institutions, county_official):
    from portal.models import TaskOutbox

    _kept, suspended = two_institutions
    today = timezone.localdate()
    services.institution_suspend(institution=suspended, suspended_on=today, actor=county_official)
    services.institution_suspend(institution=suspended, suspended_on=today, actor=county_official)
    assert Suspension.objects.filter(institution=suspended).count() == 1
    assert TaskOutbox.objects.filter(task_name__contains="recompute").exists()
    assert Institution.objects.in_capacity_on(today).filter(pk=suspended.pk).count() == 0
