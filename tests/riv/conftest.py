"""Fixtures: the gateway with the crm:scheduling producer on, over the PASiS and PMO mocks.

The mocks carry the demo's data (units, time types, a week of slots, the citizen's bookings and,
at PASiS, an open invitation) and run on the same frozen clock as the service. Calls go over a
real loopback socket; the mocks' admin API shows each backend's appointment book.
"""

from __future__ import annotations

import secrets
import ssl
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio

from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.crm.envelope import SoapFault, read_response, write_request
from tidbok.crm.namespaces import OPERATIONS
from tidbok.crm.types import Actor, ActorType
from tidbok.crm.xml import XmlType
from tidbok.gateway.runner import RunningGateway, start_gateway
from tidbok.service import BookingService
from tidbok.settings import RivSettings, TidbokSettings, TlsSettings
from tidbok_demo.run import DemoBackends, demo_settings
from tidbok_mocks import PasisServer, PmoServer, run_pasis, run_pmo
from tidbok_mocks.common.demo import DEMO_CITIZEN
from tidbok_mocks.inbox.server import InboxServer, running_inbox
from tidbok_mocks.pasis import demo as pasis_demo
from tidbok_mocks.pmo import demo as pmo_demo

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
"""A Tuesday morning; the mocks and the service are frozen here."""
TENSTA = pasis_demo.TENSTA
"""A PASiS unit (book and manage activated; the citizen has an open invitation there)."""
RINKEBY = pmo_demo.RINKEBY
"""A PMO unit (book and manage activated)."""
KISTA = pmo_demo.KISTA
"""A PMO unit that only shows booked times (view)."""
CITIZEN = DEMO_CITIZEN
"""The demo's citizen, 191212121212."""
PREFIX = "/riv/crm/scheduling"


def endpoint(base: str, operation: str) -> str:
    """The URL of ``operation``'s endpoint on the gateway at ``base``."""
    return f"{base}{PREFIX}/{operation}/1/rivtabp21"


def citizen_actor(citizen: str = CITIZEN) -> Actor:
    """The Actor header of a citizen calling for themselves."""
    return Actor(actorId=citizen, actorType=ActorType.SUBJECT_OF_CARE)


@dataclass
class RivWorld:
    """The mocks, the inbox, the service and the gateway with the producer enabled."""

    pasis: PasisServer
    pmo: PmoServer
    inbox: InboxServer
    settings: TidbokSettings
    service: BookingService
    gateway: RunningGateway
    http: httpx.AsyncClient

    def url(self, operation: str) -> str:
        """The endpoint URL of ``operation``."""
        return endpoint(self.gateway.url, operation)

    async def post(
        self,
        operation: str,
        body: bytes,
        action: str | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST a raw envelope to ``operation``'s endpoint with its SOAPAction (and ``headers``),
        through ``http`` (a client with its own TLS context) or the world's client."""
        sent = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{action or OPERATIONS[operation].soap_action}"',
            **(headers or {}),
        }
        client = http or self.http
        return await client.post(self.url(operation), content=body, headers=sent)

    async def call(
        self,
        operation: str,
        unit: str,
        message: XmlType,
        actor: Actor | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Call ``operation`` at ``unit`` with tidbok's own envelope code; a fault is returned."""
        op = OPERATIONS[operation]
        body = write_request(op, unit, actor or citizen_actor(), message)
        response = await self.post(operation, body, http=http, headers=headers)
        try:
            return read_response(op, response.content)
        except SoapFault as fault:
            assert response.status_code == 500
            return fault

    async def appointment_book(self, unit: str, person: str = CITIZEN) -> list[dict[str, Any]]:
        """The unit's booked entries for ``person``, read from its mock's admin API."""
        admin = self.pasis.admin_url if unit == TENSTA else self.pmo.admin_url
        response = await self.http.get(f"{admin}/appointment-book", params={"unit": unit})
        response.raise_for_status()
        return [
            entry
            for entry in response.json()["entries"]
            if entry["person"] == person and entry["status"] == "booked"
        ]


async def open_world(
    stack: AsyncExitStack,
    folder: Path,
    *,
    now: datetime = NOW,
    tls: TlsSettings | None = None,
    verify: ssl.SSLContext | bool = True,
    **riv: Any,
) -> RivWorld:
    """Start everything on ``stack``, frozen at ``now``; ``riv`` overrides producer settings.

    With ``tls`` the gateway serves HTTPS with those ``[gateway.tls]`` settings and the producer
    keeps its default ``require_client_certificate = true``; the world's client verifies the
    gateway with ``verify`` (a context trusting the test CA). Without ``tls`` (plain HTTP) the
    producer asks for no client certificate.
    """
    pasis = await stack.enter_async_context(run_pasis(demo_data=True, now=now))
    pmo = await stack.enter_async_context(run_pmo(demo_data=True, now=now))
    inbox = await stack.enter_async_context(running_inbox())
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
    # plain HTTP cannot carry client certificates: the producer is told not to ask for one
    producer = {"enabled": True, **({} if tls else {"require_client_certificate": False}), **riv}
    gateway_settings = settings.gateway.model_copy(update={"tls": tls})
    settings = settings.model_copy(
        update={"riv": RivSettings(**producer), "gateway": gateway_settings}
    )
    service = await stack.enter_async_context(BookingService(settings, clock=FrozenClock(now)))
    gateway = await stack.enter_async_context(await start_gateway(settings, service))
    http = await stack.enter_async_context(httpx.AsyncClient(timeout=10, verify=verify))
    return RivWorld(pasis, pmo, inbox, settings, service, gateway, http)


@pytest_asyncio.fixture
async def world(tmp_path: Path) -> AsyncIterator[RivWorld]:
    """The producer over mock PASiS and mock PMO, frozen at :data:`NOW`."""
    async with AsyncExitStack() as stack:
        yield await open_world(stack, tmp_path)
