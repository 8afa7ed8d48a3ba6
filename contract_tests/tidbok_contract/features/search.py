"""Searching for slots: only what is bookable via 1177, live (R3, R6, R13)."""

from __future__ import annotations

from datetime import timedelta

from tidbok.clock import elapsed
from tidbok_contract.features.base import ContractTests, day_of, stockholm_offset_ok
from tidbok_contract.scenario import BOOKABLE, CHANGEABLE, NOT_SHOWN, SHOWN_ONLY, UNIT


class SearchTests(ContractTests):
    """GetAvailableTimeslots and GetAvailableDates as the citizen sees them."""

    feature = "search"
    rules = ("R3", "R6", "R13")

    async def test_only_slots_bookable_via_1177_are_offered(self) -> None:
        """R6, R13: slots of time types that are not bookable via 1177 are never offered."""
        bookable = await self.scenario.free_slot(self.far(10), BOOKABLE)
        for hour, access in ((11, CHANGEABLE), (12, SHOWN_ONLY), (13, NOT_SHOWN)):
            await self.scenario.free_slot(self.far(hour), access)
        slots = await self.offered()
        assert {slot.id for slot in slots} == {bookable}
        assert all(slot.access.bookable for slot in slots)

    async def test_offered_slot_describes_itself(self) -> None:
        """A slot carries its unit, its exact aware times, its time type and its access."""
        start = self.far(14, 15)
        slot_id = await self.scenario.free_slot(start, minutes=45)
        type_id = await self.scenario.time_type(BOOKABLE)
        (slot,) = await self.offered()
        assert slot.id == slot_id
        assert slot.unit == UNIT
        assert slot.start == start
        assert stockholm_offset_ok(slot.start)
        assert stockholm_offset_ok(slot.end)
        assert elapsed(slot.start, slot.end) == timedelta(minutes=45)
        assert slot.time_type_id == type_id
        assert slot.time_type_name == "Läkarbesök"
        assert slot.access == BOOKABLE

    async def test_search_period_is_start_inclusive_end_exclusive(self) -> None:
        """Slots starting in ``[start, end)`` are returned; one starting at ``end`` is not."""
        first = await self.scenario.free_slot(self.far(10))
        await self.scenario.free_slot(self.far(12))
        found = await self.offered(start=self.far(10), days=1)
        assert first in {slot.id for slot in found}
        window = await self.service.available_slots(self.citizen, UNIT, self.far(10), self.far(12))
        assert {slot.id for slot in window} == {first}

    async def test_time_type_filter(self) -> None:
        """A search for one time type returns only its slots."""
        wanted = await self.scenario.free_slot(self.far(10), time_type_name="Vaccination")
        await self.scenario.free_slot(self.far(11))
        type_id = await self.scenario.time_type(BOOKABLE, name="Vaccination")
        assert await self.offered_ids(time_type=type_id) == {wanted}

    async def test_available_dates_are_days_with_bookable_slots(self) -> None:
        """GetAvailableDates: exactly the days that have a slot the citizen may book."""
        await self.scenario.free_slot(self.far(10))
        await self.scenario.free_slot(self.far(10, extra_days=1), SHOWN_ONLY)
        await self.scenario.free_slot(self.far(9, extra_days=2))
        start = self.scenario.now
        days = await self.service.available_dates(UNIT, start, start + timedelta(days=21))
        assert days == [day_of(self.far()), day_of(self.far(extra_days=2))]

    async def test_available_dates_are_the_days_of_the_offered_slots(self) -> None:
        """GetAvailableDates and GetAvailableTimeslots agree on every day, today included (R8,
        R9): a slot that has started, a later one today, tomorrow's first, levels not bookable."""
        today = self.scenario.day
        await self.scenario.free_slot(today(0, 8))  # the suite's clock says 09:00
        await self.scenario.free_slot(today(0, 15))
        await self.scenario.free_slot(today(1, 0, 30))
        await self.scenario.free_slot(today(2, 10), SHOWN_ONLY)
        await self.scenario.free_slot(today(3, 10), NOT_SHOWN)
        await self.scenario.free_slot(today(4, 10), CHANGEABLE)
        for start in (self.scenario.now, today(0, 0), today(1, 0)):
            end = start + timedelta(days=7)
            slots = await self.service.available_slots(self.citizen, UNIT, start, end)
            days = await self.service.available_dates(UNIT, start, end)
            assert days == sorted({day_of(slot.start) for slot in slots}), start
        if self.scenario.clock_settable:
            days = await self.service.available_dates(UNIT, today(0, 0), today(7, 0))
            tomorrow = [day_of(today(1, 0))]
            same_day = self.rules_of_system.same_day_allowed
            assert days == ([day_of(today(0, 0))] if same_day else []) + tomorrow

    async def test_taken_slot_is_no_longer_offered(self) -> None:
        """Live data: once another citizen booked a slot it is not offered to anyone."""
        slot_id = await self.scenario.free_slot(self.far())
        await self.service.book(self.other, UNIT, slot_id, accept_terms=True)
        assert slot_id not in await self.offered_ids()

    async def test_cancelled_slot_is_bookable_again_at_once(self) -> None:
        """Live data: a cancelled booking's time is offered again at once."""
        start = self.far()
        slot_id = await self.scenario.free_slot(start)
        result = await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        assert start not in await self.offered_starts(caller=self.other)
        await self.service.cancel(self.citizen, UNIT, result.booking.id)
        assert start in await self.offered_starts(caller=self.other)

    async def test_rebook_search_offers_only_bookable_slots(self) -> None:
        """GetAvailableTimeslots in rebook mode: slots the booking may move to."""
        booking_id = await self.scenario.booking(self.far(9))
        target = await self.scenario.free_slot(self.far(11, extra_days=1))
        await self.scenario.free_slot(self.far(12, extra_days=1), SHOWN_ONLY)
        assert await self.offered_ids(rebook=booking_id) == {target}
