"""Aware Stockholm times, right across daylight-saving changes (2026-10-25, 2027-03-28)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tidbok.clock import STOCKHOLM, elapsed
from tidbok.errors import OutsideBookingWindow
from tidbok_contract.features.base import ContractTests, stockholm_offset_ok
from tidbok_contract.scenario import UNIT

#: Summer time ends: 03:00 CEST becomes 02:00 CET, so 02:00-03:00 happens twice.
AUTUMN = datetime(2026, 10, 25, tzinfo=STOCKHOLM)
#: Summer time starts: 02:00 CET becomes 03:00 CEST, so 02:00-03:00 never happens.
SPRING = datetime(2027, 3, 28, tzinfo=STOCKHOLM)


def at(day: datetime, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    """Stockholm wall-clock time on ``day`` (``fold=1``: the second of a repeated hour)."""
    return day.replace(hour=hour, minute=minute, fold=fold)


class TimeZoneTests(ContractTests):
    """Times survive the plugin's translation exactly, whatever the wire format."""

    feature = "time_zones"
    rules = ("R8", "R9")

    async def test_slots_around_the_autumn_change_keep_their_instants(self) -> None:
        """Slots before, inside (both 02:15s) and after the repeated hour keep their instants."""
        await self.scenario.travel(AUTUMN - timedelta(days=3) + timedelta(hours=9))
        starts = [
            at(AUTUMN, 1, 30),
            at(AUTUMN, 2, 15, fold=0),
            at(AUTUMN, 2, 15, fold=1),
            at(AUTUMN, 10),
            at(AUTUMN + timedelta(days=1), 10),
        ]
        assert len({s.astimezone(STOCKHOLM).utcoffset() for s in starts}) == 2
        for start in starts:
            await self.scenario.free_slot(start)
        slots = await self.offered(start=AUTUMN - timedelta(days=1), days=3)
        assert sorted(slot.start for slot in slots) == sorted(starts, key=lambda s: s.timestamp())
        for slot in slots:
            assert stockholm_offset_ok(slot.start)
            assert stockholm_offset_ok(slot.end)
            assert elapsed(slot.start, slot.end) == timedelta(minutes=30)

    async def test_slot_across_the_spring_change_lasts_its_minutes(self) -> None:
        """A 30-minute slot from 01:45 CET ends at 02:15 CET = 03:15 CEST, 30 minutes later."""
        await self.scenario.travel(SPRING - timedelta(days=3) + timedelta(hours=9))
        start = at(SPRING, 1, 45)
        await self.scenario.free_slot(start)
        (slot,) = await self.offered(start=SPRING - timedelta(days=1), days=3)
        assert slot.start == start
        assert slot.end == datetime(2027, 3, 28, 3, 15, tzinfo=STOCKHOLM)
        assert elapsed(slot.start, slot.end) == timedelta(minutes=30)

    async def test_booking_after_the_change_keeps_its_instant(self) -> None:
        """Booked before the change for after it: the booking starts at the same instant."""
        await self.scenario.travel(SPRING - timedelta(days=3) + timedelta(hours=9))
        start = at(SPRING, 3, 30)
        slot_id = await self.scenario.free_slot(start)
        booking = (await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)).booking
        assert booking.start == start
        assert booking.start.utcoffset() == timedelta(hours=2)
        (record,) = await self.citizen_records()
        assert record.start == start

    async def test_next_day_rule_on_the_night_of_the_change(self) -> None:
        """23:30 before the autumn change: 00:30 is tomorrow, 23:50 is today (per the rules)."""
        await self.scenario.travel(at(AUTUMN - timedelta(days=1), 23, 30))
        tomorrow = await self.scenario.free_slot(at(AUTUMN, 0, 30))
        tonight = await self.scenario.free_slot(at(AUTUMN - timedelta(days=1), 23, 50), minutes=10)
        offered = await self.offered_ids(days=2)
        assert tomorrow in offered
        assert (tonight in offered) == self.rules_of_system.same_day_allowed

    def _need_cutoff(self) -> None:
        if self.cutoff < timedelta(hours=2):
            self.not_applicable("the declared cut-off is under 2 h, so an hour's shift cannot tell")

    async def test_cutoff_counts_elapsed_hours_across_the_autumn_change(self) -> None:
        """Elapsed time to start is cut-off + 30 min, though the wall clock shows 30 min less."""
        self._need_cutoff()
        start = at(AUTUMN, 12)
        await self.scenario.travel(AUTUMN - timedelta(days=4))
        booking_id = await self.scenario.booking(start)
        await self.scenario.travel(start - self.cutoff - timedelta(minutes=30))
        booking = await self.service.booking(self.citizen, UNIT, booking_id)
        assert booking.permissions.cancel_booking_allowed
        await self.service.cancel(self.citizen, UNIT, booking_id)

    async def test_cutoff_counts_elapsed_hours_across_the_spring_change(self) -> None:
        """Elapsed time to start is cut-off - 30 min, though the wall clock shows 30 min more."""
        self._need_cutoff()
        start = at(SPRING, 12)
        await self.scenario.travel(SPRING - timedelta(days=4))
        booking_id = await self.scenario.booking(start)
        now = (start.astimezone(STOCKHOLM) - self.cutoff + timedelta(minutes=30)).astimezone(
            STOCKHOLM
        )
        await self.scenario.travel(datetime.fromtimestamp(now.timestamp(), STOCKHOLM))
        booking = await self.service.booking(self.citizen, UNIT, booking_id)
        assert not booking.permissions.cancel_booking_allowed
        with pytest.raises(OutsideBookingWindow):
            await self.service.cancel(self.citizen, UNIT, booking_id)
