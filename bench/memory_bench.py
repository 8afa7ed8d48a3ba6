"""The gateway's memory with 200 backends (a region's units, each on its own backend).

``gateway_server.py --backends 200`` runs as its own process: the scenario's units plus 200 more,
each on its own PASiS backend (own adapter, connection pool and breaker; all on the in-process
mock). Figures: resident memory once it listens, and the peak after every backend has served a
slot search (so every pool holds a connection). Target: < 150 MiB.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import httpx
from common import BenchResult, peak_rss_mib, start_json_server, stop_server
from gateway_scenario import AUDIENCE, NOW, SECRET, extra_units

from tidbok.gateway import issue_token

SERVER = Path(__file__).resolve().parent / "gateway_server.py"
BACKENDS = 200
TARGET_MIB = 150.0


async def run(backends: int = BACKENDS) -> BenchResult:
    result = BenchResult(f"memory: the gateway process with {backends} backends")
    began = time.perf_counter()
    process, info = await start_json_server(SERVER, "--backends", str(backends))
    started = time.perf_counter() - began
    try:
        idle = peak_rss_mib(process.pid, "VmRSS")
        token = issue_token(
            SECRET, "191212121212", audience=AUDIENCE, expires_at=NOW + timedelta(hours=2)
        )
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=info["url"], timeout=60) as client:
            units = list(extra_units(backends))
            statuses: set[int] = set()
            for first in range(0, len(units), 50):
                answers = await asyncio.gather(
                    *(
                        client.get(f"/v1/units/{unit}/slots", headers=headers)
                        for unit in units[first : first + 50]
                    )
                )
                statuses.update(answer.status_code for answer in answers)
        if statuses != {200}:
            raise RuntimeError(f"slot searches answered {statuses}")
        peak = peak_rss_mib(process.pid)
        result.add("start-up until listening", started, "s")
        result.add("RSS once listening", idle, "MiB")
        result.add(
            f"peak RSS after a search on each of the {backends} backends",
            peak,
            "MiB",
            f"< {TARGET_MIB:.0f} MiB",
            peak < TARGET_MIB,
        )
        result.notes.append("the mock PASiS runs inside the gateway's process (its memory counts)")
        result.data = {"idle_mib": idle, "peak_mib": peak, "startup_s": started}
    finally:
        await stop_server(process)
    return result
