"""The in-memory schedule both mocks keep: units, time types, slots and bookings.

All datetimes are aware UTC. Methods that change state expect the caller to hold ``lock``; they
check their own invariants (one booking per slot, a move is one step) and raise :class:`MockError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from .errors import ErrorKind, MockError
from .ids import IdFactory


class BookedBy(StrEnum):
    """Who made a booking."""

    STAFF = "staff"
    CITIZEN = "citizen"


class BookingStatus(StrEnum):
    """A booking's life-cycle state."""

    BOOKED = "booked"
    CANCELLED = "cancelled"


@dataclass
class Unit:
    """A care unit, keyed by its HSA-id (compared case-insensitively)."""

    id: str
    name: str
    address: str = ""


@dataclass
class TimeType:
    """A unit's category of slot, with the name the citizen sees."""

    id: str
    unit_id: str
    name: str
    duration_minutes: int
    description: str = ""
    purpose: str = ""


@dataclass
class Slot:
    """A bookable interval: start inclusive, end exclusive."""

    id: str
    unit_id: str
    time_type_id: str
    start: datetime
    end: datetime
    performer: str = ""
    resource: str = ""
    booking_id: str | None = None

    @property
    def free(self) -> bool:
        """Whether no active booking holds this slot."""
        return self.booking_id is None


@dataclass
class Booking:
    """A slot reserved for a citizen, by staff or by the citizen."""

    id: str
    unit_id: str
    slot_id: str
    person: str
    time_type_id: str
    booked_by: BookedBy
    purpose: str
    reason: str
    hidden: bool
    created_at: datetime
    updated_at: datetime
    status: BookingStatus = BookingStatus.BOOKED
    cancel_message: str | None = None
    invitation_id: str | None = None

    @property
    def active(self) -> bool:
        """Whether the booking still holds its slot."""
        return self.status is BookingStatus.BOOKED


TimeTypeT = TypeVar("TimeTypeT", bound=TimeType)
SlotT = TypeVar("SlotT", bound=Slot)


def unit_key(unit_id: str) -> str:
    """The lookup key of an HSA-id (case-insensitive)."""
    return unit_id.strip().upper()


class Schedule(Generic[TimeTypeT, SlotT]):
    """Units, time types, slots and bookings with the invariants every scheduling system keeps."""

    def __init__(self, new_id: IdFactory) -> None:
        self.lock = asyncio.Lock()
        self._new_id = new_id
        self.units: dict[str, Unit] = {}
        self.time_types: dict[str, TimeTypeT] = {}
        self.slots: dict[str, SlotT] = {}
        self.bookings: dict[str, Booking] = {}

    def clear(self) -> None:
        """Forget everything."""
        self.units.clear()
        self.time_types.clear()
        self.slots.clear()
        self.bookings.clear()

    def new_id(self, kind: str, taken: Container[str]) -> str:
        """A fresh id for ``kind`` not already in ``taken``."""
        while True:
            candidate = self._new_id(kind)
            if candidate not in taken:
                return candidate

    # -- units and time types -------------------------------------------------------------

    def add_unit(self, unit: Unit) -> Unit:
        """Add a unit; its HSA-id must be new."""
        if unit_key(unit.id) in self.units:
            raise MockError(ErrorKind.INVALID, f"Unit {unit.id} already exists")
        self.units[unit_key(unit.id)] = unit
        return unit

    def unit(self, unit_id: str) -> Unit:
        """The unit with this HSA-id (any letter case)."""
        try:
            return self.units[unit_key(unit_id)]
        except KeyError:
            raise MockError(ErrorKind.NOT_FOUND, f"Unit {unit_id} not found") from None

    def add_time_type(self, time_type: TimeTypeT) -> TimeTypeT:
        """Add a time type to an existing unit."""
        time_type.unit_id = self.unit(time_type.unit_id).id
        if time_type.id in self.time_types:
            raise MockError(ErrorKind.INVALID, f"Time type {time_type.id} already exists")
        self.time_types[time_type.id] = time_type
        return time_type

    def time_type(self, time_type_id: str) -> TimeTypeT:
        """The time type with this id."""
        try:
            return self.time_types[time_type_id]
        except KeyError:
            raise MockError(ErrorKind.NOT_FOUND, f"Time type {time_type_id} not found") from None

    def time_types_of(self, unit_id: str) -> list[TimeTypeT]:
        """A unit's time types, by name."""
        unit = self.unit(unit_id)
        found = [t for t in self.time_types.values() if t.unit_id == unit.id]
        return sorted(found, key=lambda t: (t.name, t.id))

    # -- slots ------------------------------------------------------------------------------

    def add_slot(self, slot: SlotT) -> SlotT:
        """Add a slot; its time type must belong to its unit and it must not be empty."""
        slot.unit_id = self.unit(slot.unit_id).id
        time_type = self.time_type(slot.time_type_id)
        if time_type.unit_id != slot.unit_id:
            raise MockError(ErrorKind.INVALID, f"Time type {time_type.id} belongs to another unit")
        if slot.end.timestamp() <= slot.start.timestamp():  # instants, not wall clock (DST)
            raise MockError(ErrorKind.INVALID, "A slot must end after it starts")
        if slot.id in self.slots:
            raise MockError(ErrorKind.INVALID, f"Slot {slot.id} already exists")
        self.slots[slot.id] = slot
        return slot

    def slot(self, slot_id: str) -> SlotT:
        """The slot with this id."""
        try:
            return self.slots[slot_id]
        except KeyError:
            raise MockError(ErrorKind.NOT_FOUND, f"Slot {slot_id} not found") from None

    def slots_of(self, unit_id: str | None = None) -> list[SlotT]:
        """All slots (of one unit, if given), by start."""
        wanted = self.unit(unit_id).id if unit_id is not None else None
        found = [s for s in self.slots.values() if wanted is None or s.unit_id == wanted]
        return sorted(found, key=lambda s: (s.start, s.id))

    def free_slots(
        self,
        unit_id: str,
        start: datetime,
        end: datetime,
        time_type_id: str | None = None,
    ) -> list[SlotT]:
        """Free slots of a unit starting in ``[start, end)``, by start."""
        return [
            slot
            for slot in self.slots_of(unit_id)
            if slot.free
            and start <= slot.start < end
            and (time_type_id is None or slot.time_type_id == time_type_id)
        ]

    # -- bookings ---------------------------------------------------------------------------

    def booking(self, booking_id: str) -> Booking:
        """The booking with this id, active or cancelled."""
        try:
            return self.bookings[booking_id]
        except KeyError:
            raise MockError(ErrorKind.NOT_FOUND, f"Booking {booking_id} not found") from None

    def slot_of(self, booking: Booking) -> SlotT:
        """The slot a booking holds (or held)."""
        return self.slots[booking.slot_id]

    def bookings_of(
        self,
        *,
        person: str | None = None,
        unit_id: str | None = None,
        include_cancelled: bool = False,
    ) -> list[Booking]:
        """Bookings filtered by citizen and unit, by start."""
        wanted = self.unit(unit_id).id if unit_id is not None else None
        found = [
            b
            for b in self.bookings.values()
            if (include_cancelled or b.active)
            and (person is None or b.person == person)
            and (wanted is None or b.unit_id == wanted)
        ]
        return sorted(found, key=lambda b: (self.slot_of(b).start, b.id))

    def book(
        self,
        slot: SlotT,
        *,
        person: str,
        booked_by: BookedBy,
        purpose: str,
        reason: str,
        now: datetime,
        hidden: bool = False,
        booking_id: str | None = None,
        invitation_id: str | None = None,
    ) -> Booking:
        """Reserve a free slot; a taken slot raises ``SLOT_TAKEN``."""
        if not slot.free:
            raise MockError(ErrorKind.SLOT_TAKEN, f"Slot {slot.id} is already booked")
        if booking_id is None:
            booking_id = self.new_id("booking", self.bookings)
        elif booking_id in self.bookings:
            raise MockError(ErrorKind.INVALID, f"Booking {booking_id} already exists")
        booking = Booking(
            id=booking_id,
            unit_id=slot.unit_id,
            slot_id=slot.id,
            person=person,
            time_type_id=slot.time_type_id,
            booked_by=booked_by,
            purpose=purpose,
            reason=reason,
            hidden=hidden,
            created_at=now,
            updated_at=now,
            invitation_id=invitation_id,
        )
        self.bookings[booking.id] = booking
        slot.booking_id = booking.id
        return booking

    def cancel(self, booking: Booking, *, message: str | None, now: datetime) -> Booking:
        """Cancel an active booking; its slot is free again at once."""
        if not booking.active:
            raise MockError(ErrorKind.ALREADY_CANCELLED, f"Booking {booking.id} is cancelled")
        slot = self.slot_of(booking)
        if slot.booking_id == booking.id:
            slot.booking_id = None
        booking.status = BookingStatus.CANCELLED
        booking.cancel_message = message
        booking.updated_at = now
        return booking

    def move(self, booking: Booking, new_slot: SlotT, *, now: datetime) -> Booking:
        """Move an active booking to a free slot in one step (never two bookings, never none)."""
        if not booking.active:
            raise MockError(ErrorKind.ALREADY_CANCELLED, f"Booking {booking.id} is cancelled")
        if new_slot.id == booking.slot_id:
            raise MockError(ErrorKind.INVALID, "The booking already holds that slot")
        if not new_slot.free:
            raise MockError(ErrorKind.SLOT_TAKEN, f"Slot {new_slot.id} is already booked")
        old_slot = self.slot_of(booking)
        old_slot.booking_id = None
        new_slot.booking_id = booking.id
        booking.slot_id = new_slot.id
        booking.time_type_id = new_slot.time_type_id
        booking.updated_at = now
        return booking
