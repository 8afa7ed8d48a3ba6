"""Idle connections and half-sent request headers are closed (gateway, mocks, inbox).

Fails on the code before issue 12: the servers ran with aiohttp's default keep-alive timeout
(3630 s in aiohttp 3.14) and nothing else, so idle connections stayed open for an hour.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.gateway.conftest import make_settings, make_systems
from tidbok.gateway import start_gateway
from tidbok.service import BookingService
from tidbok_mocks.common.runner import serve
from tidbok_mocks.inbox.app import InboxState, create_inbox_app
from tidbok_mocks.pasis.app import create_pasis_app

TIMEOUT = 0.5
CONNECTIONS = 20


async def _closed_within(url: str, seconds: float) -> float:
    """Open idle and half-header connections; how long until the server closed them all."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    streams = [await asyncio.open_connection(host, port) for _ in range(CONNECTIONS)]
    for number, (_, writer) in enumerate(streams):
        if number % 2:  # every other one starts a request and never finishes its header
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: tidbok\r\nX-Slow: ")
            await writer.drain()
    started = time.monotonic()
    try:
        async with asyncio.timeout(seconds):
            for reader, _ in streams:
                assert await reader.read() == b""  # EOF: the server closed it
    finally:
        for _, writer in streams:
            writer.close()
    return time.monotonic() - started


async def test_the_gateway_closes_idle_connections(tmp_path: Path) -> None:
    systems = make_systems()
    settings = make_settings(tmp_path / "outbox.sqlite3", None, keepalive_timeout=TIMEOUT)
    async with BookingService(settings, registry=systems.registry) as service:
        gateway = await start_gateway(settings, service, port=0)
        async with gateway:
            assert await _closed_within(gateway.url, TIMEOUT + 2.0) <= TIMEOUT + 2.0


async def test_the_mocks_and_the_inbox_close_idle_connections() -> None:
    for app in (create_pasis_app(), create_inbox_app(InboxState())):
        async with serve(app, keepalive_timeout=TIMEOUT) as url:
            assert await _closed_within(url, TIMEOUT + 2.0) <= TIMEOUT + 2.0


def test_the_default_timeouts_are_short() -> None:
    from tidbok.settings import GatewaySettings
    from tidbok_mocks.common.runner import KEEPALIVE_TIMEOUT

    assert GatewaySettings().keepalive_timeout <= 15
    assert KEEPALIVE_TIMEOUT <= 15
