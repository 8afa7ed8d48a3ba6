"""The riv mock's half of the admin API: 1177 flags on time types, invitations and its rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web
from pydantic import Field

from ..kit import (
    ADMIN_PREFIX,
    AdminModel,
    KitAdmin,
    parse_body,
)
from .demo import demo_scenario
from .model import RivState

RIV_STATE = web.AppKey("riv_state", RivState)
"""Where the app keeps its :class:`RivState`."""


class RulesIn(AdminModel):
    """``POST /__admin/rules``: change either rule; absent fields stay."""

    change_cutoff_hours: float | None = Field(default=None, ge=0, le=24 * 30)
    same_day_booking: bool | None = None


class RivAdmin(KitAdmin):
    """Admin backend of the riv mock: the kit's (time types with the 1177 flags, invitations),
    with riv's demo data, its rules and an ``info`` without credentials."""

    def __init__(self, state: RivState) -> None:
        super().__init__(state, "riv", "", demo=lambda clock: demo_scenario(clock.today()))
        self.riv_state = state

    def rules_view(self) -> dict[str, Any]:
        """The producer's rules."""
        rules = self.riv_state.rules
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
            admin.riv_state.rules.change_cutoff = timedelta(hours=body.change_cutoff_hours)
        if body.same_day_booking is not None:
            admin.riv_state.rules.same_day_booking = body.same_day_booking
    return web.json_response(admin.rules_view())


def _admin(request: web.Request) -> RivAdmin:
    return RivAdmin(request.app[RIV_STATE])
