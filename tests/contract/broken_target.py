"""A deliberately broken plugin: the contract suite must catch each of its three defects.

System ``memory_broken`` (next-day rules, 24 h cut-off) over the memory backend, whose adapter

1. reports every free slot as bookable via 1177, whatever its time type says (wrong access flags);
2. books a slot that is already taken without raising SlotTaken (a double booking);
3. reports hidden bookings as not hidden.

Register it with ``--tidbok-plugin tests.contract.broken_target``.
"""

from __future__ import annotations

from datetime import datetime

from tests.contract.memory_target import ContractMemoryAdapter, ContractMemorySystem, MemoryTarget
from tests.core.memory_system import BOOKABLE, PASIS_LIKE
from tidbok import hookimpl
from tidbok.adapter import AdapterContext, SchedulingAdapter
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import BookedBy, Booking, BookingResult, Capability, NewBooking, Slot
from tidbok.settings import BackendSettings
from tidbok_contract.seeding import ContractTarget


class BrokenAdapter(ContractMemoryAdapter):
    """Misreports access and hidden bookings, and double-books."""

    async def available_slots(
        self,
        unit: str,
        start: datetime,
        end: datetime,
        time_type: str | None = None,
        rebook_booking_id: str | None = None,
    ) -> list[Slot]:
        slots = await super().available_slots(unit, start, end, time_type, rebook_booking_id)
        return [slot.model_copy(update={"access": BOOKABLE}) for slot in slots]

    async def get_slot(self, unit: str, slot_id: str) -> Slot:
        stored = self.backend.slots.get(slot_id)
        if stored is not None and stored.slot.unit == unit:
            return stored.slot.model_copy(update={"access": BOOKABLE})
        return await super().get_slot(unit, slot_id)

    async def book(self, unit: str, request: NewBooking) -> BookingResult:
        stored = self.backend.slots.get(request.slot_id)
        if stored is not None and stored.booking_id is not None:
            stored.booking_id = None  # the defect: silently book it again
        return await super().book(unit, request)

    async def bookings_for(
        self, unit: str, subject_of_care: PersonalIdentityNumber
    ) -> list[Booking]:
        bookings = await super().bookings_for(unit, subject_of_care)
        return [booking.model_copy(update={"hidden": False}) for booking in bookings]


class BrokenSystem(ContractMemorySystem):
    """The broken system."""

    def connect(self, backend: BackendSettings, context: AdapterContext) -> SchedulingAdapter:
        return BrokenAdapter(self.backend(backend.base_url), context)


#: What a system with its own API reports: every access level, who booked.
FULL_REPORTING = (Capability.ACCESS_LEVELS, Capability.BOOKED_BY)
SYSTEM = BrokenSystem(
    "memory_broken", PASIS_LIKE, frozenset({Capability.MESSAGE_ON_CANCEL, *FULL_REPORTING})
)


@hookimpl
def tidbok_scheduling_systems() -> list[BrokenSystem]:
    """The broken system."""
    return [SYSTEM]


@hookimpl(optionalhook=True)  # the contract kit's own hook (tidbok_contract.hookspecs)
def tidbok_contract_targets() -> list[ContractTarget]:
    """Its contract target."""
    return [MemoryTarget(SYSTEM)]


__all__ = ["BookedBy"]
