import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from filings import services
from filings.models import AppointmentSlot, Booking
from tests.factories import UserFactory


def test_staff_book_a_slot_for_their_filing(slot, draft_staff, draft_filing):
    booking = services.booking_create(slot=slot, actor=draft_staff, filing=draft_filing)
    slot.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED and booking.filing == draft_filing
    assert slot.booked_count == 1


def test_booking_a_full_slot_is_a_clear_error(slot, draft_staff, staff, other_staff):
    services.booking_create(slot=slot, actor=draft_staff)
    services.booking_create(slot=slot, actor=staff)
    with pytest.raises(services.FilingStateError) as exc, translation.override("en"):
        services.booking_create(slot=slot, actor=other_staff)
    assert exc.value.messages == ["This slot is full: choose another one."]
    slot.refresh_from_db()
    assert slot.booked_count == 2 and Booking.objects.count() == 2


def test_booking_a_past_slot_is_a_clear_error(centre, draft_staff):
    past = AppointmentSlot.objects.create(centre=centre, date=timezone.localdate() - datetime.timedelta(days=1),
                                          start_time=datetime.time(9), end_time=datetime.time(10), capacity=3,
                                          purpose=AppointmentSlot.Purpose.CONSULTATION)
    with pytest.raises(ValidationError) as exc:
        services.booking_create(slot=past, actor=draft_staff)
    assert "slot" in exc.value.message_dict


def test_the_same_institution_cannot_book_a_slot_twice(slot, draft_staff):
    services.booking_create(slot=slot, actor=draft_staff)
    with pytest.raises(services.FilingStateError):
        services.booking_create(slot=slot, actor=draft_staff)


def test_cancel_frees_the_place_and_a_repeat_changes_nothing(slot, draft_staff):
    booking = services.booking_create(slot=slot, actor=draft_staff)
    services.booking_cancel(booking=booking, actor=draft_staff)
    services.booking_cancel(booking=booking, actor=draft_staff)
    slot.refresh_from_db()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and slot.booked_count == 0


def test_move_takes_the_new_place_first(slot, centre, draft_staff, staff):
    other = AppointmentSlot.objects.create(centre=centre, date=slot.date, start_time=datetime.time(14),
                                           end_time=datetime.time(15), capacity=1, purpose=slot.purpose)
    booking = services.booking_create(slot=slot, actor=draft_staff)
    moved = services.booking_move(booking=booking, slot=other, actor=draft_staff)
    booking.refresh_from_db()
    slot.refresh_from_db()
    other.refresh_from_db()
    assert moved.slot == other and booking.status == Booking.Status.CANCELLED
    assert (slot.booked_count, other.booked_count) == (0, 1)
    # Moving into a full slot keeps the booking where it is.
    back = services.booking_create(slot=slot, actor=staff)
    full = AppointmentSlot.objects.create(centre=centre, date=slot.date, start_time=datetime.time(16),
                                          end_time=datetime.time(17), capacity=1, booked_count=1, purpose=slot.purpose)
    with pytest.raises(services.FilingStateError):
        services.booking_move(booking=back, slot=full, actor=staff)
    back.refresh_from_db()
    assert back.status == Booking.Status.BOOKED


def test_staff_of_another_institution_cannot_cancel(slot, draft_staff, other_staff):
    booking = services.booking_create(slot=slot, actor=draft_staff)
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, actor=other_staff)


def test_city_official_publishes_slots_of_its_centre_only(centre, city_official, other_city_official):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    slot = services.appointment_slot_create(centre=centre, date=tomorrow, start_time=datetime.time(9),
                                            end_time=datetime.time(11), capacity=5, purpose="training",
                                            actor=city_official)
    assert slot.capacity == 5
    with pytest.raises(PermissionDenied):
        services.appointment_slot_create(centre=centre, date=tomorrow, start_time=datetime.time(9),
                                         end_time=datetime.time(11), capacity=5, purpose="training",
                                         actor=other_city_official)


def test_officials_cannot_book(slot, county_official):
    with pytest.raises(PermissionDenied):
        services.booking_create(slot=slot, actor=county_official)


def test_staff_without_an_institution_cannot_book(slot, regions):
    with pytest.raises(PermissionDenied):
        services.booking_create(slot=slot, actor=UserFactory())


def _slot_on(centre, day, hour, minute=0):
    return AppointmentSlot.objects.create(centre=centre, date=day, start_time=datetime.time(hour, minute),
                                          end_time=datetime.time(23, 59), capacity=3,
                                          purpose=AppointmentSlot.Purpose.CONSULTATION)


def test_slots_that_have_started_today_are_not_offered(centre):
    today = timezone.localdate()
    started = _slot_on(centre, today, 9)
    later_today = _slot_on(centre, today, 15)
    tomorrow = _slot_on(centre, today + datetime.timedelta(days=1), 9)
    yesterday = _slot_on(centre, today - datetime.timedelta(days=1), 15)
    at_noon = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    assert set(AppointmentSlot.objects.bookable(at_noon)) == {later_today, tomorrow}
    upcoming = set(AppointmentSlot.objects.upcoming(at_noon))
    assert started not in upcoming and yesterday not in upcoming


def test_staff_page_never_offers_a_past_slot_and_rebooking_starts_on_no_slot(client, centre, slot, draft_staff):
    from django.urls import reverse

    today = timezone.localdate()
    started = _slot_on(centre, today, 0)  # midnight: started whenever the test runs
    services.booking_create(slot=slot, actor=draft_staff)
    client.force_login(draft_staff)
    body = client.get(reverse("filings:mine")).content.decode()
    assert f'value="{started.pk}"' not in body
    move_select = body[body.index('<select name="slot" required'):]
    move_select = move_select[:move_select.index("</select>")]
    assert '<option value="" selected>' in move_select  # "改约至" defaults to no slot, never a past one
    assert f'value="{slot.pk}"' not in move_select  # nor to the booked slot itself
    response = client.post(reverse("filings:booking_move", args=[Booking.objects.get().pk]), {"slot": started.pk},
                           follow=True)
    assert Booking.objects.get().slot == slot  # a past slot posted anyway is refused
    assert "该时段已过" in response.content.decode()
