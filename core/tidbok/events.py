"""Booking-activity events (R10): one per write a citizen (or an agent for the citizen) performs.

Staff actions never pass through tidbok and so never create events. The gateway turns each event
into an inbox message; an audit trail can listen to the same hook.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from tidbok.identity import HsaId, PersonalIdentityNumber
from tidbok.models import Model, StockholmDatetime


class ActivityKind(StrEnum):
    """What the citizen did."""

    BOOKED = "booked"
    REBOOKED = "rebooked"
    CANCELLED = "cancelled"
    INVITATION_BOOKED = "invitation_booked"


class BookingActivity(Model):
    """A booking activity performed via 1177, handed to ``tidbok_booking_activity``."""

    kind: ActivityKind
    unit: HsaId
    unit_name: str
    system: str
    subject_of_care: PersonalIdentityNumber
    agent_id: str | None = None
    booking_id: str
    start: StockholmDatetime
    end: StockholmDatetime
    time_type_name: str
    previous_start: StockholmDatetime | None = None
    """For a rebooking: when the booking started before it moved."""
    message: str | None = Field(default=None, max_length=1000)
    """For a cancellation: the citizen's message to the unit, if any."""
    occurred_at: StockholmDatetime

    def summary(self) -> str:
        """A log-safe one-line summary (no personal identity number)."""
        start = f"{self.start:%Y-%m-%d %H:%M}"
        return f"{self.kind} booking {self.booking_id} at {self.unit} starting {start}"
