"""The slots page: city officials publish appointment slots at their guidance centres; others read."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from filings.models import AppointmentSlot
from institutions.models import GuidanceCentre

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(regions):
    return GuidanceCentre.objects.create(city_id="1301", name="石家庄市托育指导中心")


@pytest.fixture
def other_centre(regions):
    return GuidanceCentre.objects.create(city_id="1305", name="邢台市托育指导中心")


def _slot(centre, **changes):
    data = {"centre": centre.pk, "date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "start_time": "09:00", "end_time": "10:30", "capacity": "6", "purpose": "verification"}
    return {**data, **changes}


def test_city_official_publishes_a_slot(client, centre, city_official):
    client.force_login(city_official)
    response = client.post(reverse("filings:slots"), _slot(centre))
    assert response.status_code == 302
    slot = AppointmentSlot.objects.get(centre=centre)
    assert (slot.capacity, slot.start_time, slot.purpose) == (6, datetime.time(9), "verification")
    assert AuditEntry.objects.filter(action="appointment.slot_create", actor=city_official).exists()
    listed = client.get(reverse("filings:slots")).content.decode()
    assert "石家庄市托育指导中心" in listed and "0 / 6" in listed


def test_a_slot_ending_before_it_starts_is_refused_naming_the_field(client, centre, city_official):
    client.force_login(city_official)
    response = client.post(reverse("filings:slots"), _slot(centre, end_time="08:00"))
    assert response.status_code == 400
    assert response.context["form"].errors["end_time"]
    assert not AppointmentSlot.objects.exists()


def test_a_slot_in_the_past_is_refused_naming_the_date(client, centre, city_official):
    client.force_login(city_official)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(reverse("filings:slots"), _slot(centre, date=yesterday.isoformat()))
    assert response.status_code == 400
    assert response.context["form"].errors["date"]
    assert not AppointmentSlot.objects.exists()


def test_an_official_cannot_publish_at_another_citys_centre(client, centre, other_centre, other_city_official):
    client.force_login(other_city_official)
    response = client.post(reverse("filings:slots"), _slot(centre))
    assert response.status_code == 400  # not a choice offered to them
    assert not AppointmentSlot.objects.exists()


def test_county_officials_see_their_citys_slots_but_do_not_publish(client, centre, city_official,
                                                                   county_official):
    client.force_login(city_official)
    client.post(reverse("filings:slots"), _slot(centre))
    client.force_login(county_official)
    page = client.get(reverse("filings:slots"))
    assert page.status_code == 200 and page.context["form"] is None
    assert len(page.context["slots"]) == 1
    assert client.post(reverse("filings:slots"), _slot(centre)).status_code == 403


def test_institution_staff_do_not_see_the_page(client, centre, staff):
    client.force_login(staff)
    assert client.get(reverse("filings:slots")).status_code == 404


def test_province_officials_see_every_city_of_the_province(client, centre, other_centre, province_official):
    AppointmentSlot.objects.create(centre=other_centre, date=timezone.localdate() + datetime.timedelta(days=2),
                                   start_time=datetime.time(14), end_time=datetime.time(15), capacity=3,
                                   purpose=AppointmentSlot.Purpose.TRAINING)
    client.force_login(province_official)
    page = client.get(reverse("filings:slots"))
    assert page.status_code == 200 and page.context["form"] is None
    assert [s.centre.name for s in page.context["slots"]] == ["邢台市托育指导中心"]
