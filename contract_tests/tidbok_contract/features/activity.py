"""Inbox messages: every citizen activity creates one, staff activities none (R10)."""

from __future__ import annotations

import pytest

from tidbok.errors import SlotTaken
from tidbok.events import ActivityKind
from tidbok.models import BookedBy
from tidbok_contract.features.base import ContractTests
from tidbok_contract.scenario import UNIT


class InboxMessageTests(ContractTests):
    """The ``tidbok_booking_activity`` events the inbox turns into messages."""

    feature = "inbox_messages"
    rules = ("R10",)

    async def test_each_citizen_activity_gives_one_event(self) -> None:
        """Book, rebook and cancel give one event each, naming the booking and the times."""
        first, second = self.far(9), self.far(11, extra_days=1)
        slot_id = await self.scenario.free_slot(first)
        target = await self.scenario.free_slot(second)
        booked = (await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)).booking
        moved = (await self.service.rebook(self.citizen, UNIT, booked.id, target)).booking
        await self.service.cancel(self.citizen, UNIT, moved.id)
        kinds = [activity.kind for activity in self.activities.activities]
        assert kinds == [ActivityKind.BOOKED, ActivityKind.REBOOKED, ActivityKind.CANCELLED]
        booked_event, moved_event, cancelled_event = self.activities.activities
        assert booked_event.booking_id == booked.id
        assert booked_event.start == first
        assert moved_event.start == second
        assert moved_event.previous_start == first
        assert cancelled_event.booking_id == moved.id
        assert all(a.system == self.system.name for a in self.activities.activities)

    async def test_staff_activities_give_no_event(self) -> None:
        """Bookings staff make (and the citizen merely looking) create no inbox message."""
        await self.scenario.booking(self.far(), booked_by=BookedBy.STAFF)
        await self.visible_bookings()
        assert self.activities.activities == []

    async def test_refused_write_gives_no_event(self) -> None:
        """A refused booking is no activity."""
        slot_id = await self.scenario.free_slot(self.far())
        await self.scenario.booking(self.far(11), booked_by=BookedBy.STAFF)
        await self.service.book(self.other, UNIT, slot_id, accept_terms=True)
        self.activities.activities.clear()
        with pytest.raises(SlotTaken):
            await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        assert self.activities.activities == []
