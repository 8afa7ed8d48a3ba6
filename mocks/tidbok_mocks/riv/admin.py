"""The riv mock's half of the admin API: 1177 flags on time types, invitations and its rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from pydantic import Field

from ..kit import (
    ADMIN_PREFIX,
    AdminModel,
    InvitationSections,
    ReservableSlot,
    ScheduleAdmin,
    SlotIn,
    TimeTypeIn,
    parse_body,
)
from .demo import demo_scenario
from .model import RivState, RivTimeType

RIV_STATE = web.AppKey("riv_state", RivState)
"""Where the app keeps its :class:`RivState`."""


class RivTimeTypeIn(TimeTypeIn):
    """A time type with its 1177 access: ``visible``, ``bookable``, ``changeable``."""

    visible: bool = True
    bookable: bool = True
    changeable: bool = True


class RulesIn(AdminModel):
    """``POST /__admin/rules``: change either rule; absent fields stay."""

    change_cutoff_hours: float | None = Field(default=None, ge=0, le=24 * 30)
    same_day_booking: bool | None = None


class RivAdmin(InvitationSections, ScheduleAdmin[RivTimeType, ReservableSlot]):
    """Admin backend of the riv mock."""

    time_type_model = RivTimeTypeIn

    def __init__(self, state: RivState) -> None:
        super().__init__(state.schedule, state.clock)
        self.state = state
        self.invitations = state.invitations

    def build_time_type(self, data: TimeTypeIn, time_type_id: str) -> RivTimeType:
        """A time type from admin input."""
        assert isinstance(data, RivTimeTypeIn)
        return RivTimeType(
            **self.time_type_fields(data, time_type_id),
            visible=data.visible,
            bookable=data.bookable,
            changeable=data.changeable,
        )

    def build_slot(
        self, data: SlotIn, slot_id: str, start: datetime, end: datetime, time_type: RivTimeType
    ) -> ReservableSlot:
        """A slot from admin input."""
        return ReservableSlot(**self.slot_fields(data, slot_id, start, end, time_type.id))

    def time_type_extra(self, time_type: RivTimeType) -> dict[str, Any]:
        """The 1177 flags."""
        return {
            "visible": time_type.visible,
            "bookable": time_type.bookable,
            "changeable": time_type.changeable,
        }

    def slot_extra(self, slot: ReservableSlot) -> dict[str, Any]:
        """The invitation reserving the slot, if any."""
        return {"reserved_for_invitation": slot.invitation_id}

    def demo_scenario(self) -> dict[str, Any]:
        """riv demo data for the coming week."""
        return demo_scenario(self.clock.today())

    def rules_view(self) -> dict[str, Any]:
        """The producer's rules."""
        rules = self.state.rules
        return {
            "change_cutoff_hours": rules.change_cutoff.total_seconds() / 3600,
            "same_day_booking": rules.same_day_booking,
        }

    def info(self) -> dict[str, Any]:
        """System, endpoint pattern, rules; no credentials (the mock asks for none)."""
        return {
            "system": "riv",
            "api_base": "",
            "endpoint": "/{Operation}/1/rivtabp21",
            "auth": {"type": "none"},
            "rules": self.rules_view(),
        }


rules_routes = web.RouteTableDef()


@rules_routes.get(ADMIN_PREFIX + "/rules")
async def get_rules(request: web.Request) -> web.Response:
    """The change cut-off and the booking window."""
    return web.json_response(_admin(request).rules_view())


@rules_routes.post(ADMIN_PREFIX + "/rules")
async def set_rules(request: web.Request) -> web.Response:
    """Change the cut-off (``change_cutoff_hours``) or allow same-day booking."""
    body = await parse_body(request, RulesIn)
    admin = _admin(request)
    async with admin.schedule.lock:
        if body.change_cutoff_hours is not None:
            admin.state.rules.change_cutoff = timedelta(hours=body.change_cutoff_hours)
        if body.same_day_booking is not None:
            admin.state.rules.same_day_booking = body.same_day_booking
    return web.json_response(admin.rules_view())


def _admin(request: web.Request) -> RivAdmin:
    return RivAdmin(request.app[RIV_STATE])
