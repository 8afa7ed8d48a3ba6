"""crm:scheduling GetAvailableTimeslots over SOAP against the same slot search over REST v1.

One gateway process (``riv_server.py``: the producer on, mock PASiS and mock PMO in-process with
the demo's data) serves both; the load comes from this process over loopback. For a PASiS unit
and a PMO unit the same citizen searches the same two weeks:

* REST: ``GET /v1/units/{unit}/slots?from=…&to=…`` with a bearer token;
* SOAP: ``POST {prefix}/GetAvailableTimeslots/1/rivtabp21`` with the envelope that
  :func:`tidbok.crm.envelope.write_request` builds (``LogicalAddress`` the unit, ``Actor`` the
  citizen) and its SOAPAction.

Both answers are read once and must hold the same slots (count, start and end); every timed
answer must then be byte-identical to the checked one. Figures, each kind measured in the same
run on the same process, alternating so drift hits both alike:

* latency, one client, the two kinds alternating (and which goes first alternating too), several
  repetitions: p50 and p95 of each and their ratio SOAP / REST (target at most 1.3x on p50);
* throughput, 16 concurrent clients, the two kinds in alternating blocks (ABBA) over several
  repetitions: searches per second and the ratio SOAP / REST (target at least 1 / 1.3).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from common import BenchResult, p50, percentile
from gateway_bench import CONCURRENCY, closed_loop
from riv_scenario import CITIZEN, FIRST_DAY, LAST_DAY, NOW, PREFIX, UNITS, period

from tidbok.crm.envelope import read_response, write_request
from tidbok.crm.messages import GetAvailableTimeslots, GetAvailableTimeslotsResponse
from tidbok.crm.namespaces import OPERATIONS
from tidbok.crm.times import format_timestamp
from tidbok.crm.types import Actor, ActorType
from tidbok.gateway import issue_token

SERVER = Path(__file__).resolve().parent / "riv_server.py"
TARGET = 1.3
OPERATION = OPERATIONS["GetAvailableTimeslots"]
MIN_SLOTS = 20
"""A realistic search answers dozens of slots; fewer means the demo data changed."""

Request = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def start_server() -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(SERVER), stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
    if not line:
        raise RuntimeError("the crm:scheduling gateway server exited before it listened")
    return process, json.loads(line)


def rest_request(unit: str, info: dict[str, Any]) -> Request:
    """The REST v1 slot search of the two weeks, with the citizen's bearer token."""
    token = issue_token(
        info["jwt_secret"],
        CITIZEN,
        audience=info["jwt_audience"],
        issuer=info["jwt_issuer"],
        expires_at=NOW + timedelta(hours=2),
    )
    headers = {"Authorization": f"Bearer {token}"}
    start, end = period()
    params = {"from": start.isoformat(), "to": end.isoformat()}
    path = f"/v1/units/{unit}/slots"

    async def rest(client: httpx.AsyncClient, number: int) -> httpx.Response:
        return await client.get(path, params=params, headers=headers)

    return rest


def soap_request(unit: str) -> Request:
    """GetAvailableTimeslots of the same two weeks at the same unit, as the same citizen."""
    message = GetAvailableTimeslots(
        healthcare_facility=unit,
        startDateInclusive=FIRST_DAY,
        endDateInclusive=LAST_DAY,
        subject_of_care=CITIZEN,
    )
    actor = Actor(actorId=CITIZEN, actorType=ActorType.SUBJECT_OF_CARE)
    body = write_request(OPERATION, unit, actor, message)
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": f'"{OPERATION.soap_action}"',
    }
    path = f"{PREFIX}/{OPERATION.name}/1/rivtabp21"

    async def soap(client: httpx.AsyncClient, number: int) -> httpx.Response:
        return await client.post(path, content=body, headers=headers)

    return soap


def rest_slots(response: httpx.Response) -> list[tuple[str, str]]:
    """(start, end) of each slot in a REST answer, as 14-digit local times."""
    response.raise_for_status()
    return [
        (
            format_timestamp(datetime.fromisoformat(slot["start"])),
            format_timestamp(datetime.fromisoformat(slot["end"])),
        )
        for slot in response.json()["slots"]
    ]


def soap_slots(response: httpx.Response) -> list[tuple[str, str]]:
    """(start, end) of each timeslot in a GetAvailableTimeslots answer, as 14-digit local times."""
    if response.status_code != 200:
        raise RuntimeError(f"GetAvailableTimeslots answered {response.status_code}")
    answer = read_response(OPERATION, response.content)
    assert isinstance(answer, GetAvailableTimeslotsResponse)
    out = []
    for timeslot in answer.timeslotDetail:
        assert timeslot.startTimeInclusive is not None
        assert timeslot.endTimeExclusive is not None
        out.append(
            (
                format_timestamp(timeslot.startTimeInclusive),
                format_timestamp(timeslot.endTimeExclusive),
            )
        )
    return out


async def timed(
    client: httpx.AsyncClient, request: Request, reference: bytes
) -> tuple[float, bool]:
    """One call's latency, and whether its answer is the checked one byte for byte."""
    started = time.perf_counter()
    response = await request(client, 0)
    elapsed = time.perf_counter() - started
    return elapsed, response.status_code == 200 and response.content == reference


async def compare_unit(
    client: httpx.AsyncClient,
    system: str,
    unit: str,
    info: dict[str, Any],
    rounds: int,
    repetitions: int,
    seconds: float,
) -> BenchResult:
    result = BenchResult(
        f"crm:scheduling GetAvailableTimeslots (SOAP) vs REST v1 slot search: "
        f"{system} unit {unit}, 14 days"
    )
    kinds: dict[str, Request] = {"REST": rest_request(unit, info), "SOAP": soap_request(unit)}

    # The comparison is honest only if both answers offer the same slots.
    first = {kind: await request(client, 0) for kind, request in kinds.items()}
    from_rest, from_soap = rest_slots(first["REST"]), soap_slots(first["SOAP"])
    same = sorted(from_rest) == sorted(from_soap)
    if not same or len(from_rest) < MIN_SLOTS:
        raise RuntimeError(
            f"{system} unit {unit}: REST offers {len(from_rest)} slots, SOAP {len(from_soap)}; "
            f"the same: {same} (at least {MIN_SLOTS} expected)"
        )
    reference = {kind: response.content for kind, response in first.items()}

    # Warm up both: connections, the plugin's token, lxml's and pydantic's first calls.
    for number in range(50):
        for kind in ("REST", "SOAP") if number % 2 == 0 else ("SOAP", "REST"):
            await kinds[kind](client, number)
    await closed_loop(client, 0.5, kinds["REST"])
    await closed_loop(client, 0.5, kinds["SOAP"])

    # Latency: one client, alternating, which kind goes first alternating too.
    latencies: dict[str, list[float]] = {"REST": [], "SOAP": []}
    per_repetition: list[float] = []
    differing = {"REST": 0, "SOAP": 0}
    for _ in range(repetitions):
        marks = {kind: len(samples) for kind, samples in latencies.items()}
        for number in range(rounds):
            for kind in ("REST", "SOAP") if number % 2 == 0 else ("SOAP", "REST"):
                elapsed, identical = await timed(client, kinds[kind], reference[kind])
                latencies[kind].append(elapsed)
                differing[kind] += not identical
        per_repetition.append(
            p50(latencies["SOAP"][marks["SOAP"] :]) / p50(latencies["REST"][marks["REST"] :])
        )

    # Throughput: CONCURRENCY clients, blocks in ABBA order so drift hits both alike.
    done = {"REST": 0, "SOAP": 0}
    spent = {"REST": 0.0, "SOAP": 0.0}
    failed = {"REST": 0, "SOAP": 0}
    for repetition in range(repetitions):
        for kind in ("REST", "SOAP") if repetition % 2 == 0 else ("SOAP", "REST"):
            _, statuses, elapsed = await closed_loop(client, seconds, kinds[kind])
            done[kind] += statuses.get(200, 0)
            failed[kind] += sum(count for status, count in statuses.items() if status != 200)
            spent[kind] += elapsed
    rate = {kind: done[kind] / spent[kind] for kind in kinds}

    ratio50 = p50(latencies["SOAP"]) / p50(latencies["REST"])
    ratio95 = percentile(latencies["SOAP"], 0.95) / percentile(latencies["REST"], 0.95)
    throughput = rate["SOAP"] / rate["REST"]
    calls = repetitions * rounds
    result.add("slots per answer (SOAP / REST)", f"{len(from_soap)} / {len(from_rest)}")
    result.add("same slots (count, start, end)", "yes" if same else "no", "", "yes", same)
    result.add(
        "timed answers not identical to the checked one",
        differing["SOAP"] + differing["REST"] + failed["SOAP"] + failed["REST"],
        "",
        "= 0",
        not any((*differing.values(), *failed.values())),
    )
    result.add(
        "answer size (SOAP / REST)",
        f"{len(reference['SOAP']):,} / {len(reference['REST']):,} bytes",
    )
    for kind in ("REST", "SOAP"):
        result.add(f"{kind} p50 ({calls} calls, 1 client)", p50(latencies[kind]) * 1e6, "µs")
    result.add("p50 SOAP / REST", ratio50, "x", f"<= {TARGET}x", ratio50 <= TARGET)
    for kind in ("REST", "SOAP"):
        result.add(f"{kind} p95", percentile(latencies[kind], 0.95) * 1e6, "µs")
    result.add("p95 SOAP / REST", ratio95, "x")
    for kind in ("REST", "SOAP"):
        result.add(f"{kind} per second ({CONCURRENCY} clients)", rate[kind], "/s")
    result.add(
        "throughput SOAP / REST",
        throughput,
        "x",
        f">= {1 / TARGET:.2f}x (1/{TARGET})",
        throughput >= 1 / TARGET,
    )
    result.notes.append(
        "p50 SOAP / REST per repetition: " + ", ".join(f"{r:.3f}" for r in per_repetition)
    )
    result.data = {
        "unit": unit,
        "system": system,
        "slots": len(from_rest),
        "latencies": latencies,
        "p50_ratio_per_repetition": per_repetition,
        "throughput": {"done": done, "seconds": spent, "failed": failed},
    }
    return result


async def run(rounds: int = 150, repetitions: int = 3, seconds: float = 1.0) -> list[BenchResult]:
    process, info = await start_server()
    try:
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=info["url"], limits=limits, timeout=30) as client:
            return [
                await compare_unit(client, system, unit, info, rounds, repetitions, seconds)
                for system, unit in UNITS.items()
            ]
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
