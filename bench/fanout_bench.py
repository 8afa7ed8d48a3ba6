"""Fan-out: a citizen's bookings gathered across many units, each backend answering in 50 ms.

*Per-unit calls* (``fanout``): 1, 10, 50 and 200 PASiS units, each on its own backend (own adapter
and pool), one mock process. Baselines in the same run: the same 200 GETs at once with one bare
aiohttp session (the floor for a Python client; target at most 1.3x) and the slowest single
backend call (the 1-unit case).

*By backend* (``fanout_by_backend``): 200 units on 2 backends (PASiS and PMO, one process each)
that list a citizen's bookings across units in one call; target at most 1.2x the slowest single
backend call, made with a bare aiohttp session in the same run.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from baselines import AiohttpBaseline
from common import BenchResult, MockProcess, p50, percentile, ratio, start_mock
from service_scenario import API_KEY, CITIZEN, DELAY, NOW, scenario, settings_for, unit_id

from tidbok.clock import FrozenClock
from tidbok.models import Caller
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings
from tidbok_pasis.adapter import PAGE_SIZE

FANOUT_UNITS = (1, 10, 50, 200)
AIOHTTP_TARGET = 1.3


async def fanout(rounds: int = 20) -> BenchResult:
    result = BenchResult("fan-out: a citizen's bookings across N units, each backend 50 ms")
    mock = await start_mock("pasis", NOW)
    units = max(FANOUT_UNITS)
    try:
        await mock.admin("POST", "/scenario", scenario(units, 1))
        await mock.admin(
            "POST",
            "/faults",
            {
                "kind": "delay",
                "seconds": DELAY,
                "match": {"method": "GET", "path": r"/enheter/[^/]+/bokningar$"},
            },
        )
        caller = Caller(subject_of_care=CITIZEN)
        timings: dict[int, list[float]] = {}
        for count in FANOUT_UNITS:
            async with BookingService(settings_for(mock, count), clock=FrozenClock(NOW)) as service:
                for _ in range(3):  # warm up: connections, caches
                    await service.schedule(caller)
                samples = []
                for _ in range(rounds):
                    started = time.perf_counter()
                    schedule = await service.schedule(caller)
                    samples.append(time.perf_counter() - started)
                    assert len(schedule.bookings) == count, schedule
                    assert not schedule.failed_units, schedule
                timings[count] = samples
        requests = [
            (
                f"/enheter/{unit_id(number)}/bokningar",
                {"personnummer": CITIZEN.dashed, "offset": 0, "limit": PAGE_SIZE},
            )
            for number in range(units)
        ]
        async with AiohttpBaseline(mock.api_url, {"X-Api-Key": API_KEY}, limit=units) as floor:
            bare = await floor.fan_out(requests, rounds)
    finally:
        await mock.stop()
    ideal = p50(timings[1])
    for count, samples in timings.items():
        result.add(f"{count} units p50", p50(samples) * 1000, "ms")
        result.add(f"{count} units p95", percentile(samples, 0.95) * 1000, "ms")
        result.add(f"{count} units p50 / the slowest single call", p50(samples) / ideal, "x")
    result.add(f"bare aiohttp, {units} GETs at once, p50 (baseline)", p50(bare) * 1000, "ms")
    share = ratio(p50(timings[units]), p50(bare), "the per-unit fan-out")
    target = f"<= {AIOHTTP_TARGET}x"
    result.add(f"{units} units p50 / bare aiohttp", share, "x", target, share <= AIOHTTP_TARGET)
    result.data = {"ideal_seconds": ideal, "samples": timings, "bare_aiohttp": bare}
    result.notes.append(
        f"the slowest single call = the 1-unit p50 ({ideal * 1000:.1f} ms: the 50 ms delay plus "
        "one call); every unit is its own backend; all are served by one mock PASiS process"
    )
    return result


# -- fan-out by backend: 200 units on 2 backends that list across units ----------------------

ACROSS_UNITS = 100
"""Units per backend in the fan-out by backend (two backends: PASiS and PMO, one process each)."""
ACROSS_TARGET = 1.2
#: The one call each backend gets (the delay fault matches it) and its unit numbers' offset.
ACROSS_PATH = {"pasis": r"^/api/v2/bokningar$", "pmo": r"^/api/v1/appointments/search$"}
ACROSS_OFFSET = {"pasis": 0, "pmo": ACROSS_UNITS}
PMO_CLIENT = {"client_id": "tidbok", "client_secret": "pmo-dev-secret"}


def _across_units(system: str) -> list[str]:
    return [unit_id(ACROSS_OFFSET[system] + number) for number in range(ACROSS_UNITS)]


def _across_scenario(system: str) -> dict[str, Any]:
    """The backend's units, each with one booking of the citizen."""
    doc: dict[str, Any] = {"units": [], "time_types": [], "slots": [], "bookings": []}
    for unit in _across_units(system):
        doc["units"].append({"id": unit, "name": f"Vårdcentralen {unit[-4:]}"})
        doc["time_types"].append({"id": f"TT{unit}", "unit": unit, "name": "Läkarbesök"})
        start = (NOW + timedelta(days=2)).isoformat()
        doc["slots"].append(
            {"id": f"S{unit}", "unit": unit, "time_type": f"TT{unit}", "start": start}
        )
        doc["bookings"].append(
            {"slot": f"S{unit}", "person": CITIZEN.value, "booked_by": "citizen"}
        )
    return doc


def _across_settings(mocks: list[MockProcess]) -> TidbokSettings:
    backends: dict[str, Any] = {}
    for mock in mocks:
        if mock.system == "pasis":
            backends["pasis"] = {
                "system": "pasis",
                "base_url": mock.api_url,
                "credentials": {"api_key": API_KEY},
            }
        else:
            backends["pmo"] = {"system": "pmo", "base_url": mock.url, "credentials": PMO_CLIENT}
    units = [
        {
            "hsa_id": unit,
            "name": f"Vårdcentralen {unit[-4:]}",
            "backend": mock.system,
            "case_types": [{"kind": "book"}, {"kind": "manage"}],
        }
        for mock in mocks
        for unit in _across_units(mock.system)
    ]
    return TidbokSettings(backends=backends, units=units)


async def fanout_by_backend(rounds: int = 20) -> BenchResult:
    """The schedule over 200 units on 2 backends (PASiS and PMO) that list across units, each
    backend's one call delayed 50 ms, against the slowest single backend call: the same request
    with a bare aiohttp session, measured in the same run, interleaved round by round."""
    result = BenchResult(
        "fan-out by backend: 200 units on 2 backends that list across units, each backend 50 ms"
    )
    mocks = [await start_mock("pasis", NOW), await start_mock("pmo", NOW)]
    samples: list[float] = []
    singles: dict[str, list[float]] = {mock.system: [] for mock in mocks}
    try:
        for mock in mocks:
            await mock.admin("POST", "/scenario", _across_scenario(mock.system))
            fault = {"kind": "delay", "seconds": DELAY, "match": {"path": ACROSS_PATH[mock.system]}}
            await mock.admin("POST", "/faults", fault)
        caller = Caller(subject_of_care=CITIZEN)
        async with (
            BookingService(_across_settings(mocks), clock=FrozenClock(NOW)) as service,
            _bare_across(mocks[0]) as bare_pasis,
            _bare_across(mocks[1]) as bare_pmo,
        ):

            async def via_service() -> int:
                schedule = await service.schedule(caller)
                assert not schedule.failed_units, schedule.failed_units
                return len(schedule.bookings)

            calls = (
                (via_service, samples, 2 * ACROSS_UNITS),
                (bare_pasis, singles["pasis"], ACROSS_UNITS),
                (bare_pmo, singles["pmo"], ACROSS_UNITS),
            )
            for index in range(rounds + 3):  # 3 to warm up: connections, the PMO token
                for call, kept, expected in calls:
                    started = time.perf_counter()
                    assert await call() == expected
                    if index >= 3:
                        kept.append(time.perf_counter() - started)
    finally:
        for mock in mocks:
            await mock.stop()
    slowest = max((p50(single) for single in singles.values() if single), default=None)
    share = ratio(p50(samples), slowest, "the fan-out by backend (slowest single call)")
    for system, single in singles.items():
        name = f"single {system} call (bare aiohttp, {ACROSS_UNITS} units) p50"
        result.add(name, p50(single) * 1000, "ms")
    result.add("service, 200 units on 2 backends p50", p50(samples) * 1000, "ms")
    result.add("service, 200 units on 2 backends p95", percentile(samples, 0.95) * 1000, "ms")
    target = f"<= {ACROSS_TARGET}x"
    result.add("p50 / the slowest single backend call", share, "x", target, share <= ACROSS_TARGET)
    result.data = {"samples": samples, "singles": singles, "delay_seconds": DELAY}
    result.notes.append(
        "each backend is its own mock process and is asked once (GET /bokningar with 100 hsaId, "
        "POST /appointments/search with 100 facilityIds); baseline: that same request alone"
    )
    return result


@asynccontextmanager
async def _bare_across(mock: MockProcess) -> AsyncIterator[Callable[[], Awaitable[int]]]:
    """One backend's across-units request as the plugin sends it, with a bare aiohttp session."""
    import aiohttp

    units = _across_units(mock.system)
    async with aiohttp.ClientSession() as session:
        if mock.system == "pasis":
            headers = {"X-Api-Key": API_KEY}
            query = [("personnummer", CITIZEN.dashed), *(("hsaId", unit) for unit in units)]
            query += [("offset", "0"), ("limit", str(PAGE_SIZE))]

            async def call() -> int:
                url = mock.api_url + "/bokningar"
                async with session.get(url, params=query, headers=headers) as response:
                    response.raise_for_status()
                    return len((await response.json())["poster"])

        else:
            form = {"grant_type": "client_credentials", **PMO_CLIENT}
            async with session.post(mock.url + "/oauth/token", data=form) as response:
                response.raise_for_status()
                token = (await response.json())["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            body = {"patientId": CITIZEN.value, "facilityIds": units, "pageSize": 200}

            async def call() -> int:
                url = mock.api_url + "/appointments/search"
                async with session.post(url, json=body, headers=headers) as response:
                    response.raise_for_status()
                    return len((await response.json())["items"])

        yield call
