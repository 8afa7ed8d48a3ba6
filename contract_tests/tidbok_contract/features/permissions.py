"""The citizen's permission flags agree with what the operations then allow."""

from __future__ import annotations

from datetime import timedelta

from tidbok.errors import BookingRefused
from tidbok.models import Booking, Capability
from tidbok_contract.features.base import ContractTests
from tidbok_contract.scenario import BOOK_ONLY_UNIT, SHOWN_ONLY, VIEW_UNIT


class PermissionTests(ContractTests):
    """cancel_booking_allowed, rebooking_allowed and message_allowed never promise a refusal."""

    feature = "permissions"
    rules = ("R6", "R9", "R13")

    async def _seed_mix(self) -> dict[str, str]:
        # Inside the cut-off when there is one; otherwise simply soon (and still changeable).
        near = self.scenario.later(self.cutoff / 2 if self.cutoff else timedelta(hours=1))
        return {
            "changeable": await self.scenario.booking(self.far(9)),
            "shown_only": await self.scenario.booking(self.far(10), access=SHOWN_ONLY),
            "inside_cutoff": await self.scenario.booking(near),
            "book_only_unit": await self.scenario.booking(self.far(11), unit=BOOK_ONLY_UNIT),
            "view_unit": await self.scenario.booking(self.far(12), unit=VIEW_UNIT),
        }

    async def test_flags_agree_with_what_cancel_then_does(self) -> None:
        """For every kind of booking: cancel succeeds exactly when the flag said it would."""
        await self._seed_mix()
        for booking in await self.visible_bookings():
            allowed = booking.permissions.cancel_booking_allowed
            try:
                await self.service.cancel(self.citizen, booking.unit, booking.id)
                happened = True
            except BookingRefused:
                happened = False
            assert happened == allowed, f"{booking.id}: flag {allowed}, cancel {happened}"

    async def test_flags_agree_with_what_rebook_then_does(self) -> None:
        """Rebook mode search and rebooking succeed exactly when rebooking_allowed said so."""
        await self._seed_mix()
        for index, booking in enumerate(await self.visible_bookings()):
            allowed = booking.permissions.rebooking_allowed
            slot_id = await self.scenario.free_slot(
                self.far(8 + index, extra_days=2), unit=booking.unit
            )
            try:
                await self.offered(unit=booking.unit, rebook=booking.id)
                await self.service.rebook(self.citizen, booking.unit, booking.id, slot_id)
                happened = True
            except BookingRefused:
                happened = False
            assert happened == allowed, f"{booking.id}: flag {allowed}, rebook {happened}"

    async def test_expected_flags_for_each_kind_of_booking(self) -> None:
        """The flags follow the access, the cut-off and the unit's case types."""
        ids = await self._seed_mix()
        by_id: dict[str, Booking] = {b.id: b for b in await self.visible_bookings()}
        expected = {
            "changeable": True,
            "shown_only": False,
            "inside_cutoff": not self.cutoff,
            "book_only_unit": False,
            "view_unit": False,
        }
        messages = Capability.MESSAGE_ON_CANCEL in self.capabilities
        for name, booking_id in ids.items():
            permissions = by_id[booking_id].permissions
            assert permissions.cancel_booking_allowed == expected[name], name
            assert permissions.rebooking_allowed == expected[name], name
            assert permissions.message_allowed == (expected[name] and messages), name

    async def test_booking_details_flags_equal_schedule_flags(self) -> None:
        """GetBookingDetails and GetSubjectOfCareSchedule give the same flags."""
        await self._seed_mix()
        for booking in await self.visible_bookings():
            details = await self.service.booking(self.citizen, booking.unit, booking.id)
            assert details.permissions == booking.permissions
