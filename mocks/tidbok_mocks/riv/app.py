"""Create and run the riv mock (a crm:scheduling 1.1 producer)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from ..kit import MockClock, MockContext, MockServer, assemble_app, serve
from .admin import RIV_STATE, RivAdmin, rules_routes
from .endpoints import render_riv_error, routes
from .model import RivRules, RivState
from .names import endpoint_path

DEFAULT_CHANGE_CUTOFF_HOURS = 24.0


def create_riv_app(
    *,
    now: datetime | None = None,
    demo_data: bool = False,
    admin_token: str | None = None,
    change_cutoff_hours: float = DEFAULT_CHANGE_CUTOFF_HOURS,
    same_day_booking: bool = False,
) -> web.Application:
    """A riv mock app; ``now`` freezes its clock, ``demo_data`` seeds the demo schedule,
    ``admin_token`` protects the admin API; the two rules as in docs/mocks/riv-api.md."""
    clock = MockClock(now)
    rules = RivRules(timedelta(hours=change_cutoff_hours), same_day_booking)
    state = RivState(clock=clock, rules=rules)
    admin = RivAdmin(state)
    context = MockContext(
        system="riv",
        api_base="",
        clock=clock,
        render_error=render_riv_error,
        admin=admin,
        admin_token=admin_token,
    )
    app = assemble_app(context, [*rules_routes, *routes])
    app[RIV_STATE] = state
    if demo_data:
        admin.load_now(admin.demo_scenario())
    return app


@dataclass(frozen=True)
class RivServer(MockServer):
    """A running riv mock."""

    @property
    def state(self) -> RivState:
        """The mock's in-memory state."""
        return self.app[RIV_STATE]

    def endpoint(self, operation: str) -> str:
        """The URL of an operation, e.g. ``.../MakeBooking/1/rivtabp21``."""
        return self.url + endpoint_path(operation)


@asynccontextmanager
async def run_riv(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    now: datetime | None = None,
    demo_data: bool = False,
    admin_token: str | None = None,
    change_cutoff_hours: float = DEFAULT_CHANGE_CUTOFF_HOURS,
    same_day_booking: bool = False,
) -> AsyncIterator[RivServer]:
    """Serve a riv mock in the running event loop until the block ends."""
    app = create_riv_app(
        now=now,
        demo_data=demo_data,
        admin_token=admin_token,
        change_cutoff_hours=change_cutoff_hours,
        same_day_booking=same_day_booking,
    )
    async with serve(app, host, port) as url:
        yield RivServer(
            system="riv",
            url=url,
            app=app,
            credentials={"endpoint": url + "/{Operation}/1/rivtabp21"},
        )
