"""PASiS's half of the admin API: 1177 levels on time types and slots, and open invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from ..kit import InvitationSections, ScheduleAdmin, SlotIn, TimeTypeIn
from .auth import API_KEY_HEADER
from .demo import demo_scenario
from .model import PasisSlot, PasisState, PasisTimeType


class PasisTimeTypeIn(TimeTypeIn):
    """A tidstyp with the 1177 level its slots get by default."""

    level: int = Field(default=4, ge=1, le=4)


class PasisSlotIn(SlotIn):
    """A tid; ``level`` overrides the time type's default level."""

    level: int | None = Field(default=None, ge=1, le=4)


class PasisAdmin(InvitationSections, ScheduleAdmin[PasisTimeType, PasisSlot]):
    """Admin backend of the PASiS mock."""

    time_type_model = PasisTimeTypeIn
    slot_model = PasisSlotIn

    def __init__(self, state: PasisState, api_base: str) -> None:
        super().__init__(state.schedule, state.clock)
        self.state = state
        self.invitations = state.invitations
        self.api_base = api_base

    def build_time_type(self, data: TimeTypeIn, time_type_id: str) -> PasisTimeType:
        """A tidstyp from admin input."""
        assert isinstance(data, PasisTimeTypeIn)
        return PasisTimeType(**self.time_type_fields(data, time_type_id), default_level=data.level)

    def build_slot(
        self,
        data: SlotIn,
        slot_id: str,
        start: datetime,
        end: datetime,
        time_type: PasisTimeType,
    ) -> PasisSlot:
        """A tid from admin input."""
        assert isinstance(data, PasisSlotIn)
        level = data.level if data.level is not None else time_type.default_level
        return PasisSlot(**self.slot_fields(data, slot_id, start, end, time_type.id), level=level)

    def time_type_extra(self, time_type: PasisTimeType) -> dict[str, Any]:
        """The default 1177 level."""
        return {"level": time_type.default_level}

    def slot_extra(self, slot: PasisSlot) -> dict[str, Any]:
        """The slot's 1177 level and the invitation reserving it."""
        return {"level": slot.level, "reserved_for_invitation": slot.invitation_id}

    def demo_scenario(self) -> dict[str, Any]:
        """PASiS demo data for the coming week."""
        return demo_scenario(self.clock.today())

    def info(self) -> dict[str, Any]:
        """System, API base and the API key."""
        return {
            "system": "pasis",
            "api_base": self.api_base,
            "auth": {"type": "api-key", "header": API_KEY_HEADER, "api_key": self.state.api_key},
        }
