"""Bookings across units, for systems declaring BOOKINGS_ACROSS_UNITS (R7, R12).

The service asks such a backend once for the citizen's bookings at all its units instead of once
per unit, so the one answer must hold exactly the facts the per-unit answers hold.
"""

from __future__ import annotations

from tidbok.adapter import SchedulingAdapter
from tidbok.models import BookedBy, Booking, Capability
from tidbok_contract.features.base import ContractTests
from tidbok_contract.fixtures import BACKEND_NAME
from tidbok_contract.markers import requires
from tidbok_contract.scenario import BOOK_ONLY_UNIT, CITIZEN, OTHER_CITIZEN, UNIT, VIEW_UNIT

UNITS = (UNIT, BOOK_ONLY_UNIT, VIEW_UNIT)


def by_id(bookings: list[Booking]) -> dict[str, Booking]:
    """Bookings by id; a booking answered twice is a failure."""
    found = {booking.id: booking for booking in bookings}
    assert len(found) == len(bookings), f"a booking was answered twice: {bookings}"
    return found


@requires(Capability.BOOKINGS_ACROSS_UNITS)
class AcrossUnitsTests(ContractTests):
    """``bookings_across_units`` answers what ``bookings_for`` answers unit by unit."""

    feature = "bookings_across_units"
    rules = ("R7", "R12")

    @property
    def adapter(self) -> SchedulingAdapter:
        """The adapter of the backend under test."""
        return self.service.adapters[BACKEND_NAME]

    async def per_unit(self, units: tuple[str, ...] = UNITS) -> dict[str, Booking]:
        """The citizen's bookings as ``bookings_for`` answers them, unit by unit."""
        return by_id([b for unit in units for b in await self.adapter.bookings_for(unit, CITIZEN)])

    async def seed(self) -> dict[str, str]:
        """At every unit a booking of the citizen; at UNIT also a staff-made one, a hidden one,
        another citizen's and one the citizen booked and cancelled."""
        ids = {
            f"own-{unit}": await self.scenario.booking(
                self.far(9), unit=unit, booked_by=BookedBy.CITIZEN
            )
            for unit in UNITS
        }
        ids["staff"] = await self.scenario.booking(self.far(10), booked_by=BookedBy.STAFF)
        ids["hidden"] = await self.scenario.booking(self.far(11), hidden=True)
        ids["other"] = await self.scenario.booking(self.far(12), citizen=OTHER_CITIZEN)
        slot_id = await self.scenario.free_slot(self.far(13))
        booked = await self.service.book(self.citizen, UNIT, slot_id, accept_terms=True)
        await self.service.cancel(self.citizen, UNIT, booked.booking.id)
        ids["cancelled"] = booked.booking.id
        return ids

    async def test_across_units_equals_the_per_unit_answers(self) -> None:
        """One call for all units answers the same bookings, with the same facts (hidden,
        staff-made, access), as the calls unit by unit; never another citizen's or a cancelled
        one."""
        ids = await self.seed()
        per_unit = await self.per_unit()
        across = by_id(await self.adapter.bookings_across_units(list(UNITS), CITIZEN))
        assert across == per_unit
        expected = {ids[f"own-{unit}"] for unit in UNITS} | {ids["staff"], ids["hidden"]}
        assert set(across) == expected
        assert {across[ids[f"own-{unit}"]].unit for unit in UNITS} == set(UNITS)
        assert across[ids["hidden"]].hidden
        assert not across[ids["staff"]].hidden
        if Capability.BOOKED_BY in self.capabilities:
            assert across[ids["staff"]].booked_by is BookedBy.STAFF
            assert across[ids[f"own-{UNIT}"]].booked_by is BookedBy.CITIZEN

    async def test_only_the_units_asked_are_answered(self) -> None:
        """Asked about some units, the answer holds no booking at another unit."""
        await self.seed()
        asked = (BOOK_ONLY_UNIT, VIEW_UNIT)
        across = by_id(await self.adapter.bookings_across_units(list(asked), CITIZEN))
        assert across == await self.per_unit(asked)
        assert {booking.unit for booking in across.values()} == set(asked)

    async def test_the_schedule_is_the_one_read_unit_by_unit(self) -> None:
        """Bokade tider read across units is what the citizen sees unit by unit, flags too."""
        ids = await self.seed()
        shown = await self.visible_bookings()
        per_unit = [
            b for unit in UNITS for b in await self.service.unit_bookings(self.citizen, unit)
        ]
        assert by_id(shown) == by_id(per_unit)
        assert {b.id for b in shown} == {ids[f"own-{unit}"] for unit in UNITS} | {ids["staff"]}
