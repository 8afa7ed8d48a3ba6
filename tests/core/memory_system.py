"""An in-memory scheduling system: a fake of a *backend*, registered as a real plugin in tests.

It keeps slots and bookings like a real scheduling system would (slot taken, own bookings only,
rebook in one step) but applies no 1177 rules: those are the core's job under test. ``delay``
makes every call take that long; ``down`` makes the backend unavailable.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tidbok import hookimpl
from tidbok.adapter import AdapterContext, SchedulingAdapter, SchedulingSystem
from tidbok.errors import BackendUnavailable, InvitationAlreadyUsed, NotFound, SlotTaken
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import (
    Access1177,
    BackendUnit,
    BookedBy,
    Booking,
    BookingResult,
    Capability,
    CaseTypeKind,
    Invitation,
    NewBooking,
    Slot,
    TimeType,
    WriteOutcome,
)
from tidbok.rules import EarliestBooking, SystemRules
from tidbok.settings import BackendSettings, TidbokSettings

PASIS_LIKE = SystemRules(
    earliest_booking=EarliestBooking.NEXT_DAY, change_cutoff=timedelta(hours=24)
)
PMO_LIKE = SystemRules(earliest_booking=EarliestBooking.SAME_DAY)

BOOKABLE = Access1177(visible=True, bookable=True, changeable=True)
SHOWN_ONLY = Access1177(visible=True)
NOT_SHOWN = Access1177()


@dataclass
class StoredSlot:
    slot: Slot
    booking_id: str | None = None


@dataclass
class StoredInvitation:
    invitation: Invitation
    used: bool = False


@dataclass
class MemoryBackend:
    """The state of one fake scheduling system."""

    units: dict[str, str] = field(default_factory=dict)
    time_types: dict[str, list[TimeType]] = field(default_factory=dict)
    slots: dict[str, StoredSlot] = field(default_factory=dict)
    bookings: dict[str, Booking] = field(default_factory=dict)
    invitations: dict[str, StoredInvitation] = field(default_factory=dict)
    purposes: dict[str, str] = field(default_factory=dict)
    """The unit's instructions per time type id, copied onto each booking as its purpose."""
    delay: float = 0.0
    down: bool = False
    calls: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add_unit(self, hsa_id: str, name: str) -> None:
        self.units[hsa_id] = name
        self.time_types.setdefault(hsa_id, [])

    def add_time_type(self, unit: str, type_id: str, name: str, access: Access1177) -> TimeType:
        time_type = TimeType(id=type_id, name=name, access=access)
        self.time_types[unit].append(time_type)
        return time_type

    def add_slot(
        self,
        unit: str,
        start: datetime,
        minutes: int = 30,
        time_type: TimeType | None = None,
        access: Access1177 = BOOKABLE,
    ) -> Slot:
        time_type = time_type or TimeType(id="tt-1", name="Läkarbesök", access=access)
        slot = Slot(
            id=f"slot-{next(self._ids)}",
            unit=unit,
            start=start,
            end=(start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(start.tzinfo),
            time_type_id=time_type.id,
            time_type_name=time_type.name,
            performer="Dr Anna Berg",
            access=access,
        )
        self.slots[slot.id] = StoredSlot(slot)
        return slot

    def add_booking(
        self,
        unit: str,
        citizen: PersonalIdentityNumber,
        start: datetime,
        booked_by: BookedBy = BookedBy.STAFF,
        hidden: bool = False,
        access: Access1177 = BOOKABLE,
    ) -> Booking:
        slot = self.add_slot(unit, start, access=access)
        return self._reserve(slot.id, citizen, None, booked_by, hidden)

    def add_invitation(
        self,
        unit: str,
        citizen: PersonalIdentityNumber,
        starts: list[datetime],
        access: Access1177 = BOOKABLE,
    ) -> Invitation:
        slots = tuple(self.add_slot(unit, start, access=access) for start in starts)
        invitation = Invitation(
            id=f"inv-{next(self._ids)}",
            unit=unit,
            subject_of_care=citizen,
            title="Årlig kontroll",
            slots=slots,
        )
        self.invitations[invitation.id] = StoredInvitation(invitation)
        return invitation

    def _reserve(
        self,
        slot_id: str,
        citizen: PersonalIdentityNumber,
        reason: str | None,
        booked_by: BookedBy,
        hidden: bool = False,
        invitation: bool = False,
    ) -> Booking:
        stored = self.slots.get(slot_id)
        if stored is None:
            raise NotFound(f"no slot {slot_id}")
        if stored.booking_id is not None:
            raise SlotTaken(f"slot {slot_id} is taken")
        slot = stored.slot
        booking = Booking(
            id=f"bk-{next(self._ids)}",
            unit=slot.unit,
            subject_of_care=citizen,
            start=slot.start,
            end=slot.end,
            time_type_id=slot.time_type_id,
            time_type_name=slot.time_type_name,
            performer=slot.performer,
            purpose=self.purposes.get(slot.time_type_id),
            reason=reason,
            booked_by=booked_by,
            hidden=hidden,
            is_invitation=invitation,
            access=slot.access,
        )
        stored.booking_id = booking.id
        self.bookings[booking.id] = booking
        return booking

    def free_slot_of(self, booking_id: str) -> None:
        for stored in self.slots.values():
            if stored.booking_id == booking_id:
                stored.booking_id = None


class MemoryAdapter(SchedulingAdapter):
    """Adapter over a :class:`MemoryBackend`."""

    def __init__(self, backend: MemoryBackend) -> None:
        self.backend = backend
        self.closed = False

    async def _enter(self, operation: str) -> None:
        self.backend.calls.append(operation)
        if self.backend.delay:
            await asyncio.sleep(self.backend.delay)
        if self.backend.down:
            raise BackendUnavailable("memory backend is down")

    async def list_units(self) -> list[BackendUnit]:
        await self._enter("list_units")
        return [BackendUnit(hsa_id=key, name=name) for key, name in self.backend.units.items()]

    async def list_time_types(self, unit: str) -> list[TimeType]:
        await self._enter("list_time_types")
        return list(self.backend.time_types.get(unit, []))

    async def available_slots(
        self,
        unit: str,
        start: datetime,
        end: datetime,
        time_type: str | None = None,
        rebook_booking_id: str | None = None,
    ) -> list[Slot]:
        await self._enter("available_slots")
        return [
            stored.slot
            for stored in self.backend.slots.values()
            if stored.booking_id is None
            and stored.slot.unit == unit
            and start <= stored.slot.start < end
        ]

    async def get_slot(self, unit: str, slot_id: str) -> Slot:
        await self._enter("get_slot")
        stored = self.backend.slots.get(slot_id)
        if stored is None or stored.slot.unit != unit:
            raise NotFound(f"no slot {slot_id}")
        if stored.booking_id is not None:
            raise SlotTaken(f"slot {slot_id} is taken")
        return stored.slot

    async def book(self, unit: str, request: NewBooking) -> BookingResult:
        await self._enter("book")
        booking = self.backend._reserve(
            request.slot_id, request.subject_of_care, request.reason, BookedBy.CITIZEN
        )
        return BookingResult(booking=booking)

    def _own(self, booking_id: str, citizen: PersonalIdentityNumber) -> Booking:
        booking = self.backend.bookings.get(booking_id)
        if booking is None or booking.subject_of_care != citizen:
            raise NotFound(f"no booking {booking_id}")
        return booking

    async def rebook(
        self, unit: str, booking_id: str, slot_id: str, subject_of_care: PersonalIdentityNumber
    ) -> BookingResult:
        await self._enter("rebook")
        old = self._own(booking_id, subject_of_care)
        new = self.backend._reserve(slot_id, subject_of_care, old.reason, BookedBy.CITIZEN)
        self.backend.free_slot_of(booking_id)
        del self.backend.bookings[booking_id]
        return BookingResult(booking=new)

    async def cancel(
        self,
        unit: str,
        booking_id: str,
        subject_of_care: PersonalIdentityNumber,
        message: str | None = None,
    ) -> WriteOutcome:
        await self._enter("cancel")
        self._own(booking_id, subject_of_care)
        self.backend.free_slot_of(booking_id)
        del self.backend.bookings[booking_id]
        return WriteOutcome()

    async def bookings_for(
        self, unit: str, subject_of_care: PersonalIdentityNumber
    ) -> list[Booking]:
        await self._enter("bookings_for")
        return [
            booking
            for booking in self.backend.bookings.values()
            if booking.unit == unit and booking.subject_of_care == subject_of_care
        ]

    async def booking_details(
        self, unit: str, booking_id: str, subject_of_care: PersonalIdentityNumber
    ) -> Booking:
        await self._enter("booking_details")
        return self._own(booking_id, subject_of_care)

    async def invitations_for(
        self, unit: str, subject_of_care: PersonalIdentityNumber
    ) -> list[Invitation]:
        await self._enter("invitations_for")
        return [
            stored.invitation.model_copy(update={"used": stored.used})
            for stored in self.backend.invitations.values()
            if stored.invitation.unit == unit
            and stored.invitation.subject_of_care == subject_of_care
        ]

    async def book_invitation(
        self,
        unit: str,
        invitation_id: str,
        slot_id: str,
        subject_of_care: PersonalIdentityNumber,
    ) -> BookingResult:
        await self._enter("book_invitation")
        stored = self.backend.invitations.get(invitation_id)
        if stored is None or stored.invitation.subject_of_care != subject_of_care:
            raise NotFound(f"no invitation {invitation_id}")
        if stored.used:
            raise InvitationAlreadyUsed(f"invitation {invitation_id} is used")
        booking = self.backend._reserve(
            slot_id, subject_of_care, None, BookedBy.CITIZEN, invitation=True
        )
        stored.used = True
        return BookingResult(booking=booking)

    async def aclose(self) -> None:
        self.closed = True


class MemorySystem(SchedulingSystem):
    """A scheduling system whose backends live in memory, keyed by ``base_url``."""

    display_name = "In-memory test system"
    version = "1.0"

    def __init__(
        self,
        name: str = "memory",
        rules: SystemRules = PMO_LIKE,
        capabilities: frozenset[Capability] = frozenset(),
        case_type_names: Mapping[CaseTypeKind, str] | None = None,
    ) -> None:
        self.name = name
        self.rules = rules
        self.capabilities = capabilities
        self.case_type_names = case_type_names or {
            CaseTypeKind.BOOK: "Boka tid i minnet",
            CaseTypeKind.MANAGE: "Bokade tider i minnet",
        }
        self.backends: dict[str, MemoryBackend] = {}
        self.adapters: list[MemoryAdapter] = []

    def backend(self, base_url: str) -> MemoryBackend:
        return self.backends.setdefault(base_url, MemoryBackend())

    def connect(self, backend: BackendSettings, context: AdapterContext) -> SchedulingAdapter:
        adapter = MemoryAdapter(self.backend(backend.base_url))
        self.adapters.append(adapter)
        return adapter


class MemoryPlugin:
    """A plugin object offering the given systems."""

    def __init__(self, *systems: SchedulingSystem) -> None:
        self.systems = list(systems)

    @hookimpl
    def tidbok_scheduling_systems(self) -> list[SchedulingSystem]:
        return self.systems


#: The test world's three units: a PASiS-like one, a PMO-like one and one with only "view".
PASIS_UNIT = "SE2321000016-1111"
PMO_UNIT = "SE2321000016-2222"
VIEW_UNIT = "SE2321000016-3333"


def world_settings(pasis_hsa_id: str = PASIS_UNIT, **extra: Any) -> TidbokSettings:
    """Settings for the three units on two in-memory backends (``memory_pasis``/``memory_pmo``)."""
    return TidbokSettings(
        backends={
            "pasis-main": {"system": "memory_pasis", "base_url": "mem://pasis"},
            "pmo-main": {"system": "memory_pmo", "base_url": "mem://pmo"},
        },
        units=[
            {
                "hsa_id": pasis_hsa_id,
                "name": "Vårdcentralen Tensta",
                "backend": "pasis-main",
                "case_types": [
                    {"kind": "book", "terms": "Avboka senast 24 timmar innan."},
                    {"kind": "manage"},
                ],
            },
            {
                "hsa_id": PMO_UNIT,
                "name": "Barnmorskemottagningen Solna",
                "backend": "pmo-main",
                "case_types": [{"kind": "book", "name": "Boka provtagning"}, {"kind": "manage"}],
            },
            {
                "hsa_id": VIEW_UNIT,
                "name": "Ögonmottagningen",
                "backend": "pmo-main",
                "case_types": [{"kind": "view"}],
            },
        ],
        **extra,
    )
