"""A citizen with a reserve number is served by every unit, through the gateway, over both mocks.

Fails on the old code: the gateway let ``19121212T123`` in, but both mocks refused it, so every
unit landed in ``failed_units`` (and a booking answered 502).
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import datetime, timedelta

import httpx

from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok_demo.run import running_demo

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)


async def test_a_reserve_number_reads_bookings_and_invitations_at_every_unit() -> None:
    async with AsyncExitStack() as stack:
        world = await stack.enter_async_context(running_demo(FrozenClock(NOW)))
        gateway = world.gateway
        token = world.token("19121212T123", NOW + timedelta(hours=1))
        api = await stack.enter_async_context(
            httpx.AsyncClient(
                base_url=gateway.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
        )
        for path in ("/v1/bookings", "/v1/invitations"):
            response = await api.get(path)
            assert response.status_code == 200, response.text
            assert response.json()["failed_units"] == [], path
