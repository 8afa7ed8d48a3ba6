"""Booking throughput of gateway replicas: 1 on SQLite, 1 and 2 on PostgreSQL, on this machine.

Everything runs here: mock PASiS as its own process (``python -m tidbok_mocks pasis``), a
PostgreSQL server from the ``pgserver`` wheel, each gateway as a real ``python -m tidbok serve
--config FILE`` process (``tests/gateway/processes.py``, the replica tests' settings without an
inbox, so each booking's outbox message waits in the store, as in the gateway benchmark), and the
load from this process: ``CONCURRENCY`` clients in a closed loop, each booking another slot as
another citizen, spread round-robin over the replicas (as a load balancer would).

Each configuration runs ``ROUNDS`` times, the configurations taking turns (each run on a fresh
store, after a warm-up), so that anything else the machine does falls on all of them alike; the
figure is the median run, and the ratios are against the one SQLite gateway of the same run.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import statistics
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from common import BenchResult, MockProcess, p50, percentile, personnummer, start_mock
from gateway_bench import CONCURRENCY, closed_loop

from tests.gateway.processes import PASIS_UNIT, SECRET, UNIT_NAMES, GatewayProcess, write_config
from tidbok.clock import STOCKHOLM
from tidbok.gateway import issue_token

ROUNDS = 3
SLOTS_PER_RUN = 4_000
CONFIGURATIONS = (("SQLite", 1), ("PostgreSQL", 1), ("PostgreSQL", 2))
"""(store, replicas); the first is the baseline of the ratios."""
QUIET = {"reconcile_interval": 30.0, "delivery_poll_interval": 5.0}
"""The settings' defaults for the background loops (the replica tests shorten them)."""


async def _seed(mock: MockProcess, now: datetime, slots: int) -> None:
    """The unit, its time type and ``slots`` slots ``R-0``, ``R-1``, ... from two days on."""
    await mock.admin(
        "POST",
        "/scenario",
        {
            "units": [{"id": PASIS_UNIT, "name": UNIT_NAMES[PASIS_UNIT]}],
            "time_types": [{"id": "TTR", "unit": PASIS_UNIT, "name": "Läkarbesök", "level": 4}],
        },
    )
    async with httpx.AsyncClient(base_url=mock.admin_url, timeout=60) as admin:
        for first in range(0, slots, 200):
            answers = await asyncio.gather(
                *(
                    admin.post(
                        "/slots",
                        json={
                            "id": f"R-{index}",
                            "unit": PASIS_UNIT,
                            "time_type": "TTR",
                            "start": (
                                now + timedelta(days=2 + index // 40, minutes=15 * (index % 40))
                            ).isoformat(),
                        },
                    )
                    for index in range(first, min(first + 200, slots))
                )
            )
            for answer in answers:
                answer.raise_for_status()


async def _measure(
    urls: list[str], first_slot: int, seconds: float, warmup: float
) -> dict[str, Any]:
    """Book in ``closed_loop`` for ``warmup`` seconds (not counted), then for ``seconds``."""
    slots = itertools.count(first_slot)
    expires = datetime.now(STOCKHOLM) + timedelta(hours=2)

    async def book(client: httpx.AsyncClient, _: int) -> httpx.Response:
        number = next(slots)
        if number >= first_slot + SLOTS_PER_RUN:
            raise RuntimeError(f"out of slots: raise SLOTS_PER_RUN ({SLOTS_PER_RUN})")
        token = issue_token(SECRET, personnummer(number), audience="tidbok", expires_at=expires)
        return await client.post(
            urls[number % len(urls)] + "/v1/bookings",
            json={"unit": PASIS_UNIT, "slot_id": f"R-{number}", "accept_terms": True},
            headers={"Authorization": f"Bearer {token}"},
        )

    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await closed_loop(client, warmup, book)
        latencies, statuses, elapsed = await closed_loop(client, seconds, book)
    return {
        "per_second": statuses.get(201, 0) / elapsed,
        "latencies": latencies,
        "statuses": dict(statuses),
        "seconds": elapsed,
    }


def _name(kind: str, replicas: int) -> str:
    return f"{replicas} gateway{'s' if replicas > 1 else ''}, {kind}"


async def run(seconds: float = 3.0, warmup: float = 0.5, rounds: int = ROUNDS) -> BenchResult:
    result = BenchResult(
        f"replicas: bookings per second, {CONCURRENCY} clients round-robin over the gateways"
    )
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="tidbok-bench-run-"))
    import pgserver
    import psycopg

    now = datetime.now(STOCKHOLM).replace(minute=0, second=0, microsecond=0)
    runs: dict[str, list[dict[str, Any]]] = {_name(*config): [] for config in CONFIGURATIONS}
    with tempfile.TemporaryDirectory(prefix="tidbok-bench-replicas-") as tmp:
        folder = Path(tmp)
        server = pgserver.get_server(folder / "pg", cleanup_mode="stop")
        mock = await start_mock("pasis", now)
        try:
            await _seed(mock, now, SLOTS_PER_RUN * rounds * len(CONFIGURATIONS))
            number = itertools.count()
            for turn in range(rounds):
                # Each round starts with another configuration, so no one always runs first.
                order = CONFIGURATIONS[turn:] + CONFIGURATIONS[:turn]
                for kind, replicas in order:
                    run_number = next(number)
                    store = str(folder / f"gateway-{run_number}.sqlite3")
                    if kind == "PostgreSQL":
                        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
                            conn.execute(f"CREATE DATABASE bench_{run_number}".encode())
                        store = str(server.get_uri(f"bench_{run_number}"))
                    config = folder / f"tidbok-{run_number}.toml"
                    write_config(config, mock, None, None, store, **QUIET)
                    gateways = [
                        GatewayProcess(config, folder / f"gateway-{run_number}-{n}.log", "WARNING")
                        for n in range(replicas)
                    ]
                    try:
                        await asyncio.gather(*(gateway.start() for gateway in gateways))
                        urls = [gateway.url for gateway in gateways]
                        first_slot = run_number * SLOTS_PER_RUN
                        figures = await _measure(urls, first_slot, seconds, warmup)
                    finally:
                        await asyncio.gather(*(gateway.stop() for gateway in gateways))
                    runs[_name(kind, replicas)].append(figures)
        finally:
            await mock.stop()
            with contextlib.suppress(Exception):
                server.cleanup()
    baseline = statistics.median(r["per_second"] for r in runs[_name(*CONFIGURATIONS[0])])
    for name, measured in runs.items():
        rates = [r["per_second"] for r in measured]
        latencies = [latency for r in measured for latency in r["latencies"]]
        statuses: Counter[int] = Counter()
        for r in measured:
            statuses.update(r["statuses"])
        median = statistics.median(rates)
        result.add(f"{name}: bookings per second (median)", median, "/s")
        result.add(f"{name}: ratio to 1 gateway on SQLite", median / baseline, "x")
        result.add(f"{name}: each run", ", ".join(f"{rate:.0f}" for rate in rates), "/s")
        result.add(
            f"{name}: p50 / p99",
            f"{p50(latencies) * 1000:.1f} / {percentile(latencies, 0.99) * 1000:.1f} ms",
        )
        result.add(f"{name}: answers", ", ".join(f"{s}: {c}" for s, c in sorted(statuses.items())))
        result.data[name] = measured
    result.notes.append(
        f"{os.cpu_count()} CPUs shared by the gateways, mock PASiS, PostgreSQL and the load "
        f"generator; {rounds} runs of {seconds:g} s per configuration (each after {warmup:g} s "
        "of warm-up, on a fresh store), taking turns"
    )
    return result
