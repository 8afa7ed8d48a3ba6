"""The kit's state model: time types with the 1177 flags, :class:`KitState` (what a citizen may
do, and its records as plain JSON), its admin backend :class:`KitAdmin` and the default demo world.

Public through :mod:`tidbok_mocks.kit`, which re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, Protocol

from .admin_backend import ScheduleAdmin, parse_person
from .admin_models import SlotIn, TimeTypeIn
from .clock import MockClock
from .demo import working_days
from .errors import ErrorKind, MockError
from .ids import sequential_ids
from .invitations import Invitation, InvitationSections, ReservableSlot
from .schedule import BookedBy, Booking, Schedule, Slot, TimeType
from .times import format_utc, local_datetime


@dataclass
class AccessTimeType(TimeType):
    """A time type with what 1177 may do with its slots: see, book, change (cancel or rebook)."""

    visible: bool = True
    bookable: bool = True
    changeable: bool = True

    def access(self) -> dict[str, bool]:
        """The three flags as ``{"visible", "bookable", "changeable"}``, e.g. for the wire."""
        return {"visible": self.visible, "bookable": self.bookable, "changeable": self.changeable}

    @property
    def bookable_online(self) -> bool:
        """Whether citizens may book its slots through 1177 (visible and bookable)."""
        return self.visible and self.bookable


class AccessTimeTypeIn(TimeTypeIn):
    """``POST /__admin/time-types`` of a kit mock: the common fields plus the three flags."""

    visible: bool = True
    bookable: bool = True
    changeable: bool = True


#: Id prefixes of the kit's default id factory: ``T1001``, ``S1002``, ``B1003``, ``K1004``.
DEFAULT_ID_PREFIXES = {"time_type": "T", "slot": "S", "booking": "B", "invitation": "K"}


@dataclass
class KitState:
    """A kit mock's whole memory: clock, schedule (units .. bookings) and open invitations."""

    clock: MockClock
    schedule: Schedule[AccessTimeType, ReservableSlot] = field(
        default_factory=lambda: Schedule(sequential_ids(DEFAULT_ID_PREFIXES))
    )
    invitations: dict[str, Invitation] = field(default_factory=dict)

    # -- what a citizen may do, with the invariants and the 1177 flags checked ----------------
    # Reads need no lock; the writes take ``schedule.lock`` themselves.

    def time_type_of(self, record: Slot | Booking) -> AccessTimeType:
        """The time type of a slot or a booking."""
        return self.schedule.time_type(record.time_type_id)

    def free_slots(
        self, unit: str, start: datetime, end: datetime, time_type: str | None = None
    ) -> list[ReservableSlot]:
        """Free slots of ``unit`` starting in ``[start, end)`` (of one time type if given), by
        start, whatever their flags; slots an open invitation reserves are left out."""
        found = self.schedule.free_slots(unit, start, end, time_type)
        return [slot for slot in found if slot.invitation_id is None]

    def free_slot(self, unit: str, slot_id: str) -> ReservableSlot:
        """One slot of ``unit`` that anyone may book: ``NOT_FOUND`` if unknown or another unit's,
        ``SLOT_TAKEN`` if booked or reserved by an invitation."""
        slot = self.schedule.slot(slot_id)
        if slot.unit_id != self.schedule.unit(unit).id:
            raise MockError(ErrorKind.NOT_FOUND, f"Slot {slot_id} not found")
        if not slot.free or slot.invitation_id is not None:
            raise MockError(ErrorKind.SLOT_TAKEN, f"Slot {slot_id} is already booked")
        return slot

    def own_booking(self, unit: str, booking_id: str, person: str) -> Booking:
        """The citizen's active booking at ``unit``; anyone else's, a cancelled one or an unknown
        id is ``NOT_FOUND`` (existence never leaks). ``person`` in either personnummer form."""
        booking = self.schedule.booking(booking_id)
        if (
            booking.person != parse_person(person)
            or booking.unit_id != self.schedule.unit(unit).id
            or not booking.active
        ):
            raise MockError(ErrorKind.NOT_FOUND, f"Booking {booking_id} not found")
        return booking

    def bookings(self, unit: str, person: str) -> list[Booking]:
        """The citizen's active bookings at ``unit``, staff-made and hidden ones included."""
        return self.schedule.bookings_of(person=parse_person(person), unit_id=unit)

    # -- its records as plain JSON, for a mock whose API may answer them as they are ----------

    def slot_json(self, slot: Slot) -> dict[str, Any]:
        """A slot as plain JSON: ``id``, ``unit``, ``type`` and ``type_name`` (its time type),
        ``start`` and ``end`` (UTC with ``Z``), ``performer`` and ``resource`` (null when empty)
        and ``access`` (its time type's ``visible``, ``bookable`` and ``changeable``)."""
        kind = self.time_type_of(slot)
        return {
            "id": slot.id,
            "unit": slot.unit_id,
            "type": kind.id,
            "type_name": kind.name,
            "start": format_utc(slot.start),
            "end": format_utc(slot.end),
            "performer": slot.performer or None,
            "resource": slot.resource or None,
            "access": kind.access(),
        }

    def booking_json(self, booking: Booking) -> dict[str, Any]:
        """A booking as plain JSON: its slot's fields with the booking's ``id``, then ``slot_id``,
        ``person`` (12 digits), ``purpose`` and ``reason`` (null when empty), ``booked_by``
        (``"citizen"`` or ``"staff"``) and ``hidden``."""
        return {
            **self.slot_json(self.schedule.slot_of(booking)),
            "id": booking.id,
            "slot_id": booking.slot_id,
            "person": booking.person,
            "purpose": booking.purpose or None,
            "reason": booking.reason or None,
            "booked_by": booking.booked_by.value,
            "hidden": booking.hidden,
        }

    def _check(self, allowed: bool, kind: ErrorKind, text: str) -> None:
        if not allowed:
            raise MockError(kind, text)

    async def book(self, unit: str, slot_id: str, person: str, reason: str = "") -> Booking:
        """The citizen books a free slot of a visible, bookable time type (else
        ``NOT_BOOKABLE``); ``SLOT_TAKEN`` if someone was first. Booked by the citizen, with the
        time type's purpose."""
        async with self.schedule.lock:
            slot = self.free_slot(unit, slot_id)
            kind = self.time_type_of(slot)
            self._check(kind.visible and kind.bookable, ErrorKind.NOT_BOOKABLE, "Not bookable")
            return self.schedule.book(
                slot,
                person=parse_person(person),
                booked_by=BookedBy.CITIZEN,
                purpose=kind.purpose,
                reason=reason,
                now=self.clock.now(),
            )

    async def move(self, unit: str, booking_id: str, slot_id: str, person: str) -> Booking:
        """The citizen moves their booking to another free slot in one step: the booking must be
        changeable (not hidden, its time type ``changeable``, else ``NOT_CANCELLABLE``) and the
        new slot bookable (else ``NOT_BOOKABLE``)."""
        async with self.schedule.lock:
            booking = self.own_booking(unit, booking_id, person)
            slot = self.free_slot(unit, slot_id)
            changeable = not booking.hidden and self.time_type_of(booking).changeable
            self._check(changeable, ErrorKind.NOT_CANCELLABLE, "Not changeable")
            kind = self.time_type_of(slot)
            self._check(kind.visible and kind.bookable, ErrorKind.NOT_BOOKABLE, "Not bookable")
            return self.schedule.move(booking, slot, now=self.clock.now())

    async def cancel(
        self, unit: str, booking_id: str, person: str, message: str | None = None
    ) -> Booking:
        """The citizen cancels their changeable booking (else ``NOT_CANCELLABLE``), with an
        optional message the unit sees in the appointment book (``cancel_message``)."""
        async with self.schedule.lock:
            booking = self.own_booking(unit, booking_id, person)
            changeable = not booking.hidden and self.time_type_of(booking).changeable
            self._check(changeable, ErrorKind.NOT_CANCELLABLE, "Not changeable")
            return self.schedule.cancel(booking, message=message, now=self.clock.now())


class AccessState(Protocol):
    """What :class:`KitAdmin` needs of a mock's state: its clock, schedule and invitations
    (:class:`KitState` has them; a mock with a state of its own, such as riv's, too)."""

    clock: MockClock
    schedule: Schedule[AccessTimeType, ReservableSlot]
    invitations: dict[str, Invitation]


class KitAdmin(InvitationSections, ScheduleAdmin[AccessTimeType, ReservableSlot]):
    """The admin backend of a kit mock: seeding, views and (optional) demo data over a
    :class:`KitState`; time types carry the 1177 flags, invitations are a scenario section."""

    time_type_model = AccessTimeTypeIn

    def __init__(
        self,
        state: AccessState,
        system: str,
        api_base: str,
        auth: dict[str, Any] | None = None,
        demo: Callable[[MockClock], dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(state.schedule, state.clock)
        self.state = state
        self.invitations = state.invitations
        self._info = {"system": system, "api_base": api_base, "auth": auth or {"type": "none"}}
        self._demo = demo or default_demo(system)

    def build_time_type(self, data: TimeTypeIn, time_type_id: str) -> AccessTimeType:
        """A time type with its flags from admin input."""
        assert isinstance(data, AccessTimeTypeIn)
        return AccessTimeType(
            **self.time_type_fields(data, time_type_id),
            visible=data.visible,
            bookable=data.bookable,
            changeable=data.changeable,
        )

    def build_slot(
        self, data: SlotIn, slot_id: str, start: datetime, end: datetime, time_type: Any
    ) -> ReservableSlot:
        """A slot from admin input."""
        return ReservableSlot(**self.slot_fields(data, slot_id, start, end, time_type.id))

    def time_type_extra(self, time_type: AccessTimeType) -> dict[str, Any]:
        """The 1177 flags."""
        return {
            "visible": time_type.visible,
            "bookable": time_type.bookable,
            "changeable": time_type.changeable,
        }

    def slot_extra(self, slot: ReservableSlot) -> dict[str, Any]:
        """The invitation reserving the slot, if any."""
        return {"reserved_for_invitation": slot.invitation_id}

    def demo_scenario(self) -> dict[str, Any]:
        """The demo data the mock was given, else :func:`default_demo`'s."""
        return self._demo(self.clock)

    def info(self) -> dict[str, Any]:
        """System name, API base path and the API's credentials."""
        return dict(self._info)


def default_demo(system: str) -> Callable[[MockClock], dict[str, Any]]:
    """The demo world of a kit mock that brings none: one unit (``SE2321000016-0001``,
    "Vårdcentralen <System>"), a time type ``T1`` "Provtagning" of 15 minutes that 1177 may see,
    book and change, and four free slots at 8, 9, 10 and 11 (Stockholm) on the next weekday."""
    unit = "SE2321000016-0001"
    title = system.replace("_", " ").title()

    def scenario(clock: MockClock) -> dict[str, Any]:
        day = working_days(clock.today(), 1)[0]
        starts = [local_datetime(day, time(hour)).isoformat() for hour in (8, 9, 10, 11)]
        return {
            "units": [{"id": unit, "name": f"Vårdcentralen {title}"}],
            "time_types": [
                {"id": "T1", "unit": unit, "name": "Provtagning", "duration_minutes": 15}
            ],
            "slots": [{"unit": unit, "time_type": "T1", "start": start} for start in starts],
        }

    return scenario
