"""The booking window derived from the system's declared rules (R8, R9), never from its name."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tidbok.errors import NotFound, OutsideBookingWindow
from tidbok.models import Capability
from tidbok_contract.features.base import ContractTests
from tidbok_contract.scenario import UNIT


class BookingWindowTests(ContractTests):
    """Same-day or next-day booking, as ``SystemRules.earliest_booking`` declares."""

    feature = "booking_window"
    rules = ("R8", "R9")

    async def test_same_day_capability_agrees_with_rules(self) -> None:
        """The SAME_DAY_BOOKING capability and the declared earliest day say the same."""
        declared = Capability.SAME_DAY_BOOKING in self.capabilities
        assert declared == self.rules_of_system.same_day_allowed

    async def test_slot_later_today(self) -> None:
        """R8/R9: later today is offered and bookable only if the rules allow same-day."""
        slot_id = await self.scenario.free_slot(self.scenario.later(timedelta(hours=3)))
        if self.rules_of_system.same_day_allowed:
            assert slot_id in await self.offered_ids()
            await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        else:
            assert slot_id not in await self.offered_ids()
            with pytest.raises(OutsideBookingWindow):
                await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
            assert await self.citizen_records() == []

    async def test_tomorrow_is_bookable_late_the_evening_before(self) -> None:
        """It is 23:30 on the evening before: tomorrow morning is bookable under every rule."""
        await self.scenario.travel(self.scenario.day(0, 23, 30))
        slot_id = await self.scenario.free_slot(self.scenario.day(1, 0, 30))
        assert slot_id in await self.offered_ids()
        await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)

    async def test_late_tonight_at_23_30(self) -> None:
        """It is 23:30: a slot at 23:50 tonight is same-day, bookable only if the rules say so."""
        await self.scenario.travel(self.scenario.day(0, 23, 30))
        slot_id = await self.scenario.free_slot(self.scenario.day(0, 23, 50), minutes=10)
        if self.rules_of_system.same_day_allowed:
            assert slot_id in await self.offered_ids()
        else:
            assert slot_id not in await self.offered_ids()
            with pytest.raises(OutsideBookingWindow):
                await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)

    async def test_started_slot_is_never_offered(self) -> None:
        """A slot that has started can be neither offered nor booked."""
        start = self.scenario.day(1, 10)
        slot_id = await self.scenario.free_slot(start)
        await self.scenario.travel(start + timedelta(minutes=5))
        assert slot_id not in await self.offered_ids(start=start - timedelta(hours=1))
        with pytest.raises((OutsideBookingWindow, NotFound)):
            await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)

    async def test_rebook_into_a_slot_outside_the_window_is_refused(self) -> None:
        """R9: rebooking obeys the same earliest day as booking."""
        if self.rules_of_system.same_day_allowed:
            self.not_applicable("the system allows same-day bookings, so no later slot is early")
        booking_id = await self.scenario.booking(self.far())
        slot_id = await self.scenario.free_slot(self.scenario.later(timedelta(hours=3)))
        with pytest.raises(OutsideBookingWindow):
            await self.service.rebook(self.citizen, UNIT, booking_id, slot_id)
        (record,) = await self.citizen_records()
        assert record.booking_id == booking_id
