"""Translation between PMO's wire records and tidbok's models, both ways.

PMO speaks in booking-type flags, ``bookedBy``/``hiddenInEServices``, 12-digit ``patientId`` and
problem+json ``code`` values; tidbok speaks in :class:`~tidbok.models.Access1177`,
:class:`~tidbok.models.BookedBy`, :class:`~tidbok.identity.PersonalIdentityNumber` and typed errors.
Everything PMO-specific about that translation lives here; the generic *how* comes from
:mod:`tidbok.wire`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import httpx

from tidbok import (
    Access1177,
    BackendProtocolError,
    BackendUnavailable,
    BookedBy,
    Booking,
    InvalidInput,
    NotAvailableVia1177,
    NotFound,
    OutsideBookingWindow,
    Slot,
    SlotTaken,
    TidbokError,
    TimeType,
    parse_model,
    translate_error,
    wire_slot,
)
from tidbok_pmo.wire import Appointment, BookingType, PmoSlot, Problem, Scheduled

#: PMO's problem codes, the same for every operation.
ERRORS: Mapping[str, type[TidbokError]] = {
    "slot-taken": SlotTaken,
    "outside-booking-window": OutsideBookingWindow,
    "not-bookable": NotAvailableVia1177,
    "not-cancellable": NotAvailableVia1177,
    "not-found": NotFound,
    "already-cancelled": NotFound,
    # Another request with the same key is still running: the write may yet happen.
    "idempotency-key-in-progress": BackendUnavailable,
    # Our own request was wrong: never the citizen's fault.
    "idempotency-key-reused": BackendProtocolError,
    "validation-error": BackendProtocolError,
    # A fresh token was refused too (the auth renews once): the backend refuses service.
    "unauthorized": BackendUnavailable,
}

#: Rescheduling: the body is only ``slotId``, so a validation error is the citizen's choice of
#: slot (another booking type or facility, or the appointment's own slot).
RESCHEDULE_ERRORS: Mapping[str, type[TidbokError]] = {**ERRORS, "validation-error": InvalidInput}

IN_PROGRESS = "idempotency-key-in-progress"

BOOKED_BY: Mapping[str, BookedBy] = {"patient": BookedBy.CITIZEN, "staff": BookedBy.STAFF}


def problem_code(response: httpx.Response) -> str | None:
    """PMO's error code from a problem+json answer, or None if the answer has none."""
    try:
        data = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    try:
        return parse_model(Problem, data, "problem").code
    except BackendProtocolError:
        return None


def error(
    response: httpx.Response, operation: str, table: Mapping[str, type[TidbokError]] = ERRORS
) -> TidbokError:
    """The typed error for a PMO error answer."""
    return translate_error(response, problem_code(response), table, operation)


def access(kind: BookingType) -> Access1177:
    """The 1177 access a booking type's flags give: nothing is bookable or changeable unseen."""
    return _access(kind.visibleInEServices, kind.bookable, kind.cancellable)


@cache
def _access(visible: bool, bookable: bool, cancellable: bool) -> Access1177:
    """One Access1177 per combination of flags (frozen, so shared by every slot of the type)."""
    return Access1177(
        visible=visible, bookable=visible and bookable, changeable=visible and cancellable
    )


def flags(wanted: Access1177) -> dict[str, bool]:
    """The admin API's booking-type flags for an access (the seeder's direction)."""
    return {
        "visible": wanted.visible,
        "bookable": wanted.bookable,
        "cancellable": wanted.changeable,
    }


def time_type(kind: BookingType) -> TimeType:
    """A booking type as a time type, named as citizens see it."""
    return TimeType(id=kind.id, name=kind.name, access=access(kind))


def _kind(kinds: Mapping[str, BookingType], kind_id: str) -> BookingType:
    kind = kinds.get(kind_id)
    if kind is None:
        raise BackendProtocolError(f"the backend named an unknown booking type {kind_id!r}")
    return kind


def _scheduled(item: Scheduled, kind: BookingType) -> dict[str, Any]:
    """The fields slots and bookings share: where, when, which time type, with whom."""
    return {
        "id": item.id,
        "unit": item.facilityId,
        "start": item.start,
        "end": item.end,
        "time_type_id": kind.id,
        "time_type_name": kind.name,
        "performer": item.performer,
        "resource": item.resource,
    }


def slot(item: PmoSlot, kinds: Mapping[str, BookingType]) -> Slot:
    """A PMO slot as a slot, with its booking type's name and access, checked in one pass."""
    kind = _kind(kinds, item.bookingTypeId)
    return wire_slot(
        id=item.id,
        unit=item.facilityId,
        start=item.start,
        end=item.end,
        time_type_id=kind.id,
        time_type_name=kind.name,
        performer=item.performer,
        resource=item.resource,
        access=access(kind),
    )


def booking(item: Appointment, kinds: Mapping[str, BookingType]) -> Booking:
    """A PMO appointment as a booking.

    A hidden appointment is reported hidden and not changeable (PMO refuses to cancel or
    reschedule it); the service leaves it out of what the citizen sees.
    """
    kind = _kind(kinds, item.bookingTypeId)
    granted = access(kind)
    if item.hiddenInEServices:
        granted = granted.model_copy(update={"bookable": False, "changeable": False})
    return Booking(
        **_scheduled(item, kind),
        subject_of_care=item.patientId,
        purpose=item.purpose or None,
        reason=item.note or None,
        booked_by=BOOKED_BY[item.bookedBy],
        hidden=item.hiddenInEServices,
        access=granted,
    )
