"""What a service refuses reaches the person who asked: on the field it names, or above the form; a
conflict (the object's state refuses the action) the same way on pages and as a 409 in the API."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from portal.exceptions import Conflict
from portal.forms import add_service_errors


class _Form(forms.Form):
    name = forms.CharField()


def _bound():
    form = _Form(data={"name": "x"})
    assert form.is_valid()
    return form


def test_a_field_error_lands_on_its_field_and_an_unknown_field_above_the_form():
    form = _bound()
    add_service_errors(form, ValidationError({"name": "Too short.", "credit_code": "Wrong check character."}))
    assert form.errors["name"] == ["Too short."]
    assert form.non_field_errors() == ["Wrong check character."]


def test_a_conflict_is_a_message_above_the_form():
    form = _bound()
    add_service_errors(form, Conflict("Another reviewer decided this filing a moment ago."))
    assert form.non_field_errors() == ["Another reviewer decided this filing a moment ago."]


@pytest.mark.django_db
def test_a_filed_institution_is_a_409_conflict_in_the_api(api_client, staff, institution):
    api_client.force_authenticate(staff)
    with translation.override("en"):
        response = api_client.patch(f"/api/v1/institutions/{institution.pk}/", {"address": "新地址"}, format="json",
                                    HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "This institution is filed: changes to its particulars and classes go through a change filing."}


@pytest.mark.django_db
def test_a_slot_that_filled_up_is_said_on_the_booking_page(client, regions):
    """Two institutions book the last place: the second is told on the page (a Conflict from the service)."""
    from filings.models import AppointmentSlot
    from institutions.models import GuidanceCentre
    from tests.factories import InstitutionFactory, UserFactory

    centre = GuidanceCentre.objects.create(city_id="1301", name="石家庄市托育指导中心")
    slot = AppointmentSlot.objects.create(centre=centre, date=timezone.localdate() + datetime.timedelta(days=3),
                                          start_time=datetime.time(9), end_time=datetime.time(10), capacity=1)
    first, second = (UserFactory(institution=InstitutionFactory(region_id="130102", status="draft", filed_on=None))
                     for _ in range(2))
    client.force_login(first)
    assert client.post(reverse("filings:book"), {"slot": slot.pk}).status_code == 302
    client.force_login(second)
    page = client.post(reverse("filings:book"), {"slot": slot.pk}, follow=True)
    assert "该时段已约满，请选择其他时段。" in page.content.decode()
