"""The citizen's bookings at a unit as 1177 may show them (R6, R7, R12).

Read through the unit's adapter and filtered by :func:`tidbok.permissions.shown_to`: another
citizen's booking, a hidden one and one the unit keeps off 1177 look exactly like a missing one.
The service adds the permission flags.
"""

from __future__ import annotations

from tidbok.calls import call_adapter
from tidbok.errors import NotFound
from tidbok.models import Booking, Caller
from tidbok.permissions import shown_to
from tidbok.routing import UnitRoute


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


async def shown_bookings(route: UnitRoute, caller: Caller) -> list[Booking]:
    """Every booking of the citizen at the unit that 1177 may show."""
    adapter = route.require_adapter()
    bookings = await call_adapter(
        route, "bookings_for", adapter.bookings_for(route.hsa_id, caller.subject_of_care)
    )
    return [booking for booking in bookings if shown_to(caller.subject_of_care, booking)]
