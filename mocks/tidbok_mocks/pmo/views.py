"""How PMO shows its records on the wire (English camelCase, UTC times with ``Z``)."""

from __future__ import annotations

from typing import Any

from ..kit import BookedBy, Booking, Schedule, Slot, Unit, format_utc
from .model import PmoBookingType

BOOKED_BY = {BookedBy.STAFF: "staff", BookedBy.CITIZEN: "patient"}

PmoSchedule = Schedule[PmoBookingType, Slot]


def facility(unit: Unit) -> dict[str, Any]:
    """A facility (care unit); its id is the HSA-id."""
    return {"id": unit.id, "name": unit.name, "address": unit.address}


def booking_type(kind: PmoBookingType) -> dict[str, Any]:
    """A booking type with its e-service flags."""
    return {
        "id": kind.id,
        "facilityId": kind.unit_id,
        "name": kind.name,
        "description": kind.description,
        "defaultPurpose": kind.purpose,
        "durationMinutes": kind.duration_minutes,
        "visibleInEServices": kind.visible,
        "bookable": kind.bookable,
        "cancellable": kind.cancellable,
    }


def slot(item: Slot) -> dict[str, Any]:
    """A free slot."""
    return {
        "id": item.id,
        "facilityId": item.unit_id,
        "bookingTypeId": item.time_type_id,
        "start": format_utc(item.start),
        "end": format_utc(item.end),
        "practitioner": {"name": item.performer},
        "location": {"name": item.resource},
        "status": "free" if item.free else "busy",
    }


def appointment(schedule: PmoSchedule, booking: Booking) -> dict[str, Any]:
    """An appointment, booked or cancelled."""
    held = schedule.slot_of(booking)
    return {
        "id": booking.id,
        "facilityId": booking.unit_id,
        "slotId": held.id,
        "bookingTypeId": booking.time_type_id,
        "patientId": booking.person,
        "start": format_utc(held.start),
        "end": format_utc(held.end),
        "practitioner": {"name": held.performer},
        "location": {"name": held.resource},
        "status": booking.status.value,
        "purpose": booking.purpose,
        "note": booking.reason,
        "bookedBy": BOOKED_BY[booking.booked_by],
        "hiddenInEServices": booking.hidden,
        "cancellationReason": booking.cancel_message,
        "createdAt": format_utc(booking.created_at),
        "updatedAt": format_utc(booking.updated_at),
    }


def searched_appointment(schedule: PmoSchedule, booking: Booking) -> dict[str, Any]:
    """An appointment as ``POST /appointments/search`` answers it: its booking type embedded."""
    return {
        **appointment(schedule, booking),
        "bookingType": booking_type(schedule.time_type(booking.time_type_id)),
    }
