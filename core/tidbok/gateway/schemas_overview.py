"""The JSON shape of ``GET /v1/units/{hsa_id}/overview``: a unit's overview (R14).

Built from :class:`tidbok.overview.UnitOverview`. Every entry carries two accesses: ``access``,
what the scheduling system grants (PASiS: the 1177 level; PMO: the booking type's flags), and
``on_1177``, what 1177 does with it at this unit given its activated case types. Nothing whose
``on_1177.visible`` is false is ever shown to a citizen.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tidbok.gateway.schemas import Out, UnitOut
from tidbok.models import Access1177
from tidbok.overview import SlotLevel, TimeTypeOverview, UnitOverview


class AccessOut(Out):
    """What may be done with an item on 1177: shown, booked directly, cancelled or rebooked."""

    visible: bool
    bookable: bool
    changeable: bool

    @classmethod
    def of(cls, access: Access1177) -> AccessOut:
        """From the core model."""
        return cls(visible=access.visible, bookable=access.bookable, changeable=access.changeable)


class SlotLevelOut(Out):
    """Free slots of a time type whose access differs from the type's (PASiS levels per slot)."""

    access: AccessOut = Field(description="The access these slots have in the scheduling system.")
    on_1177: AccessOut = Field(description="What 1177 does with them at this unit.")
    free_slots: int = Field(ge=1, description="How many free slots in the period have it.")

    @classmethod
    def of(cls, level: SlotLevel) -> SlotLevelOut:
        """From the core model."""
        return cls(
            access=AccessOut.of(level.access),
            on_1177=AccessOut.of(level.on_1177),
            free_slots=level.free_slots,
        )


class TimeTypeOverviewOut(Out):
    """One time type of the unit, visible on 1177 or not."""

    id: str
    name: str
    access: AccessOut = Field(
        description="What the scheduling system grants the type (PASiS: its default level)."
    )
    on_1177: AccessOut = Field(
        description="What 1177 does with the type at this unit: bookable only with the unit's "
        "book case type, changeable only with its cancel/rebook case type."
    )
    free_slots: int = Field(ge=0, description="The type's free slots in the period.")
    slot_levels: list[SlotLevelOut] = Field(
        description="Free slots whose access differs from the type's, one entry per access."
    )

    @classmethod
    def of(cls, entry: TimeTypeOverview) -> TimeTypeOverviewOut:
        """From the core model."""
        return cls(
            id=entry.time_type.id,
            name=entry.time_type.name,
            access=AccessOut.of(entry.time_type.access),
            on_1177=AccessOut.of(entry.on_1177),
            free_slots=entry.free_slots,
            slot_levels=[SlotLevelOut.of(level) for level in entry.slot_levels],
        )


class UnitOverviewOut(Out):
    """``GET /v1/units/{hsa_id}/overview``: what 1177 does with each of the unit's time types."""

    unit: UnitOut
    period_start: datetime = Field(description="Free slots are counted from this instant (now)...")
    period_end: datetime = Field(description="...to this one, exclusive: four weeks later.")
    time_types: list[TimeTypeOverviewOut] = Field(
        description="Every time type, visible ones first, then by name."
    )

    @classmethod
    def of(cls, overview: UnitOverview) -> UnitOverviewOut:
        """From the core model."""
        return cls(
            unit=UnitOut.of(overview.unit),
            period_start=overview.period_start,
            period_end=overview.period_end,
            time_types=[TimeTypeOverviewOut.of(entry) for entry in overview.time_types],
        )
