"""PASiS's half of the admin API: 1177 levels on time types and slots, and open invitations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import Field

from ..common.admin_backend import ScheduleAdmin, parse_person
from ..common.admin_models import AdminModel, SlotIn, TimeTypeIn
from ..common.errors import ErrorKind, MockError
from ..common.http import validate
from ..common.times import format_offset
from .auth import API_KEY_HEADER
from .demo import demo_scenario
from .model import Invitation, PasisSlot, PasisState, PasisTimeType


class PasisTimeTypeIn(TimeTypeIn):
    """A tidstyp with the 1177 level its slots get by default."""

    level: int = Field(default=4, ge=1, le=4)


class PasisSlotIn(SlotIn):
    """A tid; ``level`` overrides the time type's default level."""

    level: int | None = Field(default=None, ge=1, le=4)


class InvitationIn(AdminModel):
    """An open invitation for one citizen, offering existing free slots of one unit."""

    id: str | None = None
    unit: str
    person: str
    slots: list[str] = Field(min_length=1)
    purpose: str = ""


class PasisAdmin(ScheduleAdmin[PasisTimeType, PasisSlot]):
    """Admin backend of the PASiS mock."""

    time_type_model = PasisTimeTypeIn
    slot_model = PasisSlotIn

    def __init__(self, state: PasisState, api_base: str) -> None:
        super().__init__(state.schedule, state.clock)
        self.state = state
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

    def invitation_view(self, invitation: Invitation) -> dict[str, Any]:
        """An invitation as the admin API shows it."""
        return {
            "id": invitation.id,
            "unit": invitation.unit_id,
            "person": invitation.person,
            "slots": list(invitation.slot_ids),
            "purpose": invitation.purpose,
            "status": invitation.status.value,
            "booking_id": invitation.booking_id,
            "created_at": format_offset(invitation.created_at),
        }

    def add_invitation(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Open an invitation: reserve the given free slots for one citizen."""
        data = validate(InvitationIn, raw)
        unit = self.schedule.unit(data.unit)
        person = parse_person(data.person)
        invitation_id = data.id or self.schedule.new_id("invitation", self.state.invitations)
        if invitation_id in self.state.invitations:
            raise MockError(ErrorKind.INVALID, f"Invitation {invitation_id} already exists")
        slots = [self.schedule.slot(slot_id) for slot_id in data.slots]
        for slot in slots:
            if slot.unit_id != unit.id:
                raise MockError(ErrorKind.INVALID, f"Slot {slot.id} belongs to another unit")
            if not slot.free or slot.invitation_id is not None:
                raise MockError(ErrorKind.SLOT_TAKEN, f"Slot {slot.id} is not free")
        invitation = Invitation(
            id=invitation_id,
            unit_id=unit.id,
            person=person,
            slot_ids=[slot.id for slot in slots],
            purpose=data.purpose,
            created_at=self.clock.now(),
        )
        for slot in slots:
            slot.invitation_id = invitation.id
        self.state.invitations[invitation.id] = invitation
        return self.invitation_view(invitation)

    def extra_sections(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        """Invitations load after bookings."""
        return {"invitations": self.add_invitation}

    def clear_extra(self) -> None:
        """Forget invitations."""
        self.state.invitations.clear()

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
