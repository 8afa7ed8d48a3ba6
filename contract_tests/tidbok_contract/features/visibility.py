"""What the citizen sees in "Bokade tider": everything, staff-made too, hidden never (R7, R12)."""

from __future__ import annotations

import pytest

from tidbok.errors import NotFound
from tidbok.models import BookedBy, Capability
from tidbok_contract.features.base import ContractTests, stockholm_offset_ok
from tidbok_contract.scenario import (
    BOOK_ONLY_UNIT,
    CITIZEN,
    NOT_SHOWN,
    OTHER_CITIZEN,
    SHOWN_ONLY,
    UNIT,
    VIEW_UNIT,
)


class VisibilityTests(ContractTests):
    """GetSubjectOfCareSchedule through the service: which bookings the citizen sees."""

    feature = "visibility"
    rules = ("R2", "R7", "R12", "R13")

    async def test_staff_made_and_citizen_made_bookings_are_both_shown(self) -> None:
        """R12: bookings made by staff and by the citizen are both shown, marked as such."""
        staff_id = await self.scenario.booking(self.far(9), booked_by=BookedBy.STAFF)
        slot_id = await self.scenario.free_slot(self.far(11))
        own = (await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)).booking
        shown = {booking.id: booking for booking in await self.visible_bookings()}
        assert set(shown) == {staff_id, own.id}
        if Capability.BOOKED_BY in self.capabilities:  # else the system cannot tell them apart
            assert shown[staff_id].booked_by is BookedBy.STAFF
            assert shown[own.id].booked_by is BookedBy.CITIZEN

    async def test_booking_of_a_type_kept_off_1177_is_never_shown(self) -> None:
        """R6: a booking whose time type is not shown on 1177 (PASiS level 1, a PMO booking type
        not visible in the e-services) is left out of Bokade tider and is not found by id."""
        kept_off = await self.scenario.booking(self.far(9), access=NOT_SHOWN)
        shown_id = await self.scenario.booking(self.far(11))
        assert [b.id for b in await self.visible_bookings()] == [shown_id]
        assert [b.id for b in await self.service.unit_bookings(self.citizen, UNIT)] == [shown_id]
        with pytest.raises(NotFound):
            await self.service.booking(self.citizen, UNIT, kept_off)
        with pytest.raises(NotFound):
            await self.service.cancel(self.citizen, UNIT, kept_off)
        records = {r.booking_id: r for r in await self.scenario.appointment_book(UNIT)}
        assert kept_off in records  # R2: a real booking in the tidbok all the same

    async def test_hidden_booking_is_never_shown(self) -> None:
        """R7: a booking the unit hid is left out everywhere 1177 looks, yet staff still see it."""
        hidden_id = await self.scenario.booking(self.far(9), hidden=True)
        shown_id = await self.scenario.booking(self.far(11))
        assert [b.id for b in await self.visible_bookings()] == [shown_id]
        assert [b.id for b in await self.service.unit_bookings(self.citizen, UNIT)] == [shown_id]
        with pytest.raises(NotFound):
            await self.service.booking(self.citizen, UNIT, hidden_id)
        with pytest.raises(NotFound):
            await self.service.cancel(self.citizen, UNIT, hidden_id)
        records = {r.booking_id: r for r in await self.scenario.appointment_book(UNIT)}
        assert records[hidden_id].hidden  # R2: still a real booking in the tidbok

    async def test_other_citizens_bookings_are_never_shown(self) -> None:
        """Only the citizen's own bookings are shown."""
        await self.scenario.booking(self.far(9), citizen=OTHER_CITIZEN)
        own_id = await self.scenario.booking(self.far(11))
        assert [b.id for b in await self.visible_bookings()] == [own_id]
        assert [b.id for b in await self.visible_bookings(self.other)] != [own_id]

    async def test_booking_shown_but_not_changeable_is_shown(self) -> None:
        """R13: a booking shown on 1177 without cancel/rebook is shown, with its flags false."""
        booking_id = await self.scenario.booking(self.far(), access=SHOWN_ONLY)
        (booking,) = await self.visible_bookings()
        assert booking.id == booking_id
        assert not booking.permissions.cancel_booking_allowed

    async def test_schedule_covers_every_active_unit(self) -> None:
        """R7: bookings at every unit where 1177 tidbokning is active, view-only units too."""
        ids = {
            await self.scenario.booking(self.far(9), unit=UNIT),
            await self.scenario.booking(self.far(10), unit=BOOK_ONLY_UNIT),
            await self.scenario.booking(self.far(11), unit=VIEW_UNIT),
        }
        bookings = await self.visible_bookings()
        assert {b.id for b in bookings} == ids
        assert [b.start for b in bookings] == sorted(b.start for b in bookings)
        assert [b.id for b in await self.service.unit_bookings(self.citizen, VIEW_UNIT)] == [
            b.id for b in bookings if b.unit == VIEW_UNIT
        ]

    async def test_booking_details_match_the_schedule(self) -> None:
        """GetBookingDetails describes the same booking as the schedule, with aware times."""
        start = self.far(13, 20)
        booking_id = await self.scenario.booking(start, minutes=20)
        (listed,) = await self.visible_bookings()
        details = await self.service.booking(self.citizen, UNIT, booking_id)
        assert details == listed
        assert details.start == start
        assert stockholm_offset_ok(details.start)
        assert details.subject_of_care == CITIZEN
        assert details.unit == UNIT
        assert details.time_type_name == "Läkarbesök"
