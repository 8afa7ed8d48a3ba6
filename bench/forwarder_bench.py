"""The gateway's slot searches per second against a bare aiohttp forwarder's (the floor).

Both servers run as their own process with the mock PASiS in-process and the same scenario
(``gateway_server.py``, ``forwarder_server.py``); the load comes from this process: the same
closed loop of 16 concurrent clients on the same unit, one server after the other. The forwarder
makes the same backend call as the gateway's PASiS plugin, but verifies no token, applies no rule
and builds no model: what remains is the HTTP in and out that any Python gateway pays.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from common import BenchResult, p50, ratio, start_json_server, stop_server
from gateway_bench import CONCURRENCY, closed_loop
from gateway_scenario import AUDIENCE, NOW, SEARCH_SLOTS, SEARCH_UNIT, SECRET

from tidbok.gateway import issue_token

HERE = Path(__file__).resolve().parent
TARGET = 0.5


async def searches_per_second(script: str, seconds: float) -> tuple[float, float]:
    """Slot searches per second and their p50 (ms) on the server ``script`` starts."""
    process, info = await start_json_server(HERE / script)
    token = issue_token(
        SECRET, "191212121212", audience=AUDIENCE, expires_at=NOW + timedelta(hours=2)
    )
    headers = {"Authorization": f"Bearer {token}"}
    try:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=info["url"], limits=limits, timeout=30) as client:

            async def search(client: httpx.AsyncClient, number: int) -> httpx.Response:
                return await client.get(f"/v1/units/{SEARCH_UNIT}/slots", headers=headers)

            first = await search(client, 0)
            first.raise_for_status()
            if len(first.json()["slots"]) != SEARCH_SLOTS:
                raise RuntimeError(f"{script}: expected {SEARCH_SLOTS} slots, got {first.text}")
            await closed_loop(client, 1.0, search)  # both servers get the same warm-up
            latencies, statuses, elapsed = await closed_loop(client, seconds, search)
        if set(statuses) != {200}:
            raise RuntimeError(f"{script}: answers {dict(statuses)}")
        return len(latencies) / elapsed, p50(latencies) * 1000
    finally:
        await stop_server(process)


async def run(seconds: float = 5.0) -> BenchResult:
    result = BenchResult(
        f"gateway vs a bare aiohttp forwarder: slot searches ({CONCURRENCY} concurrent clients)"
    )
    forwarded, forwarded_p50 = await searches_per_second("forwarder_server.py", seconds)
    gateway, gateway_p50 = await searches_per_second("gateway_server.py", seconds)
    result.add("bare aiohttp forwarder (baseline)", forwarded, "/s")
    result.add("gateway", gateway, "/s")
    share = ratio(gateway, forwarded, "the gateway's slot searches per second")
    result.add("gateway / forwarder", share, "x", f">= {TARGET}x", share >= TARGET)
    result.add("forwarder p50", forwarded_p50, "ms")
    result.add("gateway p50", gateway_p50, "ms")
    result.notes.append(
        "the gateway verifies the JWT, applies 1177's rules via BookingService and the PASiS "
        "plugin (models, visibility, window) and serialises its schema; the forwarder only "
        "forwards the same backend call"
    )
    result.data = {"forwarder": forwarded, "gateway": gateway}
    return result
