"""Booking throughput of gateway replicas: 1 on SQLite, 1 and 2 on PostgreSQL, on this machine.

Everything runs here: mock PASiS as its own process (``python -m tidbok_mocks pasis``), a
PostgreSQL server from the ``pgserver`` wheel, each gateway as a real ``python -m tidbok serve
--config FILE`` process (``tests/gateway/processes.py``), and the load from this process:
``CONCURRENCY`` clients in a closed loop, each booking another slot as another citizen, spread
round-robin over the replicas (as a load balancer would). Each configuration books its own
slots on one unit, after a warm-up, for the same number of seconds; the ratios are against the
one SQLite gateway measured in the same run. No inbox is configured: each booking writes its
activity intent, confirms it and writes its outbox message, where it waits (as in the gateway
benchmark).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from common import BenchResult, MockProcess, p50, percentile, personnummer, start_mock

from tests.gateway.processes import GatewayProcess
from tidbok.clock import STOCKHOLM
from tidbok.gateway import issue_token

CONCURRENCY = 16
SECRET = "bench-secret-that-is-long-enough-for-hs256"
AUDIENCE = "tidbok-bench"
UNIT = "SE2321000016-8101"
SLOTS_PER_RUN = 2_400
CONFIGURATIONS = (("SQLite", 1), ("PostgreSQL", 1), ("PostgreSQL", 2))
"""(store, replicas); the first is the baseline of the ratios."""


def _slots(now: datetime, runs: int) -> Iterator[dict[str, Any]]:
    for index in range(SLOTS_PER_RUN * runs):
        start = now + timedelta(days=2 + index // 40, minutes=15 * (index % 40))
        yield {"id": f"R-{index}", "unit": UNIT, "time_type": "TTR", "start": start.isoformat()}


async def _seed(mock: MockProcess, now: datetime, runs: int) -> None:
    await mock.admin(
        "POST",
        "/scenario",
        {
            "units": [{"id": UNIT, "name": "Vårdcentralen Repliker"}],
            "time_types": [{"id": "TTR", "unit": UNIT, "name": "Läkarbesök", "level": 4}],
        },
    )
    async with httpx.AsyncClient(base_url=mock.admin_url, timeout=60) as admin:
        slots = list(_slots(now, runs))
        for first in range(0, len(slots), 100):
            answers = await asyncio.gather(
                *(admin.post("/slots", json=slot) for slot in slots[first : first + 100])
            )
            for answer in answers:
                answer.raise_for_status()


def _config(path: Path, mock: MockProcess, store: str) -> None:
    """The gateways' settings: the SQLite file ``store``, or the PostgreSQL URL ``store``."""
    if store.startswith("postgresql://"):
        sqlite, postgres = "", f'[gateway.store]\nurl = "{store}"\n'
    else:
        sqlite, postgres = f'outbox_path = "{store}"\n', ""
    path.write_text(
        f"""[plugins]
allow = ["pasis"]

[backends.pasis]
system = "pasis"
base_url = "{mock.api_url}"
credentials = {{ api_key = "pasis-dev-key" }}

[[units]]
hsa_id = "{UNIT}"
name = "Vårdcentralen Repliker"
backend = "pasis"
case_types = [{{ kind = "book" }}]

[gateway]
port = 0
jwt_secret = "{SECRET}"
jwt_audience = "{AUDIENCE}"
{sqlite}
{postgres}""",
        encoding="utf-8",
    )


async def _measure(
    urls: list[str], first_slot: int, seconds: float, warmup: float
) -> dict[str, Any]:
    """Book in a closed loop for ``warmup`` seconds (not counted), then ``seconds``."""
    numbers = itertools.count(first_slot)
    end = first_slot + SLOTS_PER_RUN
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    expires = datetime.now(STOCKHOLM) + timedelta(hours=2)

    async def loop(client: httpx.AsyncClient, until: float, record: bool) -> None:
        while time.perf_counter() < until:
            number = next(numbers)
            if number >= end:
                raise RuntimeError(f"out of slots: raise SLOTS_PER_RUN ({SLOTS_PER_RUN})")
            citizen = personnummer(number)
            token = issue_token(SECRET, citizen, audience=AUDIENCE, expires_at=expires)
            started = time.perf_counter()
            answer = await client.post(
                urls[number % len(urls)] + "/v1/bookings",
                json={"unit": UNIT, "slot_id": f"R-{number}", "accept_terms": True},
                headers={"Authorization": f"Bearer {token}"},
            )
            if record:
                latencies.append(time.perf_counter() - started)
                statuses[answer.status_code] += 1

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        warm_until = time.perf_counter() + warmup
        await asyncio.gather(*(loop(client, warm_until, False) for _ in range(CONCURRENCY)))
        began = time.perf_counter()
        until = began + seconds
        await asyncio.gather(*(loop(client, until, True) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - began
    created = statuses.get(201, 0)
    return {
        "per_second": created / elapsed,
        "p50_ms": p50(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "statuses": dict(statuses),
        "seconds": elapsed,
    }


async def run(seconds: float = 5.0, warmup: float = 1.0) -> BenchResult:
    result = BenchResult(
        f"replicas: bookings per second, {CONCURRENCY} clients round-robin over the gateways"
    )
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="tidbok-bench-run-"))
    import pgserver
    import psycopg

    now = datetime.now(STOCKHOLM).replace(minute=0, second=0, microsecond=0)
    with tempfile.TemporaryDirectory(prefix="tidbok-bench-replicas-") as tmp:
        folder = Path(tmp)
        server = pgserver.get_server(folder / "pg", cleanup_mode="stop")
        mock = await start_mock("pasis", now)
        try:
            await _seed(mock, now, len(CONFIGURATIONS))
            baseline: float | None = None
            for number, (kind, replicas) in enumerate(CONFIGURATIONS):
                store = str(folder / f"gateway-{number}.sqlite3")
                if kind == "PostgreSQL":
                    database = f"bench_{number}"
                    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
                        conn.execute(f"CREATE DATABASE {database}".encode())
                    store = str(server.get_uri(database))
                config = folder / f"tidbok-{number}.toml"
                _config(config, mock, store)
                gateways = [
                    GatewayProcess(config, folder / f"gateway-{number}-{n}.log", "WARNING")
                    for n in range(replicas)
                ]
                try:
                    await asyncio.gather(*(gateway.start() for gateway in gateways))
                    figures = await _measure(
                        [gateway.url for gateway in gateways],
                        number * SLOTS_PER_RUN,
                        seconds,
                        warmup,
                    )
                finally:
                    await asyncio.gather(*(gateway.stop() for gateway in gateways))
                name = f"{replicas} gateway{'s' if replicas > 1 else ''}, {kind}"
                rate = figures["per_second"]
                baseline = baseline or rate
                result.add(f"{name}: bookings per second", rate, "/s")
                result.add(f"{name}: ratio to 1 gateway on SQLite", rate / baseline, "x")
                result.add(
                    f"{name}: p50 / p99",
                    f"{figures['p50_ms']:.1f} / {figures['p99_ms']:.1f} ms",
                )
                answers = ", ".join(f"{s}: {c}" for s, c in sorted(figures["statuses"].items()))
                result.add(f"{name}: answers", answers)
                result.data[name] = figures
        finally:
            await mock.stop()
            with contextlib.suppress(Exception):
                server.cleanup()
    result.notes.append(
        f"{os.cpu_count()} CPUs shared by the gateways, mock PASiS, PostgreSQL and the load "
        f"generator; {seconds:g} s per configuration after {warmup:g} s of warm-up"
    )
    return result
