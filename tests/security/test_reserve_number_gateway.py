"""A citizen with a reserve number is served by every unit, through the gateway, over both mocks.

Fails on the old code: the gateway let ``19121212T123`` in, but both mocks refused it, so every
unit landed in ``failed_units`` (and a booking answered 502).
"""

from __future__ import annotations

import secrets
from contextlib import AsyncExitStack
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.gateway.auth import issue_token
from tidbok.gateway.runner import start_gateway
from tidbok.service import BookingService
from tidbok_demo.run import DemoBackends, demo_settings
from tidbok_mocks import run_pasis, run_pmo
from tidbok_mocks.inbox.server import running_inbox

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)


async def test_a_reserve_number_reads_bookings_and_invitations_at_every_unit(
    tmp_path: Path,
) -> None:
    clock = FrozenClock(NOW)
    async with AsyncExitStack() as stack:
        pasis = await stack.enter_async_context(run_pasis(demo_data=True, now=NOW))
        pmo = await stack.enter_async_context(run_pmo(demo_data=True, now=NOW))
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
        secret = secrets.token_urlsafe(32)
        settings = demo_settings(backends, tmp_path / "outbox.sqlite3", secret)
        service = await stack.enter_async_context(BookingService(settings, clock=clock))
        gateway = await stack.enter_async_context(await start_gateway(settings, service))
        token = issue_token(
            secret,
            "19121212T123",
            audience=settings.gateway.jwt_audience,
            expires_at=NOW + timedelta(hours=1),
        )
        api = await stack.enter_async_context(
            httpx.AsyncClient(
                base_url=gateway.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
        )
        for path in ("/v1/bookings", "/v1/invitations"):
            response = await api.get(path)
            assert response.status_code == 200, response.text
            assert response.json()["failed_units"] == [], path
