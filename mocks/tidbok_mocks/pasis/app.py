"""Create and run the PASiS mock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from ..kit import MockClock, MockContext, MockServer, assemble_app, serve
from .admin import PasisAdmin
from .api import API_BASE, PASIS_STATE, routes
from .auth import API_KEY_HEADER, api_key_middleware
from .errors import render_pasis_error
from .model import PasisState

DEFAULT_API_KEY = "pasis-dev-key"


def create_pasis_app(
    *,
    api_key: str = DEFAULT_API_KEY,
    now: datetime | None = None,
    demo_data: bool = False,
    admin_token: str | None = None,
) -> web.Application:
    """A PASiS mock app; ``now`` freezes its clock, ``demo_data`` seeds the demo schedule,
    ``admin_token`` protects the admin API."""
    clock = MockClock(now)
    state = PasisState(clock=clock, api_key=api_key)
    admin = PasisAdmin(state, API_BASE)
    context = MockContext(
        system="pasis",
        api_base=API_BASE,
        clock=clock,
        render_error=render_pasis_error,
        admin=admin,
        admin_token=admin_token,
    )
    app = assemble_app(context, routes, [api_key_middleware(api_key)])
    app[PASIS_STATE] = state
    if demo_data:
        admin.load_now(admin.demo_scenario())
    return app


@dataclass(frozen=True)
class PasisServer(MockServer):
    """A running PASiS mock."""

    @property
    def state(self) -> PasisState:
        """The mock's in-memory state."""
        return self.app[PASIS_STATE]

    @property
    def api_key(self) -> str:
        """The API key the mock expects."""
        return self.state.api_key

    @property
    def headers(self) -> dict[str, str]:
        """Headers that authenticate a request."""
        return {API_KEY_HEADER: self.api_key}


@asynccontextmanager
async def run_pasis(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str = DEFAULT_API_KEY,
    now: datetime | None = None,
    demo_data: bool = False,
    admin_token: str | None = None,
) -> AsyncIterator[PasisServer]:
    """Serve a PASiS mock in the running event loop until the block ends."""
    app = create_pasis_app(api_key=api_key, now=now, demo_data=demo_data, admin_token=admin_token)
    async with serve(app, host, port) as url:
        yield PasisServer(
            system="pasis",
            url=url,
            app=app,
            credentials={"header": API_KEY_HEADER, "api_key": api_key},
        )
