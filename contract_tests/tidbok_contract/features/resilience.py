"""A backend that is down, slow or drops answers: typed technical faults, never duplicates."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from tidbok.errors import BackendUnavailable, OutcomeUnknown, SlotTaken, TechnicalFault
from tidbok.events import ActivityKind
from tidbok.models import BookingResult, Capability
from tidbok_contract.features.base import ContractTests
from tidbok_contract.markers import requires
from tidbok_contract.scenario import UNIT, bookings_at
from tidbok_contract.seeding import FaultKind, FaultTarget


class ResilienceTests(ContractTests):
    """Faults injected through the seeder; the suite's service uses small timeouts."""

    feature = "resilience"
    rules = ()

    async def test_down_backend_gives_backend_unavailable(self) -> None:
        """Search, book and cancel all answer backend_unavailable while the backend is down."""
        slot_id = await self.scenario.free_slot(self.far(9))
        booking_id = await self.scenario.booking(self.far(11))
        await self.scenario.set_down(True)
        with pytest.raises(BackendUnavailable):
            await self.offered()
        with pytest.raises(BackendUnavailable):
            await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        with pytest.raises(BackendUnavailable):
            await self.service.cancel(self.citizen, UNIT, booking_id)

    async def test_down_unit_is_reported_not_raised_in_the_schedule(self) -> None:
        """R7: a unit that cannot answer is listed as failed; the schedule still answers."""
        await self.scenario.booking(self.far())
        await self.scenario.set_down(True)
        schedule = await self.service.schedule(self.citizen)
        assert schedule.bookings == ()
        assert {failure.unit for failure in schedule.failed_units} >= {UNIT}
        assert {failure.code for failure in schedule.failed_units} == {"backend_unavailable"}

    async def test_recovers_when_the_backend_is_back(self) -> None:
        """Once the backend is up again the next calls work (the breaker closes)."""
        slot_id = await self.scenario.free_slot(self.far())
        await self.scenario.set_down(True)
        with pytest.raises(BackendUnavailable):
            await self.offered()
        await self.scenario.set_down(False)
        await asyncio.sleep(0.1)
        assert slot_id in await self.offered_ids()

    async def test_lost_answer_to_a_booking_never_duplicates(self) -> None:
        """The write happened, the answer was lost: one booking in the end, retry or not."""
        start = self.far()
        slot_id = await self.scenario.free_slot(start)
        await self.scenario.fault(FaultKind.COMMIT_THEN_DROP, FaultTarget.BOOK)
        try:
            await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        except TechnicalFault:
            with contextlib.suppress(SlotTaken):  # the citizen tries again
                await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        records = bookings_at(await self.scenario.appointment_book(UNIT), start)
        assert len(records) == 1
        assert records[0].subject_of_care == self.citizen.subject_of_care

    async def test_lost_answer_to_a_rebooking_never_duplicates(self) -> None:
        """A rebooking whose answer was lost leaves exactly one booking, old or new."""
        old_start, new_start = self.far(9), self.far(11, extra_days=1)
        booking_id = await self.scenario.booking(old_start)
        slot_id = await self.scenario.free_slot(new_start)
        await self.scenario.fault(FaultKind.COMMIT_THEN_DROP, FaultTarget.REBOOK)
        with contextlib.suppress(TechnicalFault):
            await self.service.rebook(self.citizen, UNIT, booking_id, slot_id)
        starts = [record.start for record in await self.citizen_records()]
        assert len(starts) == 1
        assert starts[0] in (old_start, new_start)

    async def test_server_error_after_a_booking_reports_the_booking(self) -> None:
        """The backend booked, then answered 500: the citizen gets the booking and one inbox
        message (R10), never "try again later" and never slot_taken on their own booking."""
        start = self.far()
        slot_id = await self.scenario.free_slot(start)
        await self.scenario.fault(FaultKind.COMMIT_THEN_500, FaultTarget.BOOK)
        result = await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        records = bookings_at(await self.scenario.appointment_book(UNIT), start)
        assert [record.booking_id for record in records] == [result.booking.id]
        assert [a.kind for a in self.activities.activities] == [ActivityKind.BOOKED]

    @requires(Capability.OPEN_INVITATIONS)
    async def test_server_error_after_an_invitation_booking_reports_the_booking(self) -> None:
        """Booking an invitation's slot, committed then answered 500: the booking, once."""
        start = self.far()
        seeded = await self.scenario.invitation([start, self.far(11)])
        slot_id = seeded.slot_ids[0]
        await self.scenario.fault(FaultKind.COMMIT_THEN_500, FaultTarget.BOOK_INVITATION)
        result = await self.service.book_invitation(
            self.citizen, UNIT, seeded.id, slot_id, accept_terms=True
        )
        assert result.booking.is_invitation
        records = await self.citizen_records()
        assert [record.booking_id for record in records] == [result.booking.id]
        assert [a.kind for a in self.activities.activities] == [ActivityKind.INVITATION_BOOKED]

    async def test_a_booking_committed_after_the_client_gave_up_is_never_doubled(self) -> None:
        """The backend books only after the attempt timed out: the booking once, or "outcome
        unknown" with no inbox message; never a clean failure, never two bookings."""
        start = self.far()
        slot_id = await self.scenario.free_slot(start)
        await self.scenario.fault(FaultKind.COMMIT_AFTER_CLIENT_TIMEOUT, FaultTarget.BOOK)
        result: BookingResult | None = None
        with contextlib.suppress(OutcomeUnknown):
            result = await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        records = bookings_at(await self.scenario.appointment_book(UNIT), start)
        if result is not None:
            assert [record.booking_id for record in records] == [result.booking.id]
            assert [a.kind for a in self.activities.activities] == [ActivityKind.BOOKED]
        else:
            assert len(records) <= 1  # the late write may still be on its way
            assert self.activities.activities == []

    async def test_connection_reset_before_a_booking_never_doubles(self) -> None:
        """A reset before the write: the booking made exactly once, or a technical fault and
        nothing booked (then a retry works). A system with idempotent writes may retry safely."""
        slot_id = await self.scenario.free_slot(self.far())
        await self.scenario.fault(FaultKind.RESET, FaultTarget.BOOK)
        try:
            result = await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        except TechnicalFault:
            assert await self.citizen_records() == []
            result = await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        records = await self.citizen_records()
        assert [record.booking_id for record in records] == [result.booking.id]

    async def test_one_server_error_on_a_search(self) -> None:
        """A transient 500 on a read is retried or reported as a technical fault, never more."""
        slot_id = await self.scenario.free_slot(self.far())
        await self.scenario.fault(FaultKind.HTTP_500, FaultTarget.SEARCH)
        with contextlib.suppress(TechnicalFault):
            assert slot_id in await self.offered_ids()
        assert slot_id in await self.offered_ids()

    async def test_malformed_answer_is_a_technical_fault(self) -> None:
        """An answer that is not valid is a technical fault (logged), never a citizen error."""
        await self.scenario.free_slot(self.far())
        await self.scenario.fault(FaultKind.MALFORMED, FaultTarget.SEARCH, times=5)
        with pytest.raises(TechnicalFault):
            await self.offered()

    async def test_slow_backend_answers_within_the_deadline(self) -> None:
        """A backend slower than the attempt timeout: a timely answer or a technical fault."""
        slot_id = await self.scenario.free_slot(self.far())
        await self.scenario.fault(FaultKind.DELAY, FaultTarget.SEARCH, times=5)
        deadline = self.service.settings.resilience.deadline
        started = time.monotonic()
        with contextlib.suppress(TechnicalFault):
            assert slot_id in await self.offered_ids()
        assert time.monotonic() - started < deadline + 1.5
