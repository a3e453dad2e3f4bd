"""Appointments at a city's guidance centre (预约备案): slots published by the city, bookings by institutions.

A place is taken with a guarded increment, so of two bookings racing for the last place exactly one wins.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policies
from accounts.policies import require
from audit.services import audit_record
from portal.constraints import explains_constraints

from ..models import AppointmentSlot, Booking, Filing
from .common import FilingStateError, ensure_staff


@transaction.atomic
def appointment_slot_create(*, centre, date: datetime.date, start_time: datetime.time, end_time: datetime.time,
                            capacity: int, purpose: str, actor) -> AppointmentSlot:
    """A city (or province) official publishes a slot at a guidance centre of their area."""
    require(policies.publishes_slots_at(actor, centre), _("Only officials of the centre's city publish its slots."))
    if date < timezone.localdate():
        raise ValidationError({"date": _("A slot cannot be in the past.")})
    slot = AppointmentSlot(centre=centre, date=date, start_time=start_time, end_time=end_time, capacity=capacity,
                           purpose=purpose)
    slot.full_clean()
    if slot.end_time <= slot.start_time:
        raise ValidationError({"end_time": _("The slot must end after it starts.")})
    slot.save()
    audit_record(actor=actor, action="appointment.slot_create", target=slot, region_code=centre.city_id,
                 after={"date": str(date), "capacity": capacity, "purpose": purpose})
    return slot


def _slot_is_past(slot: AppointmentSlot) -> bool:
    """The same rule the slot lists apply (AppointmentSlot.objects.upcoming): started slots are past."""
    return not AppointmentSlot.objects.upcoming().filter(pk=slot.pk).exists()


def _take_place(slot: AppointmentSlot) -> None:
    if _slot_is_past(slot):
        raise ValidationError({"slot": _("This slot is in the past: choose a later one.")})
    # Guarded increment: of two bookings racing for the last place, exactly one updates a row.
    if not AppointmentSlot.objects.filter(pk=slot.pk, booked_count__lt=F("capacity")).update(
            booked_count=F("booked_count") + 1):
        raise FilingStateError(_("This slot is full: choose another one."), code="state")


@explains_constraints
@transaction.atomic
def booking_create(*, slot: AppointmentSlot, actor, filing: Filing | None = None) -> Booking:
    """Books a place in a slot for the actor's institution (optionally for one of its filings).

    Refused for a past or full slot, or a slot the institution already booked. Not idempotent.
    """
    require(policies.is_linked_staff(actor), _("Only institution staff book appointments."))
    if filing is not None and filing.institution_id != actor.institution_id:
        raise ValidationError({"filing": _("Choose one of your institution's filings.")})
    if Booking.objects.filter(slot=slot, institution_id=actor.institution_id, status=Booking.Status.BOOKED).exists():
        raise FilingStateError(_("Your institution has already booked this slot."), code="state")
    _take_place(slot)
    booking = Booking.objects.create(slot=slot, institution_id=actor.institution_id, filing=filing, booked_by=actor)
    audit_record(actor=actor, action="appointment.book", target=booking,
                 after={"slot": slot.pk, "filing": filing.pk if filing else None})
    return booking


def _release(booking: Booking, now) -> bool:
    if not Booking.objects.filter(pk=booking.pk, status=Booking.Status.BOOKED).update(
            status=Booking.Status.CANCELLED, cancelled_at=now):
        return False
    AppointmentSlot.objects.filter(pk=booking.slot_id, booked_count__gt=0).update(booked_count=F("booked_count") - 1)
    return True


@transaction.atomic
def booking_cancel(*, booking: Booking, actor) -> Booking:
    """Cancels a booking and frees its place. A repeat changes nothing."""
    ensure_staff(actor, booking.institution_id)
    if _release(booking, timezone.now()):
        audit_record(actor=actor, action="appointment.cancel", target=booking, after={"slot": booking.slot_id})
    booking.refresh_from_db()
    return booking


@explains_constraints
@transaction.atomic
def booking_move(*, booking: Booking, slot: AppointmentSlot, actor) -> Booking:
    """Moves a booking to another slot: the new place is taken first, so if it is full the old
    booking stays as it was. Returns the new booking."""
    ensure_staff(actor, booking.institution_id)
    if booking.status != Booking.Status.BOOKED:
        raise FilingStateError(_("This booking is cancelled: book a new slot instead."), code="state")
    if slot.pk == booking.slot_id:
        return booking
    new = booking_create(slot=slot, actor=actor, filing=booking.filing)
    if not _release(booking, timezone.now()):
        raise FilingStateError(_("This booking was cancelled meanwhile."), code="state")
    audit_record(actor=actor, action="appointment.move", target=new,
                 before={"slot": booking.slot_id}, after={"slot": slot.pk})
    return new
