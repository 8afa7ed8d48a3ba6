"""Gateway throughput, the booking race and the gateway's peak memory.

The gateway (with the mock PASiS in its process) runs as a subprocess, ``gateway_server.py``; the
load comes from this process over loopback. Figures:

* slot searches and bookings per second, with p50 and p99 latency;
* the race: 1,000 citizens at once booking 100 slots (10 per slot) on a freshly started gateway
  (its own process, no warm-up): exactly 100 bookings in the appointment book, 900 slot-taken
  answers, no duplicates, no server errors, all within 2 s;
* the gateway process's peak RSS (VmHWM) after the throughput runs.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import aiohttp
import httpx
from common import BenchResult, p50, percentile, personnummer
from gateway_scenario import (
    AUDIENCE,
    BOOK_SLOTS,
    BOOK_UNIT,
    NOW,
    RACE_SLOTS,
    RACE_UNIT,
    SEARCH_UNIT,
    SECRET,
    slot_id,
)

from tidbok.gateway import issue_token

SERVER = Path(__file__).resolve().parent / "gateway_server.py"
CONCURRENCY = 16
RACE_CITIZENS = 1_000


def token(citizen: str) -> str:
    return issue_token(SECRET, citizen, audience=AUDIENCE, expires_at=NOW + timedelta(hours=2))


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def start_server() -> tuple[asyncio.subprocess.Process, dict[str, str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(SERVER), stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    if not line:
        raise RuntimeError("the gateway server exited before it listened")
    return process, json.loads(line)


async def closed_loop(
    client: httpx.AsyncClient, seconds: float, request: object, limit: int | None = None
) -> tuple[list[float], Counter[int], float]:
    """``CONCURRENCY`` workers calling ``request(client, n)`` for ``seconds`` or ``limit`` calls."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    counter = iter(range(limit if limit is not None else 10**9))
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            number = next(counter, None)
            if number is None:
                return
            started = time.perf_counter()
            response = await request(client, number)  # type: ignore[operator]
            latencies.append(time.perf_counter() - started)
            statuses[response.status_code] += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return latencies, statuses, time.perf_counter() - began


async def run(seconds: float = 5.0) -> list[BenchResult]:
    throughput = BenchResult(f"gateway throughput ({CONCURRENCY} concurrent clients, loopback)")
    memory = BenchResult("memory: the gateway process (mock PASiS in-process)")
    process, info = await start_server()
    try:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=info["url"], limits=limits, timeout=30) as client:
            search_headers = {"Authorization": f"Bearer {token('191212121212')}"}

            async def search(client: httpx.AsyncClient, number: int) -> httpx.Response:
                return await client.get(f"/v1/units/{SEARCH_UNIT}/slots", headers=search_headers)

            tokens = [token(personnummer(n)) for n in range(BOOK_SLOTS)]

            async def book(client: httpx.AsyncClient, number: int) -> httpx.Response:
                return await client.post(
                    "/v1/bookings",
                    json={
                        "unit": BOOK_UNIT,
                        "slot_id": slot_id(BOOK_UNIT, number),
                        "accept_terms": True,
                    },
                    headers={"Authorization": f"Bearer {tokens[number]}"},
                )

            first = await search(client, 0)
            first.raise_for_status()
            await closed_loop(client, 1.0, search)  # warm up
            for name, request, limit in (
                ("slot searches", search, None),
                ("bookings", book, BOOK_SLOTS),
            ):
                latencies, statuses, elapsed = await closed_loop(client, seconds, request, limit)
                ok = sum(count for status, count in statuses.items() if status < 300)
                throughput.add(f"{name} per second", ok / elapsed, "/s")
                throughput.add(f"{name} p50", p50(latencies) * 1000, "ms")
                throughput.add(
                    f"{name} p99",
                    percentile(latencies, 0.99) * 1000,
                    "ms",
                    "< 3000 ms (SLA: 95 % < 3 s)",
                    percentile(latencies, 0.99) < 3,
                )
                throughput.add(
                    f"{name} answers", ", ".join(f"{s}: {c}" for s, c in sorted(statuses.items()))
                )
                throughput.data[name] = {
                    "seconds": elapsed,
                    "statuses": dict(statuses),
                    "latencies": latencies,
                }
            throughput.notes.append(
                f"slot search: {len(first.json()['slots'])} slots over 14 days per answer; "
                "bookings: each by another citizen, outbox message written "
                "(SQLite, synchronous=FULL)"
            )
        memory.add("peak RSS after throughput", peak_rss_mib(process.pid), "MiB")
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
    return [throughput, await run_race(), memory]


async def race_answers(url: str) -> tuple[list[tuple[int, str]], float]:
    """Every citizen's (status, error code) for one booking attempt, all sent at once, and the
    seconds until the last answer. The load comes over aiohttp, one connection per citizen."""
    race_tokens = [token(personnummer(10_000 + n)) for n in range(RACE_CITIZENS)]
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as session:

        async def attempt(number: int) -> tuple[int, str]:
            async with session.post(
                "/v1/bookings",
                json={
                    "unit": RACE_UNIT,
                    "slot_id": slot_id(RACE_UNIT, number % RACE_SLOTS),
                    "accept_terms": True,
                },
                headers={"Authorization": f"Bearer {race_tokens[number]}"},
            ) as answer:
                body = await answer.read()
                if answer.status < 400:
                    return answer.status, ""
                try:
                    return answer.status, str(json.loads(body).get("code", "?"))
                except ValueError:
                    return answer.status, "not JSON"

        began = time.perf_counter()
        answers = await asyncio.gather(
            *(attempt(n) for n in range(RACE_CITIZENS)), return_exceptions=True
        )
        seconds = time.perf_counter() - began
    return [a if isinstance(a, tuple) else (0, type(a).__name__) for a in answers], seconds


async def run_race() -> BenchResult:
    """The race on a freshly started gateway: no warm-up, no connection to the backend yet."""
    race = BenchResult(
        f"race: {RACE_CITIZENS} citizens booking {RACE_SLOTS} slots at once, fresh gateway"
    )
    process, info = await start_server()
    try:
        answers, race_seconds = await race_answers(info["url"])
        statuses = Counter(status for status, _ in answers)
        codes = Counter(code for status, code in answers if status >= 400)
        async with httpx.AsyncClient(base_url=info["mock_admin"], timeout=30) as admin:
            entries = (await admin.get("/appointment-book", params={"unit": RACE_UNIT})).json()[
                "entries"
            ]
        slots_booked = Counter(
            str(entry.get("slot") or entry.get("slot_id") or entry.get("tidId"))
            for entry in entries
        )
        duplicates = sum(count - 1 for count in slots_booked.values() if count > 1)
        server_errors = sum(c for s, c in statuses.items() if s == 0 or s >= 500)
        race.add(
            "bookings in the appointment book",
            len(entries),
            "",
            f"= {RACE_SLOTS}",
            len(entries) == RACE_SLOTS,
        )
        race.add(
            "201 created",
            statuses.get(201, 0),
            "",
            f"= {RACE_SLOTS}",
            statuses.get(201, 0) == RACE_SLOTS,
        )
        taken = codes.get("slot_taken", 0)
        race.add(
            "slot-taken answers",
            taken,
            "",
            f"= {RACE_CITIZENS - RACE_SLOTS}",
            taken == RACE_CITIZENS - RACE_SLOTS,
        )
        race.add("duplicates (a slot booked twice)", duplicates, "", "= 0", duplicates == 0)
        race.add("server errors / transport errors", server_errors, "", "= 0", server_errors == 0)
        race.add(f"time for all {RACE_CITIZENS:,}", race_seconds, "s", "< 2 s", race_seconds < 2)
        race.add("answers", ", ".join(f"{s}: {c}" for s, c in sorted(statuses.items())))
        race.add("refusals", ", ".join(f"{code}: {count}" for code, count in sorted(codes.items())))
        race.data = {
            "statuses": {str(k): v for k, v in statuses.items()},
            "codes": dict(codes),
            "seconds": race_seconds,
        }
        race.notes.append(
            "a freshly started gateway (no warm-up); the citizens connect over aiohttp so the "
            "load generator's own pool does not slow the figure"
        )
        race.add("gateway peak RSS after the race", peak_rss_mib(process.pid), "MiB")
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
    return race
