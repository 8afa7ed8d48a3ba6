"""The booking-activity event (R10) of a citizen write, built from the unit and the booking."""

from __future__ import annotations

from datetime import datetime

from tidbok.events import ActivityKind, BookingActivity
from tidbok.models import Booking, Caller
from tidbok.routing import UnitRoute


def booking_activity(
    kind: ActivityKind,
    route: UnitRoute,
    caller: Caller,
    booking: Booking,
    occurred_at: datetime,
    previous_start: datetime | None = None,
    message: str | None = None,
) -> BookingActivity:
    """The event of ``kind`` for the citizen's (or their agent's) ``booking`` at the unit."""
    return BookingActivity(
        kind=kind,
        unit=route.hsa_id,
        unit_name=route.unit.name,
        system=route.unit.system,
        subject_of_care=caller.subject_of_care,
        agent_id=caller.agent_id,
        booking_id=booking.id,
        start=booking.start,
        end=booking.end,
        time_type_name=booking.time_type_name,
        previous_start=previous_start,
        message=message,
        occurred_at=occurred_at,
    )
