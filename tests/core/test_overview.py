"""The unit's overview (R14) through BookingService.overview, over the in-memory systems."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tidbok.clock import STOCKHOLM
from tidbok.errors import BackendUnavailable, NotFound
from tidbok.models import Access1177, ActiveUnit, CaseType, CaseTypeKind, Slot, TimeType
from tidbok.overview import OVERVIEW_PERIOD, SlotLevel, build_overview, on_1177

from .conftest import NOW, PASIS_UNIT, PMO_UNIT, VIEW_UNIT, World
from .memory_system import BOOKABLE, NOT_SHOWN, SHOWN_ONLY

CHANGEABLE = Access1177(visible=True, changeable=True)


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A Stockholm time ``days`` after NOW's date."""
    base = NOW.date() + timedelta(days=days)
    return datetime(base.year, base.month, base.day, hour, minute, tzinfo=STOCKHOLM)


async def test_every_time_type_with_what_1177_does_with_it(world: World) -> None:
    world.pasis.add_time_type(PASIS_UNIT, "n1", "Internt möte", NOT_SHOWN)
    world.pasis.add_time_type(PASIS_UNIT, "n4", "Provtagning", BOOKABLE)
    world.pasis.add_time_type(PASIS_UNIT, "n2", "Telefontid", SHOWN_ONLY)
    overview = await world.service.overview(PASIS_UNIT.lower())
    assert overview.unit.hsa_id == PASIS_UNIT
    assert overview.period_start == NOW
    assert overview.period_end == NOW + OVERVIEW_PERIOD
    assert [entry.time_type.id for entry in overview.time_types] == ["n4", "n2", "n1"]
    assert [entry.on_1177 for entry in overview.time_types] == [BOOKABLE, SHOWN_ONLY, NOT_SHOWN]
    assert all(entry.slot_levels == () for entry in overview.time_types)


async def test_access_the_units_case_types_do_not_use_is_not_in_effect(world: World) -> None:
    world.pmo.add_time_type(VIEW_UNIT, "t", "Synundersökning", BOOKABLE)
    (entry,) = (await world.service.overview(VIEW_UNIT)).time_types
    assert entry.time_type.access == BOOKABLE
    assert entry.on_1177 == SHOWN_ONLY  # only "Bokade tider" is activated


async def test_slot_levels_that_differ_from_the_type_are_counted(world: World) -> None:
    """PASiS sets a level per slot; the overview counts each level other than the type's."""
    provtagning = world.pasis.add_time_type(PASIS_UNIT, "n4", "Provtagning", BOOKABLE)
    telefon = world.pasis.add_time_type(PASIS_UNIT, "n2", "Telefontid", SHOWN_ONLY)
    for day, access in [(1, BOOKABLE), (2, SHOWN_ONLY), (3, SHOWN_ONLY), (4, NOT_SHOWN)]:
        world.pasis.add_slot(PASIS_UNIT, at(day, 10), time_type=provtagning, access=access)
    world.pasis.add_slot(PASIS_UNIT, at(2, 11), time_type=telefon, access=SHOWN_ONLY)
    world.pasis.add_slot(PASIS_UNIT, at(29, 10), time_type=provtagning, access=CHANGEABLE)
    world.pasis.add_slot(PASIS_UNIT, at(0, 8), time_type=provtagning, access=CHANGEABLE)
    overview = await world.service.overview(PASIS_UNIT)
    first, second = overview.time_types
    assert first.free_slots == 4
    assert first.slot_levels == (
        SlotLevel(access=SHOWN_ONLY, on_1177=SHOWN_ONLY, free_slots=2),
        SlotLevel(access=NOT_SHOWN, on_1177=NOT_SHOWN, free_slots=1),
    )
    assert second.free_slots == 1
    assert second.slot_levels == ()
    assert world.pasis.calls == ["list_time_types", "available_slots"]


async def test_the_overview_needs_no_case_type_but_a_configured_unit(world: World) -> None:
    world.pmo.add_time_type(PMO_UNIT, "t", "Provtagning", BOOKABLE)
    assert len((await world.service.overview(PMO_UNIT)).time_types) == 1
    with pytest.raises(NotFound):
        await world.service.overview("SE2321000016-9999")
    world.pmo.down = True
    with pytest.raises(BackendUnavailable):
        await world.service.overview(PMO_UNIT)


def test_on_1177_follows_the_activated_case_types() -> None:
    def unit(*kinds: CaseTypeKind) -> ActiveUnit:
        cases = tuple(CaseType(kind=kind, name=str(kind)) for kind in kinds)
        return ActiveUnit(hsa_id=PMO_UNIT, name="Enheten", system="pmo", case_types=cases)

    assert on_1177(unit(CaseTypeKind.BOOK, CaseTypeKind.MANAGE), BOOKABLE) == BOOKABLE
    assert on_1177(unit(CaseTypeKind.BOOK), BOOKABLE) == Access1177(visible=True, bookable=True)
    assert on_1177(unit(CaseTypeKind.MANAGE), BOOKABLE) == CHANGEABLE
    assert on_1177(unit(CaseTypeKind.VIEW), BOOKABLE) == SHOWN_ONLY
    assert on_1177(unit(), BOOKABLE) == NOT_SHOWN  # tidbokning not active: nothing is shown
    assert on_1177(unit(CaseTypeKind.BOOK), NOT_SHOWN) == NOT_SHOWN


def test_slots_outside_the_period_or_of_unlisted_types_are_not_counted() -> None:
    unit = ActiveUnit(hsa_id=PMO_UNIT, name="Enheten", system="pmo", case_types=())
    time_type = TimeType(id="t", name="Provtagning", access=BOOKABLE)

    def slot(start: datetime, type_id: str = "t") -> Slot:
        return Slot(
            id=f"{type_id}-{start.isoformat()}",
            unit=PMO_UNIT,
            start=start,
            end=start + timedelta(minutes=30),
            time_type_id=type_id,
            time_type_name=type_id,
            access=SHOWN_ONLY,
        )

    end = NOW + timedelta(days=1)
    slots = [slot(NOW), slot(at(0, 12)), slot(end), slot(at(0, 8)), slot(at(0, 10), "x")]
    (entry,) = build_overview(unit, [time_type], slots, NOW, end).time_types
    assert entry.free_slots == 2
    assert entry.slot_levels == (SlotLevel(access=SHOWN_ONLY, on_1177=NOT_SHOWN, free_slots=2),)
