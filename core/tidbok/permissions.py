"""What the citizen may do via 1177 with a slot or a booking, now (R6, R8, R9, R13).

Pure functions over a unit's activated case types, its system's rules and capabilities, and the
current instant. The service uses the same functions to compute the permission flags it shows and
to refuse operations, so a flag never promises what the operation then refuses.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from tidbok.errors import (
    BookingRefused,
    CaseTypeNotActive,
    NotAvailableVia1177,
    OutsideBookingWindow,
)
from tidbok.models import ActiveUnit, Booking, Capability, CaseTypeKind, Permissions, Slot
from tidbok.rules import BookingWindow, SystemRules, may_change_start


def slot_refusal(window: BookingWindow, slot: Slot) -> BookingRefused | None:
    """Why the citizen may not book ``slot`` in ``window``, or None if they may."""
    if not slot.access.bookable:
        return NotAvailableVia1177(f"slot {slot.id} is not bookable via 1177")
    if not window.admits(slot.start):
        return OutsideBookingWindow(f"slot {slot.id} is outside the booking window")
    return None


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
