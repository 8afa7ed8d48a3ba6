"""Cancel and rebook ("Bokade tider, av- och omboka", R6, R9, R12)."""

from __future__ import annotations

import pytest

from tidbok.errors import InvalidInput, NotAvailableVia1177, NotFound, SlotTaken
from tidbok.events import ActivityKind
from tidbok.models import BookedBy, Capability, OutcomeKind
from tidbok_contract.features.base import ContractTests
from tidbok_contract.markers import requires
from tidbok_contract.scenario import OTHER_CITIZEN, SHOWN_ONLY, UNIT, bookings_at


class CancelRebookTests(ContractTests):
    """CancelBooking and UpdateBooking through the service, and the exact refusals."""

    feature = "cancel_rebook"
    rules = ("R6", "R12")

    async def test_cancel_own_booking(self) -> None:
        """A booking the citizen made is cancelled: gone for the citizen and for staff."""
        start = self.far()
        slot_id = await self.scenario.free_slot(start)
        booking = (await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)).booking
        outcome = await self.service.cancel(self.citizen, UNIT, booking.id)
        assert outcome.kind in (OutcomeKind.OK, OutcomeKind.INFO)
        assert await self.visible_bookings() == []
        assert await self.citizen_records() == []

    async def test_cancel_a_booking_staff_made(self) -> None:
        """R12: a changeable booking made by staff can be cancelled by the citizen too."""
        booking_id = await self.scenario.booking(self.far(), booked_by=BookedBy.STAFF)
        await self.service.cancel(self.citizen, UNIT, booking_id)
        assert await self.citizen_records() == []

    async def test_rebook_moves_the_booking_in_one_step(self) -> None:
        """UpdateBooking: the citizen ends with exactly one booking, at the new time."""
        old_start, new_start = self.far(9), self.far(11, extra_days=1)
        booking_id = await self.scenario.booking(old_start)
        slot_id = await self.scenario.free_slot(new_start)
        result = await self.service.rebook(self.citizen, UNIT, booking_id, slot_id)
        assert result.booking.start == new_start
        assert result.booking.subject_of_care == self.citizen.subject_of_care
        assert [record.start for record in await self.citizen_records()] == [new_start]
        assert [b.start for b in await self.visible_bookings()] == [new_start]

    async def test_rebook_to_a_taken_slot_gives_slot_taken_and_keeps_the_booking(self) -> None:
        """The exact error when the new slot was taken first; the old booking stays."""
        old_start, new_start = self.far(9), self.far(11, extra_days=1)
        booking_id = await self.scenario.booking(old_start)
        slot_id = await self.scenario.free_slot(new_start)
        await self.service.book(self.other, UNIT, slot_id, accept_terms=True)
        with pytest.raises(SlotTaken):
            await self.service.rebook(self.citizen, UNIT, booking_id, slot_id)
        assert [record.start for record in await self.citizen_records()] == [old_start]

    @requires(Capability.ACCESS_LEVELS)
    async def test_rebook_to_a_slot_not_bookable_via_1177(self) -> None:
        """R13: moving to a slot that is not bookable via 1177 is refused; nothing changes."""
        old_start = self.far(9)
        booking_id = await self.scenario.booking(old_start)
        slot_id = await self.scenario.free_slot(self.far(11, extra_days=1), SHOWN_ONLY)
        with pytest.raises(NotAvailableVia1177):
            await self.service.rebook(self.citizen, UNIT, booking_id, slot_id)
        assert [record.start for record in await self.citizen_records()] == [old_start]

    async def test_booking_not_changeable_via_1177_is_refused(self) -> None:
        """R13: a booking shown on 1177 but not changeable there cannot be cancelled or moved."""
        booking_id = await self.scenario.booking(self.far(), access=SHOWN_ONLY)
        slot_id = await self.scenario.free_slot(self.far(11, extra_days=1))
        with pytest.raises(NotAvailableVia1177):
            await self.service.cancel(self.citizen, UNIT, booking_id)
        with pytest.raises(NotAvailableVia1177):
            await self.service.rebook(self.citizen, UNIT, booking_id, slot_id)
        assert len(await self.citizen_records()) == 1

    async def test_unknown_booking_gives_not_found(self) -> None:
        """The exact error for a booking id that does not exist: NotFound."""
        slot_id = await self.scenario.free_slot(self.far())
        with pytest.raises(NotFound):
            await self.service.booking(self.citizen, UNIT, "contract-no-such-booking")
        with pytest.raises(NotFound):
            await self.service.cancel(self.citizen, UNIT, "contract-no-such-booking")
        with pytest.raises(NotFound):
            await self.service.rebook(self.citizen, UNIT, "contract-no-such-booking", slot_id)

    async def test_another_citizens_booking_is_not_found(self) -> None:
        """Another citizen's booking looks exactly like a missing one, and stays untouched."""
        start = self.far()
        booking_id = await self.scenario.booking(start, citizen=OTHER_CITIZEN)
        with pytest.raises(NotFound):
            await self.service.booking(self.citizen, UNIT, booking_id)
        with pytest.raises(NotFound):
            await self.service.cancel(self.citizen, UNIT, booking_id)
        assert len(bookings_at(await self.scenario.appointment_book(UNIT), start)) == 1

    @requires(Capability.MESSAGE_ON_CANCEL)
    async def test_cancel_with_a_message_to_the_unit(self) -> None:
        """CancelBooking with a message: accepted, and it goes with the activity (R10)."""
        booking_id = await self.scenario.booking(self.far())
        booking = await self.service.booking(self.citizen, UNIT, booking_id)
        assert booking.permissions.message_allowed
        await self.service.cancel(self.citizen, UNIT, booking_id, message="Jag är förkyld.")
        assert await self.citizen_records() == []
        (activity,) = self.activities.activities
        assert activity.kind is ActivityKind.CANCELLED
        assert activity.message == "Jag är förkyld."

    async def test_message_refused_without_the_capability(self) -> None:
        """A system without MESSAGE_ON_CANCEL never promises or takes a message."""
        if Capability.MESSAGE_ON_CANCEL in self.capabilities:
            self.not_applicable(f"{self.system.name} declares message_on_cancel")
        booking_id = await self.scenario.booking(self.far())
        booking = await self.service.booking(self.citizen, UNIT, booking_id)
        assert not booking.permissions.message_allowed
        with pytest.raises(InvalidInput):
            await self.service.cancel(self.citizen, UNIT, booking_id, message="Jag är förkyld.")
        assert len(await self.citizen_records()) == 1
