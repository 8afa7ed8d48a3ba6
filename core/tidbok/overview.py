"""A unit's overview (R14): what 1177 shows, books and lets citizens change, per time type.

Units need to see which of their time types are visible on 1177 and which bookings citizens may
cancel or rebook. The overview lists every time type the scheduling system reports, visible or
not, with two accesses:

* ``access``: what the scheduling system grants the time type (PASiS: its default 1177 level;
  PMO: the booking type's flags);
* ``on_1177``: what 1177 does with it at this unit: shown only while the unit has activated some
  case type, bookable only with the book case type, changeable only with the cancel/rebook one.

Nothing whose ``on_1177.visible`` is false ever reaches a citizen: not in the slot search, not in
"Bokade tider", not by id, not in an open invitation.

PASiS gives each slot its own level, which may differ from its time type's default. So the
overview also looks at the unit's free slots starting within :data:`OVERVIEW_PERIOD` (four weeks)
of the current instant and, per time type, counts those whose access differs from the type's,
one entry per distinct access. Slots of a time type the system does not list are not counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from tidbok.calls import call_adapter
from tidbok.clock import to_stockholm
from tidbok.models import (
    Access1177,
    ActiveUnit,
    CaseTypeKind,
    Model,
    Slot,
    StockholmDatetime,
    TimeType,
)
from tidbok.routing import UnitRoute

#: How far ahead of the current instant the overview counts free slots.
OVERVIEW_PERIOD = timedelta(days=28)


class SlotLevel(Model):
    """Free slots of one time type whose 1177 access differs from the time type's own."""

    access: Access1177
    """The access these slots have (PASiS: their level)."""
    on_1177: Access1177
    """What 1177 does with them at this unit, given its activated case types."""
    free_slots: int
    """How many of the type's free slots in the overview's period have this access."""


class TimeTypeOverview(Model):
    """One time type: its access, what 1177 does with it, and slots at other levels."""

    time_type: TimeType
    """The time type as the scheduling system reports it, with its own access."""
    on_1177: Access1177
    """What 1177 does with the type at this unit, given its activated case types."""
    free_slots: int
    """The type's free slots starting in the overview's period."""
    slot_levels: tuple[SlotLevel, ...] = ()
    """Free slots whose access differs from the type's, one entry per distinct access."""


class UnitOverview(Model):
    """The R14 overview of one unit (see :mod:`tidbok.overview`)."""

    unit: ActiveUnit
    """The unit, with its activated case types."""
    period_start: StockholmDatetime
    """The current instant when the overview was made: free slots are counted from here."""
    period_end: StockholmDatetime
    """The end (exclusive) of the period in which free slots are counted."""
    time_types: tuple[TimeTypeOverview, ...]
    """Visible time types first, then by name and id."""


def on_1177(unit: ActiveUnit, access: Access1177) -> Access1177:
    """What 1177 does at ``unit`` with an item of ``access``, given its activated case types."""
    visible = access.visible and bool(unit.case_types)
    return Access1177(
        visible=visible,
        bookable=visible and access.bookable and unit.case_type(CaseTypeKind.BOOK) is not None,
        changeable=visible
        and access.changeable
        and unit.case_type(CaseTypeKind.MANAGE) is not None,
    )


def build_overview(
    unit: ActiveUnit,
    time_types: Iterable[TimeType],
    free_slots: Iterable[Slot],
    period_start: datetime,
    period_end: datetime,
) -> UnitOverview:
    """The overview of ``unit`` from its time types and its free slots in the period."""
    first, last = period_start.astimezone(UTC), period_end.astimezone(UTC)
    counts: dict[str, Counter[Access1177]] = {}
    for slot in free_slots:
        if first <= slot.start.astimezone(UTC) < last:
            counts.setdefault(slot.time_type_id, Counter())[slot.access] += 1
    entries = []
    for time_type in sorted(time_types, key=lambda t: (not t.access.visible, t.name, t.id)):
        per_access = counts.get(time_type.id, Counter())
        levels = tuple(
            SlotLevel(access=access, on_1177=on_1177(unit, access), free_slots=count)
            for access, count in sorted(per_access.items(), key=_most_open_first)
            if access != time_type.access
        )
        entries.append(
            TimeTypeOverview(
                time_type=time_type,
                on_1177=on_1177(unit, time_type.access),
                free_slots=sum(per_access.values()),
                slot_levels=levels,
            )
        )
    return UnitOverview(
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        time_types=tuple(entries),
    )


async def fetch_overview(route: UnitRoute, now: datetime) -> UnitOverview:
    """Ask the unit's adapter for its time types and free slots, and build the overview."""
    adapter = route.require_adapter()
    start = to_stockholm(now)
    end = to_stockholm(start.astimezone(UTC) + OVERVIEW_PERIOD)
    time_types = await call_adapter(route, "list_time_types", adapter.list_time_types(route.hsa_id))
    slots = await call_adapter(
        route, "available_slots", adapter.available_slots(route.hsa_id, start, end)
    )
    return build_overview(route.unit, time_types, slots, start, end)


def _most_open_first(item: tuple[Access1177, int]) -> tuple[bool, bool, bool]:
    access = item[0]
    return (not access.visible, not access.bookable, not access.changeable)
