"""What the citizen may do via 1177 with a slot or a booking, now (R6, R8, R9, R13).

Pure functions over a unit's activated case types, its system's rules and capabilities, and the
current instant. The service uses the same functions to compute the permission flags it shows and
to refuse operations, so a flag never promises what the operation then refuses.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from operator import itemgetter

from tidbok.clock import instant
from tidbok.errors import (
    BookingRefused,
    CaseTypeNotActive,
    NotAvailableVia1177,
    OutsideBookingWindow,
)
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import ActiveUnit, Booking, Capability, CaseTypeKind, Permissions, Slot
from tidbok.rules import BookingWindow, SystemRules, may_change_start


def shown_to(citizen: PersonalIdentityNumber, booking: Booking) -> bool:
    """Whether 1177 may show the booking to the citizen at all (R6, R7).

    Only the citizen's own bookings, never one the unit hid, and never one whose time type the
    unit keeps off 1177 (PASiS level 1; a PMO booking type not visible in the e-services). Every
    place a booking reaches the citizen (Bokade tider, by id, cancel, rebook) asks this first; a
    booking it refuses looks exactly like a missing one.
    """
    return booking.subject_of_care == citizen and not booking.hidden and booking.access.visible


def slot_refusal(
    window: BookingWindow, slot: Slot, moment: datetime | None = None
) -> BookingRefused | None:
    """Why the citizen may not book ``slot`` in ``window``, or None if they may.

    ``moment`` is the slot's start as a UTC instant when the caller has computed it already.
    """
    if not slot.access.bookable:
        return NotAvailableVia1177(f"slot {slot.id} is not bookable via 1177")
    if not window.admits(slot.start if moment is None else moment):
        return OutsideBookingWindow(f"slot {slot.id} is outside the booking window")
    return None


def offered_slots(
    window: BookingWindow,
    slots: Iterable[Slot],
    start: datetime,
    end: datetime,
    time_type: str | None = None,
) -> list[Slot]:
    """The slots a search of ``[start, end)`` offers the citizen in ``window``, by start then id.

    The one filter of a search (R6, R8, R9, R13): bookable via 1177, inside the booking window,
    starting in the period, of ``time_type`` when one is asked for. The slot search and the date
    search both use it, so a day is offered exactly when one of its slots is.
    """
    first, last = instant(start), instant(end)
    offered: list[tuple[datetime, str, Slot]] = []
    for slot in slots:
        moment = instant(slot.start)  # once per slot: the period, the window and the order
        if (
            first <= moment < last
            and (time_type is None or slot.time_type_id == time_type)
            and slot_refusal(window, slot, moment) is None
        ):
            offered.append((moment, slot.id, slot))
    offered.sort(key=_BY_START_THEN_ID)
    return [slot for _, _, slot in offered]


_BY_START_THEN_ID = itemgetter(0, 1)


def change_refusal(
    unit: ActiveUnit, rules: SystemRules, booking: Booking, now: datetime
) -> BookingRefused | None:
    """Why the citizen may not cancel or rebook ``booking`` now, or None if they may."""
    if unit.case_type(CaseTypeKind.MANAGE) is None:
        return CaseTypeNotActive(f"unit {unit.hsa_id} has not activated cancel/rebook")
    if not booking.access.changeable:
        return NotAvailableVia1177(f"booking {booking.id} cannot be changed via 1177")
    if not may_change_start(rules, booking.start, now):
        return OutsideBookingWindow(f"booking {booking.id} is past the cancel/rebook cut-off")
    return None


def permissions_for(
    unit: ActiveUnit,
    rules: SystemRules,
    capabilities: Collection[Capability],
    booking: Booking,
    now: datetime,
) -> Permissions:
    """The crm:scheduling permission flags of ``booking`` now, as operations will honour them."""
    may_change = change_refusal(unit, rules, booking, now) is None
    return Permissions(
        cancel_booking_allowed=may_change,
        rebooking_allowed=may_change,
        message_allowed=may_change and Capability.MESSAGE_ON_CANCEL in capabilities,
    )
