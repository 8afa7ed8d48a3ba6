"""Booking-activity events (R10): one per write a citizen (or an agent for the citizen) performs.

Staff actions never pass through tidbok and so never create events. The gateway turns each event
into an inbox message; an audit trail can listen to the same hook.

Each write is announced first: an :class:`ActivityIntent` says what is about to be sent to the
backend, before it is sent. The :class:`BookingActivity` that follows a successful write carries
the intent's id, so a listener can pair the two; an intent that is never followed (the process
died, or the answer was lost) can be settled later by reading the booking back.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from tidbok.identity import HsaId, PersonalIdentityNumber
from tidbok.models import Model, StockholmDatetime


class ActivityKind(StrEnum):
    """What the citizen did."""

    BOOKED = "booked"
    """A new booking of a free slot (MakeBooking)."""
    REBOOKED = "rebooked"
    """A booking moved to another slot (UpdateBooking)."""
    CANCELLED = "cancelled"
    """A booking cancelled (CancelBooking)."""
    INVITATION_BOOKED = "invitation_booked"
    """A slot of an open invitation booked (öppen kallelse, R15)."""


class BookingActivity(Model):
    """A booking activity performed via 1177, handed to ``tidbok_booking_activity``."""

    kind: ActivityKind
    """What the citizen did."""
    unit: HsaId
    """The HSA-id of the unit, upper-cased."""
    unit_name: str
    """The unit's name, as configured in tidbok's settings."""
    system: str
    """The name of the unit's scheduling system (``SchedulingSystem.name``)."""
    subject_of_care: PersonalIdentityNumber
    """The citizen whose booking it is; personal data, left out of :meth:`summary`."""
    agent_id: str | None = None
    """The agent who acted for the citizen (e.g. a 1177 nurse); None when the citizen acted."""
    booking_id: str
    """The id of the booking made, moved or cancelled, as the adapter reports it."""
    start: StockholmDatetime
    """When the booking starts (a rebooking: at its new slot; a cancellation: when it would have);
    aware, in Europe/Stockholm."""
    end: StockholmDatetime
    """When the booking ends (exclusive); aware, in Europe/Stockholm."""
    time_type_name: str
    """The booking's time type name as citizens see it."""
    previous_start: StockholmDatetime | None = None
    """For a rebooking: when the booking started before it moved."""
    message: str | None = Field(default=None, max_length=1000)
    """For a cancellation: the citizen's message to the unit, if any."""
    occurred_at: StockholmDatetime
    """When the write was done, as tidbok knows it (a write settled by a read-back: when its intent
    was made); aware, in Europe/Stockholm."""
    intent_id: str | None = None
    """The id of the :class:`ActivityIntent` that announced this write (None if none did)."""

    def summary(self) -> str:
        """A log-safe one-line summary (no personal identity number)."""
        start = f"{self.start:%Y-%m-%d %H:%M}"
        return f"{self.kind} booking {self.booking_id} at {self.unit} starting {start}"


class ActivityIntent(Model):
    """A citizen write about to be sent to the backend, handed to ``tidbok_activity_intent``.

    It names what a later read-back needs to tell whether the write happened: the citizen and the
    unit, the booking it changes (rebook, cancel), the slot it books or moves to with that slot's
    start and time type, and what the inbox message says.
    """

    id: str = Field(min_length=1, max_length=64)
    """A fresh unique id for this write; the :class:`BookingActivity` that follows carries it as
    ``intent_id``."""
    kind: ActivityKind
    """The write about to be sent."""
    unit: HsaId
    """The HSA-id of the unit, upper-cased."""
    unit_name: str
    """The unit's name, as configured in tidbok's settings."""
    system: str
    """The name of the unit's scheduling system (``SchedulingSystem.name``)."""
    subject_of_care: PersonalIdentityNumber
    """The citizen whose booking it is; personal data, left out of :meth:`summary`."""
    agent_id: str | None = None
    """The agent acting for the citizen (e.g. a 1177 nurse); None when the citizen acts."""
    booking_id: str | None = None
    """The booking the write changes (rebook, cancel); None for a new booking."""
    slot_id: str | None = None
    """The slot the write books or moves the booking to (None for a cancellation)."""
    invitation_id: str | None = None
    """For an invitation booking: the open invitation's id; None otherwise."""
    start: StockholmDatetime | None = None
    """When the booking starts once the write is done (a cancellation: when it started).

    None only for an invitation booking whose slot the invitation no longer offers."""
    end: StockholmDatetime | None = None
    """When the booking ends (exclusive) once the write is done; None exactly when ``start`` is."""
    time_type_id: str | None = None
    """The time type of the slot booked or moved to (a cancellation: the booking's); None exactly
    when ``start`` is."""
    time_type_name: str | None = None
    """That time type's name as citizens see it; None exactly when ``start`` is."""
    previous_start: StockholmDatetime | None = None
    """For a rebooking: when the booking starts before it moves."""
    message: str | None = Field(default=None, max_length=1000)
    """For a cancellation: the citizen's message to the unit, if any."""
    created_at: StockholmDatetime
    """When the intent was made, just before the write was sent; aware, in Europe/Stockholm."""

    def summary(self) -> str:
        """A log-safe one-line summary (no personal identity number)."""
        start = f"{self.start:%Y-%m-%d %H:%M}" if self.start is not None else "unknown"
        target = self.booking_id or self.slot_id or self.invitation_id
        return f"intent {self.id}: {self.kind} {target} at {self.unit} starting {start}"
