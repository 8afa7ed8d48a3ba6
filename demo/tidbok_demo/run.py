"""Start the mocks, the inbox and the gateway on loopback; tell the demo's story against them."""

from __future__ import annotations

import json
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tidbok.clock import Clock, FrozenClock, SystemClock
from tidbok.gateway.auth import issue_token
from tidbok.gateway.runner import RunningGateway, start_gateway
from tidbok.lifecycle import stop_event
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings
from tidbok_demo.story import DEMO_MARGIN, Say, Story
from tidbok_mocks import PasisServer, PmoServer, run_pasis, run_pmo
from tidbok_mocks.common.demo import DEMO_CITIZEN
from tidbok_mocks.inbox.server import InboxServer, running_inbox
from tidbok_mocks.pasis import demo as pasis_demo
from tidbok_mocks.pmo import demo as pmo_demo

CASE_TYPES = {
    pasis_demo.TENSTA: ("book", "manage"),
    pasis_demo.SOLNA: ("book", "manage"),
    pmo_demo.RINKEBY: ("book", "manage"),
    pmo_demo.KISTA: ("view",),
}
"""The services each demo unit has activated on 1177 (R5): Kista only shows booked times."""

TERMS = (
    "Tiden är bokad när du fått en bekräftelse i din inkorg. Avboka senast 24 timmar innan om du "
    "inte kan komma."
)


@dataclass(frozen=True)
class DemoBackends:
    """URLs and credentials of the mock systems the demo started."""

    pasis_url: str
    pasis_api_key: str
    pmo_url: str
    pmo_client_id: str
    pmo_client_secret: str
    pmo_token_url: str
    inbox_url: str


def demo_settings(backends: DemoBackends, outbox: Path, jwt_secret: str) -> TidbokSettings:
    """Settings for the demo: four units on two systems, the gateway on a free port."""
    units: list[dict[str, Any]] = []
    for backend, scenario_units in (
        ("pasis-demo", pasis_demo.UNITS),
        ("pmo-demo", pmo_demo.UNITS),
    ):
        for unit in scenario_units:
            units.append(
                {
                    "hsa_id": unit["id"],
                    "name": unit["name"],
                    "backend": backend,
                    "case_types": [
                        {"kind": kind, "terms": TERMS} for kind in CASE_TYPES[unit["id"]]
                    ],
                }
            )
    return TidbokSettings(
        backends={
            "pasis-demo": {
                "system": "pasis",
                "base_url": backends.pasis_url,
                "credentials": {"api_key": backends.pasis_api_key},
            },
            "pmo-demo": {
                "system": "pmo",
                "base_url": backends.pmo_url,
                "credentials": {
                    "client_id": backends.pmo_client_id,
                    "client_secret": backends.pmo_client_secret,
                    "token_url": backends.pmo_token_url,
                },
            },
        },
        units=units,
        gateway={
            "port": 0,
            "test_environment": True,
            "jwt_secret": jwt_secret,
            "outbox_path": str(outbox),
            "inbox_url": backends.inbox_url,
            "delivery_poll_interval": 0.2,
            "delivery_backoff_initial": 0.1,
        },
    )


def token_config(folder: Path, settings: TidbokSettings) -> Path:
    """A settings file with just what ``tidbok token`` needs to sign tokens for the demo gateway."""
    gateway = settings.gateway
    secret = gateway.jwt_secret.get_secret_value() if gateway.jwt_secret is not None else ""
    path = folder / "tidbok-token.toml"
    path.write_text(
        "# The demo gateway's token settings (a test environment), for `tidbok token`.\n"
        "[gateway]\n"
        "test_environment = true\n"
        f"jwt_secret = {json.dumps(secret)}\n"
        f"jwt_audience = {json.dumps(gateway.jwt_audience)}\n"
        + (f"jwt_issuer = {json.dumps(gateway.jwt_issuer)}\n" if gateway.jwt_issuer else ""),
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


@dataclass(frozen=True)
class DemoWorld:
    """Everything the demo started: the mocks, the inbox, the service and its gateway."""

    pasis: PasisServer
    pmo: PmoServer
    inbox: InboxServer
    settings: TidbokSettings
    service: BookingService
    gateway: RunningGateway
    folder: Path
    """A private temporary folder (the outbox, the token settings); deleted with the world."""

    def token(self, citizen: str, expires_at: datetime) -> str:
        """A bearer token for ``citizen`` (a personal identity number), signed for this gateway."""
        gateway = self.settings.gateway
        secret = gateway.jwt_secret.get_secret_value() if gateway.jwt_secret is not None else ""
        return issue_token(secret, citizen, audience=gateway.jwt_audience, expires_at=expires_at)


@asynccontextmanager
async def running_demo(clock: Clock) -> AsyncIterator[DemoWorld]:
    """Mock PASiS, mock PMO, a mock inbox and the gateway on loopback, with the demo's data.

    The mocks run on the demo's clock: a frozen clock freezes them at the same instant.
    """
    frozen_at = clock.now() if isinstance(clock, FrozenClock) else None
    async with AsyncExitStack() as stack:
        pasis = await stack.enter_async_context(run_pasis(demo_data=True, now=frozen_at))
        pmo = await stack.enter_async_context(run_pmo(demo_data=True, now=frozen_at))
        inbox = await stack.enter_async_context(running_inbox())
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tidbok-demo-")))
        backends = DemoBackends(
            pasis_url=pasis.api_url,
            pasis_api_key=pasis.api_key,
            pmo_url=pmo.url,
            pmo_client_id=pmo.client_id,
            pmo_client_secret=pmo.client_secret,
            pmo_token_url=pmo.token_url,
            inbox_url=inbox.url,
        )
        settings = demo_settings(backends, folder / "outbox.sqlite3", secrets.token_urlsafe(32))
        service = await stack.enter_async_context(BookingService(settings, clock=clock))
        gateway = await stack.enter_async_context(await start_gateway(settings, service))
        yield DemoWorld(pasis, pmo, inbox, settings, service, gateway, folder)


async def run_demo(say: Say = print, serve: bool = False, clock: Clock | None = None) -> None:
    """Start everything on loopback, tell the story, and stop (or keep serving with ``serve``)."""
    clock = clock or SystemClock()
    async with AsyncExitStack() as stack:
        world = await stack.enter_async_context(running_demo(clock))
        pasis, pmo, inbox, gateway = world.pasis, world.pmo, world.inbox, world.gateway
        token = world.token(DEMO_CITIZEN, clock.now() + timedelta(hours=8))
        say(
            f"tidbok demo: gateway {gateway.url}, PASiS {pasis.url}, PMO {pmo.url}, "
            f"inbox {inbox.url}"
        )
        say("Medborgare: Tolvan Tolvansson (19121212-****)")
        api = await stack.enter_async_context(
            httpx.AsyncClient(
                base_url=gateway.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
        )
        admin = await stack.enter_async_context(
            httpx.AsyncClient(base_url=pasis.url + "/__admin", timeout=30)
        )

        def changeable_from(hsa_id: str) -> datetime:
            system = world.service.system_of(hsa_id)
            cutoff = system.rules.change_cutoff if system is not None else timedelta(0)
            return clock.now() + cutoff + DEMO_MARGIN

        await Story(api, admin, say, changeable_from).run()
        say("")
        say("Klart: hela berättelsen gick igenom mot det riktiga HTTP-API:t.")
        if serve:
            say("")
            say(f"Gateway:  {gateway.url}   (OpenAPI: {gateway.url}/openapi.json)")
            say("Try, in another shell (the token is Tolvan's, valid 8 hours):")
            say(f"  export TOKEN={token}")
            say(f'  curl -H "Authorization: Bearer $TOKEN" {gateway.url}/v1/bookings')
            say("Another token (another citizen, an agent with --act HSA-ID, --minutes N):")
            config = token_config(world.folder, world.settings)
            say(f"  tidbok token --sub {DEMO_CITIZEN} --config {config}")
            say("Ctrl-C stops everything.")
            await stop_event().wait()
