"""The cancel/rebook cut-off declared in ``SystemRules.change_cutoff`` (R9)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tidbok.errors import OutsideBookingWindow
from tidbok_contract.features.base import ContractTests
from tidbok_contract.scenario import UNIT


class CutoffTests(ContractTests):
    """Cancel and rebook are allowed until the declared cut-off, in elapsed time."""

    feature = "cancel_cutoff"
    rules = ("R9",)

    def margin(self) -> timedelta:
        """A safe distance either side of the cut-off (half of it when it is short)."""
        return min(timedelta(minutes=30), self.cutoff / 2) if self.cutoff else timedelta(minutes=30)

    async def test_change_allowed_before_the_cutoff(self) -> None:
        """Just before the cut-off the flags allow it and cancelling works."""
        booking_id = await self.scenario.booking(self.scenario.later(self.cutoff + self.margin()))
        booking = await self.service.booking(self.citizen, UNIT, booking_id)
        assert booking.permissions.cancel_booking_allowed
        assert booking.permissions.rebooking_allowed
        await self.service.cancel(self.citizen, UNIT, booking_id)
        assert await self.citizen_records() == []

    async def test_exactly_at_the_cutoff_is_allowed(self) -> None:
        """Exactly ``cutoff`` before start is still allowed ("until 24 hours before")."""
        if not self.cutoff:
            self.not_applicable("the system declares no cut-off (changes allowed until start)")
        booking_id = await self.scenario.booking(self.scenario.later(self.cutoff))
        await self.service.cancel(self.citizen, UNIT, booking_id)
        assert await self.citizen_records() == []

    async def test_change_refused_after_the_cutoff(self) -> None:
        """Past the cut-off (or after start) the flags are false and both writes are refused."""
        if self.cutoff:
            booking_id = await self.scenario.booking(
                self.scenario.later(self.cutoff - self.margin())
            )
        else:
            start = self.scenario.later(timedelta(hours=2))
            booking_id = await self.scenario.booking(start)
            await self.scenario.travel(start + timedelta(minutes=10))
        slot_id = await self.scenario.free_slot(self.far(11))
        booking = await self.service.booking(self.citizen, UNIT, booking_id)
        assert not booking.permissions.cancel_booking_allowed
        assert not booking.permissions.rebooking_allowed
        with pytest.raises(OutsideBookingWindow):
            await self.service.cancel(self.citizen, UNIT, booking_id)
        with pytest.raises(OutsideBookingWindow):
            await self.service.rebook(self.citizen, UNIT, booking_id, slot_id)
        assert len(await self.citizen_records()) == 1

    async def test_cutoff_passes_while_the_citizen_waits(self) -> None:
        """The flags follow the clock: allowed now, refused once the cut-off has passed."""
        booking_id = await self.scenario.booking(self.scenario.later(self.cutoff + self.margin()))
        assert (
            await self.service.booking(self.citizen, UNIT, booking_id)
        ).permissions.rebooking_allowed
        await self.scenario.travel(self.scenario.later(self.margin() * 2))
        booking = await self.service.booking(self.citizen, UNIT, booking_id)
        assert not booking.permissions.rebooking_allowed
        with pytest.raises(OutsideBookingWindow):
            await self.service.cancel(self.citizen, UNIT, booking_id)
