"""Units, time types, the units' overview and case types (R3, R5, R11, R13, R14)."""

from __future__ import annotations

import pytest

from tidbok.adapter import SchedulingAdapter
from tidbok.errors import CaseTypeNotActive
from tidbok.identity import normalize_hsa_id
from tidbok.models import Access1177, Capability, CaseTypeKind
from tidbok_contract.features.base import ContractTests
from tidbok_contract.markers import requires
from tidbok_contract.scenario import (
    BOOK_ONLY_UNIT,
    BOOKABLE,
    CHANGEABLE,
    NOT_SHOWN,
    RENAMED_BOOK,
    SHOWN_ONLY,
    TIME_TYPE_NAMES,
    UNIT,
    UNIT_NAMES,
    VIEW_UNIT,
)

ACCESSES = (BOOKABLE, CHANGEABLE, SHOWN_ONLY, NOT_SHOWN)


class UnitTests(ContractTests):
    """The backend's units and time types, with the names and 1177 access the unit chose."""

    feature = "units_and_time_types"
    rules = ("R3", "R11", "R13", "R14")

    async def test_list_units_includes_every_seeded_unit(self, adapter: SchedulingAdapter) -> None:
        """GetAllHealthcareFacilities: every unit, HSA-ids normalized, names as the unit set."""
        units = {unit.hsa_id: unit.name for unit in await adapter.list_units()}
        for hsa_id, name in UNIT_NAMES.items():
            assert normalize_hsa_id(hsa_id) in units, f"unit {hsa_id} missing from list_units"
            assert units[normalize_hsa_id(hsa_id)] == name

    @requires(Capability.ACCESS_LEVELS)
    async def test_time_types_report_their_1177_access(self, adapter: SchedulingAdapter) -> None:
        """GetAllTimeTypes: each time type with its name and exactly the access it was given."""
        ids = {access: await self.scenario.time_type(access) for access in ACCESSES}
        reported = {tt.id: tt for tt in await adapter.list_time_types(UNIT)}
        for access, type_id in ids.items():
            assert type_id in reported, f"time type {TIME_TYPE_NAMES[access]} not listed"
            assert reported[type_id].name == TIME_TYPE_NAMES[access]  # R11: the unit's name
            assert reported[type_id].access == access

    @requires(Capability.ACCESS_LEVELS)
    async def test_service_shows_only_time_types_visible_on_1177(self) -> None:
        """R3, R13: a time type the unit keeps off 1177 is never shown."""
        ids = {access: await self.scenario.time_type(access) for access in ACCESSES}
        shown = {tt.id for tt in await self.service.time_types(UNIT)}
        assert shown == {ids[BOOKABLE], ids[CHANGEABLE], ids[SHOWN_ONLY]}
        overview = {tt.id: tt.access for tt in await self.service.all_time_types(UNIT)}
        assert overview[ids[NOT_SHOWN]] == NOT_SHOWN  # R14: the overview lists every type

    @requires(Capability.ACCESS_LEVELS)
    async def test_overview_shows_what_1177_does_with_every_time_type(self) -> None:
        """R14: every time type with its access, what 1177 does with it given the unit's case
        types, and its free slots in the next four weeks."""
        for access in ACCESSES:
            await self.scenario.free_slot(self.far(), access)
            await self.scenario.free_slot(self.far(), access, unit=BOOK_ONLY_UNIT)
        ids = {access: await self.scenario.time_type(access) for access in ACCESSES}
        overview = {
            entry.time_type.id: entry for entry in (await self.service.overview(UNIT)).time_types
        }
        for access, type_id in ids.items():
            entry = overview[type_id]
            assert entry.time_type.access == access
            assert entry.on_1177 == access  # book and cancel/rebook are both activated
            assert (entry.free_slots, entry.slot_levels) == (1, ())
        book_only = (await self.service.overview(BOOK_ONLY_UNIT)).time_types
        assert len(book_only) == len(ACCESSES)
        for entry in book_only:  # only booking is activated there
            access = entry.time_type.access
            assert entry.on_1177 == Access1177(visible=access.visible, bookable=access.bookable)

    async def test_time_types_are_per_unit(self, adapter: SchedulingAdapter) -> None:
        """A time type created at one unit is not listed at another."""
        type_id = await self.scenario.time_type(BOOKABLE, UNIT)
        assert type_id not in {tt.id for tt in await adapter.list_time_types(VIEW_UNIT)}


class CaseTypeTests(ContractTests):
    """Case types (ärendetyper): the system's names, units' own names, and what each allows."""

    feature = "case_types"
    rules = ("R5", "R6")

    async def test_system_names_book_and_manage_case_types(self) -> None:
        """R5: the plugin declares its own names for booking and for cancel/rebook."""
        names = self.system.case_type_names
        assert names[CaseTypeKind.BOOK].strip()
        assert names[CaseTypeKind.MANAGE].strip()
        assert names[CaseTypeKind.BOOK] != names[CaseTypeKind.MANAGE]

    async def test_units_use_system_names_unless_renamed(self) -> None:
        """R5: a unit's case type is called by the system's name unless the unit renamed it."""
        unit = self.service.unit(UNIT)
        book = unit.case_type(CaseTypeKind.BOOK)
        manage = unit.case_type(CaseTypeKind.MANAGE)
        assert book is not None
        assert book.name == self.system.case_type_names[CaseTypeKind.BOOK]
        assert manage is not None
        assert manage.name == self.system.case_type_names[CaseTypeKind.MANAGE]
        renamed = self.service.unit(BOOK_ONLY_UNIT).case_type(CaseTypeKind.BOOK)
        assert renamed is not None
        assert renamed.name == RENAMED_BOOK

    async def test_view_only_unit_offers_no_booking(self) -> None:
        """A unit that only shows booked times ("Bokade tider") offers no slots."""
        await self.scenario.free_slot(self.far(), unit=VIEW_UNIT)
        with pytest.raises(CaseTypeNotActive):
            await self.offered(unit=VIEW_UNIT)

    async def test_without_manage_case_type_bookings_cannot_change(self) -> None:
        """R6: cancel/rebook needs the unit's cancel/rebook case type; the flags say so."""
        booking_id = await self.scenario.booking(self.far(), unit=BOOK_ONLY_UNIT)
        booking = await self.service.booking(self.citizen, BOOK_ONLY_UNIT, booking_id)
        assert not booking.permissions.cancel_booking_allowed
        assert not booking.permissions.rebooking_allowed
        with pytest.raises(CaseTypeNotActive):
            await self.service.cancel(self.citizen, BOOK_ONLY_UNIT, booking_id)
        assert len(await self.citizen_records(BOOK_ONLY_UNIT)) == 1
