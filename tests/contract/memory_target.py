"""A contract target for the in-memory system of ``tests/core/memory_system.py``.

Register it with ``--tidbok-plugin tests.contract.memory_target`` and run the suite with
``--tidbok-system memory`` (next-day rules, 24 h cut-off, open invitations, messages on cancel) or
``--tidbok-system memory_sameday`` (same-day rules, no cut-off). The seeder works directly on the
:class:`MemoryBackend`; the adapter adds fault injection and read-back after a lost answer, the
way an HTTP plugin built on ``tidbok.backend_http`` behaves.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from tests.core.memory_system import (
    BOOKABLE,
    PASIS_LIKE,
    PMO_LIKE,
    MemoryAdapter,
    MemoryBackend,
    MemorySystem,
    StoredInvitation,
)
from tidbok import hookimpl
from tidbok.adapter import AdapterContext, SchedulingAdapter
from tidbok.backend_http import OutcomeUnknown, write_with_readback
from tidbok.errors import BackendProtocolError, BackendTimeout, BackendUnavailable
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import (
    Access1177,
    BookedBy,
    Booking,
    BookingResult,
    Capability,
    Invitation,
    NewBooking,
    Slot,
    TimeType,
    WriteOutcome,
)
from tidbok.settings import BackendSettings
from tidbok_contract.seeding import (
    AppointmentRecord,
    ContractEnvironment,
    ContractSeeder,
    ContractTarget,
    FaultKind,
    FaultTarget,
    SeededInvitation,
)

_counter = itertools.count(1)

#: Faults after which the write has happened but its answer is lost or ambiguous.
COMMITTED = frozenset(
    {FaultKind.COMMIT_THEN_DROP, FaultKind.COMMIT_THEN_500, FaultKind.COMMIT_AFTER_CLIENT_TIMEOUT}
)


@dataclass
class Fault:
    """One injected fault and how many more calls it hits."""

    kind: FaultKind
    target: FaultTarget
    times: int


class FaultyMemoryBackend(MemoryBackend):
    """A memory backend with a clock and injectable faults."""

    def __init__(self) -> None:
        super().__init__()
        self.now: datetime | None = None
        self.faults: list[Fault] = []

    def add_slot(
        self,
        unit: str,
        start: datetime,
        minutes: int = 30,
        time_type: TimeType | None = None,
        access: Access1177 = BOOKABLE,
    ) -> Slot:
        """As MemoryBackend.add_slot, but the end is ``minutes`` of elapsed time after start.

        (MemoryBackend adds minutes to the Stockholm wall clock, which the contract suite's
        daylight-saving tests catch: a slot across a change would last 90 or -30 minutes.)
        """
        return super().add_slot(unit, start.astimezone(UTC), minutes, time_type, access)

    def take_fault(self, operation: str) -> FaultKind | None:
        """The fault that hits this call of ``operation``, if any."""
        for fault in self.faults:
            if fault.target in (FaultTarget.ANY, operation) and fault.times > 0:
                fault.times -= 1
                return fault.kind
        return None


class ContractMemoryAdapter(MemoryAdapter):
    """MemoryAdapter plus faults and timeouts, behaving like an HTTP plugin would."""

    backend: FaultyMemoryBackend

    def __init__(self, backend: FaultyMemoryBackend, context: AdapterContext) -> None:
        super().__init__(backend)
        self.context = context

    async def _fault(self, operation: str, write: bool = False) -> FaultKind | None:
        await self._enter(operation)
        kind = self.backend.take_fault(operation)
        if kind is FaultKind.HTTP_500 and write:
            raise OutcomeUnknown(f"{operation}: backend answered 500 after the request was sent")
        if kind in (FaultKind.HTTP_500, FaultKind.HTTP_503):
            raise BackendUnavailable(f"{operation}: backend answered 5xx")
        if kind is FaultKind.DELAY:
            await asyncio.sleep(self.context.resilience.attempt_timeout)
            raise BackendTimeout(f"{operation}: no answer in time")
        if kind is FaultKind.MALFORMED:
            raise BackendProtocolError(f"{operation}: malformed answer")
        if kind is FaultKind.RESET:
            raise (OutcomeUnknown if write else BackendUnavailable)(f"{operation}: reset")
        return kind

    async def available_slots(
        self,
        unit: str,
        start: datetime,
        end: datetime,
        time_type: str | None = None,
        rebook_booking_id: str | None = None,
    ) -> list[Slot]:
        await self._fault(FaultTarget.SEARCH)
        return await super().available_slots(unit, start, end, time_type, rebook_booking_id)

    async def bookings_for(
        self, unit: str, subject_of_care: PersonalIdentityNumber
    ) -> list[Booking]:
        await self._fault(FaultTarget.LIST_BOOKINGS)
        return await super().bookings_for(unit, subject_of_care)

    async def _on_slot(self, slot_id: str, citizen: PersonalIdentityNumber) -> Booking | None:
        stored = self.backend.slots.get(slot_id)
        booking = self.backend.bookings.get(stored.booking_id or "") if stored else None
        return booking if booking and booking.subject_of_care == citizen else None

    async def book(self, unit: str, request: NewBooking) -> BookingResult:
        async def write() -> BookingResult:
            kind = await self._fault(FaultTarget.BOOK, write=True)
            result = await super(ContractMemoryAdapter, self).book(unit, request)
            if kind in COMMITTED:
                raise OutcomeUnknown("book: no usable answer after the write")
            return result

        async def read_back() -> BookingResult | None:
            found = await self._on_slot(request.slot_id, request.subject_of_care)
            return BookingResult(booking=found) if found else None

        return await write_with_readback(write, read_back, pause=0.0)

    async def rebook(
        self, unit: str, booking_id: str, slot_id: str, subject_of_care: PersonalIdentityNumber
    ) -> BookingResult:
        kind = await self._fault(FaultTarget.REBOOK, write=True)
        result = await super().rebook(unit, booking_id, slot_id, subject_of_care)
        if kind in COMMITTED:
            raise OutcomeUnknown("rebook: no usable answer after the write")
        return result

    async def cancel(
        self,
        unit: str,
        booking_id: str,
        subject_of_care: PersonalIdentityNumber,
        message: str | None = None,
    ) -> WriteOutcome:
        kind = await self._fault(FaultTarget.CANCEL, write=True)
        outcome = await super().cancel(unit, booking_id, subject_of_care, message)
        if kind in COMMITTED:
            raise OutcomeUnknown("cancel: no usable answer after the write")
        return outcome

    async def book_invitation(
        self,
        unit: str,
        invitation_id: str,
        slot_id: str,
        subject_of_care: PersonalIdentityNumber,
    ) -> BookingResult:
        async def write() -> BookingResult:
            kind = await self._fault(FaultTarget.BOOK_INVITATION, write=True)
            result = await super(ContractMemoryAdapter, self).book_invitation(
                unit, invitation_id, slot_id, subject_of_care
            )
            if kind in COMMITTED:
                raise OutcomeUnknown("book_invitation: no usable answer after the write")
            return result

        async def read_back() -> BookingResult | None:
            found = await self._on_slot(slot_id, subject_of_care)
            return BookingResult(booking=found) if found else None

        return await write_with_readback(write, read_back, pause=0.0)


class ContractMemorySystem(MemorySystem):
    """MemorySystem whose adapters inject faults; one backend per ``base_url``."""

    def backend(self, base_url: str) -> FaultyMemoryBackend:
        backend = self.backends.get(base_url)
        if not isinstance(backend, FaultyMemoryBackend):
            backend = self.backends[base_url] = FaultyMemoryBackend()
        return backend

    def connect(self, backend: BackendSettings, context: AdapterContext) -> SchedulingAdapter:
        adapter = ContractMemoryAdapter(self.backend(backend.base_url), context)
        self.adapters.append(adapter)
        return adapter


class MemorySeeder(ContractSeeder):
    """Puts a :class:`FaultyMemoryBackend` into the suite's states."""

    def __init__(self, backend: FaultyMemoryBackend) -> None:
        self.backend = backend

    async def reset(self) -> None:
        fresh = FaultyMemoryBackend()
        self.backend.__dict__.update(fresh.__dict__)

    async def set_clock(self, now: datetime) -> None:
        self.backend.now = now

    async def add_unit(self, hsa_id: str, name: str) -> None:
        self.backend.add_unit(hsa_id, name)

    async def add_time_type(self, unit: str, name: str, access: Access1177) -> str:
        type_id = f"tt-{next(_counter)}"
        self.backend.add_time_type(unit, type_id, name, access)
        return type_id

    def _time_type(self, unit: str, type_id: str) -> TimeType:
        return next(tt for tt in self.backend.time_types[unit] if tt.id == type_id)

    async def add_free_slot(
        self, unit: str, time_type_id: str, start: datetime, minutes: int = 30
    ) -> str:
        time_type = self._time_type(unit, time_type_id)
        return self.backend.add_slot(unit, start, minutes, time_type, time_type.access).id

    async def add_booking(
        self,
        unit: str,
        time_type_id: str,
        subject_of_care: PersonalIdentityNumber,
        start: datetime,
        minutes: int = 30,
        booked_by: BookedBy = BookedBy.STAFF,
        hidden: bool = False,
    ) -> str:
        time_type = self._time_type(unit, time_type_id)
        slot = self.backend.add_slot(unit, start, minutes, time_type, time_type.access)
        return self.backend._reserve(slot.id, subject_of_care, None, booked_by, hidden).id

    async def add_invitation(
        self,
        unit: str,
        time_type_id: str,
        subject_of_care: PersonalIdentityNumber,
        starts: list[datetime],
    ) -> SeededInvitation:
        time_type = self._time_type(unit, time_type_id)
        slots = tuple(
            self.backend.add_slot(unit, start, 30, time_type, time_type.access) for start in starts
        )
        invitation = Invitation(
            id=f"inv-{next(_counter)}",
            unit=unit,
            subject_of_care=subject_of_care,
            title="Årlig kontroll",
            slots=slots,
        )
        self.backend.invitations[invitation.id] = StoredInvitation(invitation)
        return SeededInvitation(id=invitation.id, slot_ids=tuple(slot.id for slot in slots))

    async def appointment_book(self, unit: str) -> list[AppointmentRecord]:
        return [
            AppointmentRecord(
                booking_id=booking.id,
                start=booking.start,
                subject_of_care=booking.subject_of_care,
                booked_by=booking.booked_by,
                hidden=booking.hidden,
            )
            for booking in self.backend.bookings.values()
            if booking.unit == unit.upper()
        ]

    async def inject_fault(self, kind: FaultKind, target: FaultTarget, times: int = 1) -> None:
        self.backend.faults.append(Fault(kind, target, times))

    async def clear_faults(self) -> None:
        self.backend.faults.clear()

    async def set_down(self, down: bool) -> None:
        self.backend.down = down


class MemoryTarget(ContractTarget):
    """Reaches a :class:`ContractMemorySystem`: a fresh in-memory backend per test."""

    def __init__(self, system: ContractMemorySystem) -> None:
        self.system = system.name
        self._system = system

    @asynccontextmanager
    async def _environment(self) -> AsyncIterator[ContractEnvironment]:
        base_url = f"mem://{self.system}/{next(_counter)}"
        seeder = MemorySeeder(self._system.backend(base_url))
        try:
            yield ContractEnvironment(
                backend=BackendSettings(system=self.system, base_url=base_url), seeder=seeder
            )
        finally:
            self._system.backends.pop(base_url, None)

    def mock(self) -> AbstractAsyncContextManager[ContractEnvironment]:
        return self._environment()


#: What a system with its own API reports: every access level, who booked.
FULL_REPORTING = (Capability.ACCESS_LEVELS, Capability.BOOKED_BY)
NEXT_DAY_SYSTEM = ContractMemorySystem(
    "memory",
    PASIS_LIKE,
    frozenset(
        {
            Capability.OPEN_INVITATIONS,
            Capability.MESSAGE_ON_CANCEL,
            # The adapter's default bookings_across_units: bookings_for per unit, concurrently.
            Capability.BOOKINGS_ACROSS_UNITS,
            *FULL_REPORTING,
        }
    ),
)
SAME_DAY_SYSTEM = ContractMemorySystem(
    "memory_sameday", PMO_LIKE, frozenset({Capability.SAME_DAY_BOOKING, *FULL_REPORTING})
)
SYSTEMS = [NEXT_DAY_SYSTEM, SAME_DAY_SYSTEM]


@hookimpl
def tidbok_scheduling_systems() -> list[MemorySystem]:
    """The in-memory systems."""
    return list(SYSTEMS)


@hookimpl(optionalhook=True)  # the contract kit's own hook (tidbok_contract.hookspecs)
def tidbok_contract_targets() -> list[ContractTarget]:
    """A contract target per in-memory system."""
    return [MemoryTarget(system) for system in SYSTEMS]
