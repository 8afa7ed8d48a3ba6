"""Create and run the PMO mock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from ..kit import MockClock, MockContext, MockServer, assemble_app, serve
from .admin import PmoAdmin
from .api import API_BASE, routes
from .errors import render_pmo_error
from .idempotency import idempotency_middleware
from .model import PmoState
from .oauth import PMO_STATE, TOKEN_PATH, bearer_middleware, token_routes

DEFAULT_CLIENT_ID = "tidbok"
DEFAULT_CLIENT_SECRET = "pmo-dev-secret"
DEFAULT_TOKEN_LIFETIME = 300


def create_pmo_app(
    *,
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str = DEFAULT_CLIENT_SECRET,
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
    now: datetime | None = None,
    demo_data: bool = False,
    admin_token: str | None = None,
) -> web.Application:
    """A PMO mock app; ``now`` freezes its clock, ``demo_data`` seeds the demo schedule,
    ``admin_token`` protects the admin API."""
    clock = MockClock(now)
    state = PmoState(clock=clock, clients={client_id: client_secret}, token_lifetime=token_lifetime)
    admin = PmoAdmin(state, API_BASE)
    context = MockContext(
        system="pmo",
        api_base=API_BASE,
        clock=clock,
        render_error=render_pmo_error,
        admin=admin,
        admin_token=admin_token,
    )
    inner = [
        bearer_middleware(state),
        idempotency_middleware(state.idempotency, clock, render_pmo_error, frozenset({TOKEN_PATH})),
    ]
    app = assemble_app(context, [*token_routes, *routes], inner)
    app[PMO_STATE] = state
    if demo_data:
        admin.load_now(admin.demo_scenario())
    return app


@dataclass(frozen=True)
class PmoServer(MockServer):
    """A running PMO mock."""

    @property
    def state(self) -> PmoState:
        """The mock's in-memory state."""
        return self.app[PMO_STATE]

    @property
    def client_id(self) -> str:
        """The OAuth client id the mock accepts."""
        return str(self.credentials["client_id"])

    @property
    def client_secret(self) -> str:
        """The OAuth client secret the mock accepts."""
        return str(self.credentials["client_secret"])

    @property
    def token_url(self) -> str:
        """Where to fetch access tokens."""
        return self.url + TOKEN_PATH


@asynccontextmanager
async def run_pmo(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    client_id: str = DEFAULT_CLIENT_ID,
    client_secret: str = DEFAULT_CLIENT_SECRET,
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME,
    now: datetime | None = None,
    demo_data: bool = False,
    admin_token: str | None = None,
) -> AsyncIterator[PmoServer]:
    """Serve a PMO mock in the running event loop until the block ends."""
    app = create_pmo_app(
        client_id=client_id,
        client_secret=client_secret,
        token_lifetime=token_lifetime,
        now=now,
        demo_data=demo_data,
        admin_token=admin_token,
    )
    async with serve(app, host, port) as url:
        yield PmoServer(
            system="pmo",
            url=url,
            app=app,
            credentials={
                "token_url": url + TOKEN_PATH,
                "client_id": client_id,
                "client_secret": client_secret,
            },
        )
