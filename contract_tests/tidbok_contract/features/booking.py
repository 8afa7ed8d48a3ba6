"""Booking a slot directly ("Boka tid direkt", R1, R2, R6) and the exact refusals."""

from __future__ import annotations

import pytest

from tidbok.adapter import SchedulingAdapter
from tidbok.errors import NotAvailableVia1177, NotFound, SlotTaken, TermsNotAccepted
from tidbok.models import BookedBy, Caller, Capability, NewBooking
from tidbok_contract.features.base import ContractTests, stockholm_offset_ok
from tidbok_contract.fixtures import AGENT_ID
from tidbok_contract.markers import requires
from tidbok_contract.scenario import CHANGEABLE, CITIZEN, SHOWN_ONLY, UNIT, bookings_at


class BookingTests(ContractTests):
    """MakeBooking through the service, and what staff then see in the appointment book."""

    feature = "booking"
    rules = ("R1", "R2", "R6")

    async def test_book_a_free_slot(self) -> None:
        """R1, R2: the booking is real: the citizen sees it and staff see it in the tidbok."""
        start = self.far()
        slot_id = await self.scenario.free_slot(start)
        result = await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        booking = result.booking
        assert booking.start == start
        assert stockholm_offset_ok(booking.start)
        assert booking.unit == UNIT
        assert booking.subject_of_care == CITIZEN
        assert booking.booked_by is BookedBy.CITIZEN
        assert booking.time_type_name == "Läkarbesök"
        assert [b.id for b in await self.visible_bookings()] == [booking.id]
        (record,) = await self.citizen_records()
        assert record.booking_id == booking.id
        assert record.start == start
        assert record.booked_by is BookedBy.CITIZEN
        assert not record.hidden

    async def test_booking_keeps_the_citizens_reason(self) -> None:
        """The citizen's own text about the visit reaches the booking."""
        slot_id = await self.scenario.free_slot(self.far())
        result = await self.service.book(
            self.citizen, UNIT, slot_id, accept_terms=True, reason="Ont i halsen sedan en vecka"
        )
        details = await self.service.booking(self.citizen, UNIT, result.booking.id)
        assert details.reason == "Ont i halsen sedan en vecka"

    async def test_agent_books_for_the_citizen(self, agent: Caller) -> None:
        """An agent (a 1177 nurse) may book for the citizen; the booking is the citizen's."""
        slot_id = await self.scenario.free_slot(self.far())
        result = await self.service.book(agent, UNIT, slot_id, accept_terms=True)
        assert result.booking.subject_of_care == CITIZEN
        assert [a.agent_id for a in self.activities.activities] == [AGENT_ID]

    async def test_slot_taken_by_another_citizen_gives_slot_taken(self) -> None:
        """The exact error when someone else was first: SlotTaken, and no second booking."""
        start = self.far()
        slot_id = await self.scenario.free_slot(start)
        await self.service.book(self.other, UNIT, slot_id, accept_terms=True)
        with pytest.raises(SlotTaken):
            await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        assert len(bookings_at(await self.scenario.appointment_book(UNIT), start)) == 1

    async def test_adapter_refuses_a_taken_slot_with_slot_taken(
        self, adapter: SchedulingAdapter
    ) -> None:
        """The race: the slot was free when checked and taken when booked. The backend refuses."""
        start = self.far()
        slot_id = await self.scenario.free_slot(start)
        await self.service.book(self.other, UNIT, slot_id, accept_terms=True)
        with pytest.raises(SlotTaken):
            await adapter.book(UNIT, NewBooking(slot_id=slot_id, subject_of_care=CITIZEN))
        assert len(bookings_at(await self.scenario.appointment_book(UNIT), start)) == 1

    @requires(Capability.ACCESS_LEVELS)
    @pytest.mark.parametrize("access", [SHOWN_ONLY, CHANGEABLE], ids=["shown_only", "changeable"])
    async def test_slot_not_bookable_via_1177_gives_not_available(self, access: object) -> None:
        """R6, R13: a slot shown but not bookable via 1177 is refused with NotAvailableVia1177."""
        slot_id = await self.scenario.free_slot(self.far(), access)  # type: ignore[arg-type]
        with pytest.raises(NotAvailableVia1177):
            await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        assert await self.citizen_records() == []

    async def test_unknown_slot_gives_not_found(self) -> None:
        """The exact error for a slot that does not exist: NotFound."""
        await self.scenario.free_slot(self.far())
        with pytest.raises(NotFound):
            await self.service.book(self.citizen, UNIT, "contract-no-such-slot", accept_terms=True)

    async def test_terms_must_be_accepted(self) -> None:
        """The citizen accepts the unit's terms text before booking; nothing is booked else."""
        slot_id = await self.scenario.free_slot(self.far())
        with pytest.raises(TermsNotAccepted):
            await self.service.book(self.citizen, UNIT, slot_id, accept_terms=False)
        assert await self.citizen_records() == []
