"""The citizen's bookings at a unit as 1177 shows them, and the checks before a change (R6-R9).

Read through the unit's adapter and filtered by :func:`tidbok.permissions.shown_to`: another
citizen's booking, a hidden one and one the unit keeps off 1177 look exactly like a missing one.
Every booking shown carries its permission flags at ``now``, computed with the same functions that
refuse a change, so a flag never promises what the operation then refuses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tidbok.calls import call_adapter
from tidbok.errors import NotFound
from tidbok.models import Booking, Caller, Permissions, Slot
from tidbok.permissions import change_refusal, permissions_for, shown_to, slot_refusal
from tidbok.routing import UnitRoute
from tidbok.rules import BookingWindow


def with_permissions(route: UnitRoute, booking: Booking, now: datetime) -> Booking:
    """The booking with the citizen's permission flags at ``now``."""
    route.require_system()
    permissions = permissions_for(route.unit, route.rules, route.capabilities, booking, now)
    own = booking.backend_permissions
    if own is not None:  # the backend's flags cap what the rules would allow
        permissions = Permissions(
            cancel_booking_allowed=permissions.cancel_booking_allowed
            and own.cancel_booking_allowed,
            rebooking_allowed=permissions.rebooking_allowed and own.rebooking_allowed,
            message_allowed=permissions.message_allowed and own.message_allowed,
        )
    return booking.model_copy(update={"permissions": permissions})


def check_bookable(route: UnitRoute, slot: Slot, now: datetime) -> None:
    """Raise the refusal if the citizen may not book ``slot`` at ``now`` (window, access)."""
    refusal = slot_refusal(BookingWindow.at(route.rules, now), slot)
    if refusal is not None:
        raise refusal


async def own_booking(route: UnitRoute, caller: Caller, booking_id: str) -> Booking:
    """One of the citizen's bookings by id; NotFound if 1177 may not show it."""
    adapter = route.require_adapter()
    booking = await call_adapter(
        route,
        "booking_details",
        adapter.booking_details(route.hsa_id, booking_id, caller.subject_of_care),
    )
    if not shown_to(caller.subject_of_care, booking):
        raise NotFound(f"no booking {booking_id} for this citizen at {route.hsa_id}")
    return booking


async def changeable_booking(
    route: UnitRoute, caller: Caller, booking_id: str, now: datetime
) -> Booking:
    """The citizen's booking if they may cancel or rebook it at ``now``; else the refusal."""
    booking = await own_booking(route, caller, booking_id)
    refusal = change_refusal(route.unit, route.rules, booking, now)
    if refusal is not None:
        raise refusal
    return booking


async def shown_bookings(route: UnitRoute, caller: Caller, now: datetime) -> list[Booking]:
    """Every booking of the citizen at the unit that 1177 may show, with its flags at ``now``."""
    adapter = route.require_adapter()
    bookings = await call_adapter(
        route, "bookings_for", adapter.bookings_for(route.hsa_id, caller.subject_of_care)
    )
    return [
        with_permissions(route, booking, now)
        for booking in bookings
        if shown_to(caller.subject_of_care, booking)
    ]


async def shown_bookings_across(
    routes: Sequence[UnitRoute], caller: Caller, now: datetime
) -> list[Booking]:
    """:func:`shown_bookings` for every unit of one backend, read in one across-units call.

    ``routes`` all share one adapter. A booking at a unit not asked is dropped; each booking
    kept is filtered and flagged by its own unit's route, exactly as if read unit by unit.
    """
    adapter = routes[0].require_adapter()
    asked = {route.hsa_id: route for route in routes}
    bookings = await call_adapter(
        routes[0],
        "bookings_across_units",
        adapter.bookings_across_units(list(asked), caller.subject_of_care),
        units=len(asked),
    )
    return [
        with_permissions(asked[booking.unit], booking, now)
        for booking in bookings
        if booking.unit in asked and shown_to(caller.subject_of_care, booking)
    ]
