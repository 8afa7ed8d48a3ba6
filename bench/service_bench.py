"""Fan-out and overhead: BookingService with the real PASiS plugin over a mock PASiS process.

*Fan-out*: a citizen's bookings gathered across 1, 10, 50 and 200 units, each unit its own backend
(own adapter and connection pool) whose answer the mock delays by 50 ms. The ideal is the slowest
single backend, measured as the 1-unit case; the target is at most 1.2x that at 200 units.

*Overhead*: one slot search through BookingService + plugin against a bare httpx call of the same
mock endpoint with the same query (JSON parsed in both); target at most 1.2x.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
from common import BenchResult, MockProcess, p50, percentile, start_mock

from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Caller
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings
from tidbok_pasis.adapter import PAGE_SIZE

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
CITIZEN = PersonalIdentityNumber("191212121212")
API_KEY = "pasis-dev-key"
DELAY = 0.050
FANOUT_UNITS = (1, 10, 50, 200)
FANOUT_TARGET = 1.2
OVERHEAD_TARGET = 1.2


def unit_id(number: int) -> str:
    return f"SE2321000016-{7000 + number}"


def scenario(units: int, slots_per_unit: int) -> dict[str, Any]:
    doc: dict[str, Any] = {"units": [], "time_types": [], "slots": [], "bookings": []}
    for number in range(units):
        unit = unit_id(number)
        doc["units"].append({"id": unit, "name": f"Vårdcentralen {number}"})
        doc["time_types"].append(
            {"id": f"TT{number}", "unit": unit, "name": "Läkarbesök", "level": 4}
        )
        for index in range(slots_per_unit + 1):
            start = NOW + timedelta(days=2 + index // 8, hours=index % 8)
            doc["slots"].append(
                {
                    "id": f"S{number}-{index}",
                    "unit": unit,
                    "time_type": f"TT{number}",
                    "start": start.isoformat(),
                }
            )
        doc["bookings"].append(
            {"slot": f"S{number}-0", "person": CITIZEN.dashed, "booked_by": "citizen"}
        )
    return doc


def settings_for(mock: MockProcess, units: int) -> TidbokSettings:
    return TidbokSettings(
        backends={
            f"pasis-{number}": {
                "system": "pasis",
                "base_url": mock.api_url,
                "credentials": {"api_key": API_KEY},
            }
            for number in range(units)
        },
        units=[
            {
                "hsa_id": unit_id(number),
                "name": f"Vårdcentralen {number}",
                "backend": f"pasis-{number}",
                "case_types": [{"kind": "book"}, {"kind": "manage"}],
            }
            for number in range(units)
        ],
    )


async def fanout(rounds: int = 20) -> BenchResult:
    result = BenchResult("fan-out: a citizen's bookings across N units, each backend 50 ms")
    mock = await start_mock("pasis", NOW)
    try:
        await mock.admin("POST", "/scenario", scenario(max(FANOUT_UNITS), 1))
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
        for units in FANOUT_UNITS:
            async with BookingService(settings_for(mock, units), clock=FrozenClock(NOW)) as service:
                for _ in range(3):  # warm up: connections, token-free PASiS, caches
                    await service.schedule(caller)
                samples = []
                for _ in range(rounds):
                    started = time.perf_counter()
                    schedule = await service.schedule(caller)
                    samples.append(time.perf_counter() - started)
                    assert len(schedule.bookings) == units, schedule
                    assert not schedule.failed_units, schedule
                timings[units] = samples
        bare = await _bare_fanout(mock, max(FANOUT_UNITS), rounds)
        ideal = p50(timings[1])
        for units, samples in timings.items():
            ratio = p50(samples) / ideal
            at_target = units == max(FANOUT_UNITS)
            result.add(f"{units} units p50", p50(samples) * 1000, "ms")
            result.add(f"{units} units p95", percentile(samples, 0.95) * 1000, "ms")
            result.add(
                f"{units} units p50 / ideal",
                ratio,
                "x",
                f"<= {FANOUT_TARGET}x" if at_target else "",
                ratio <= FANOUT_TARGET if at_target else None,
            )
        units = max(FANOUT_UNITS)
        result.add(f"bare httpx, {units} concurrent GETs, p50", p50(bare) * 1000, "ms")
        result.add(f"bare httpx, {units} GETs p50 / ideal", p50(bare) / ideal, "x")
        result.data = {
            "ideal_seconds": ideal,
            "samples": timings,
            "bare_samples": bare,
            "delay_seconds": DELAY,
        }
        result.notes.append(
            f"ideal = the 1-unit p50 ({ideal * 1000:.1f} ms: the 50 ms delay plus one call); "
            "all units are served by one mock PASiS process"
        )
    finally:
        await mock.stop()
    return result


async def _bare_fanout(mock: MockProcess, units: int, rounds: int) -> list[float]:
    """The same requests without tidbok: one pooled httpx client, ``units`` concurrent GETs."""
    import asyncio

    limits = httpx.Limits(max_connections=units, max_keepalive_connections=units)
    async with httpx.AsyncClient(
        base_url=mock.api_url, headers={"X-Api-Key": API_KEY}, limits=limits
    ) as client:

        async def one(number: int) -> None:
            response = await client.get(
                f"/enheter/{unit_id(number)}/bokningar",
                params={"personnummer": CITIZEN.dashed, "offset": 0, "limit": PAGE_SIZE},
            )
            response.raise_for_status()
            response.json()

        samples: list[float] = []
        for index in range(rounds + 3):
            started = time.perf_counter()
            await asyncio.gather(*(one(number) for number in range(units)))
            if index >= 3:
                samples.append(time.perf_counter() - started)
    return samples


async def overhead(rounds: int = 300) -> BenchResult:
    from baselines import AiohttpBaseline

    aiohttp_target = 1.3  # issue 17: service + plugin <= 1.3x a bare aiohttp call
    result = BenchResult("overhead: slot search via BookingService + PASiS plugin vs bare httpx")
    mock = await start_mock("pasis", NOW)
    try:
        await mock.admin("POST", "/scenario", scenario(1, 40))
        unit = unit_id(0)
        start, end = NOW + timedelta(days=1), NOW + timedelta(days=15)
        caller = Caller(subject_of_care=CITIZEN)
        params = {
            "fran": start.date().isoformat(),
            "till": (end - timedelta(microseconds=1)).date().isoformat(),
            "offset": 0,
            "limit": PAGE_SIZE,
        }
        async with (
            BookingService(settings_for(mock, 1), clock=FrozenClock(NOW)) as service,
            httpx.AsyncClient(base_url=mock.api_url, headers={"X-Api-Key": API_KEY}) as bare,
            AiohttpBaseline(mock.api_url, {"X-Api-Key": API_KEY}) as floor,
        ):
            path = f"/enheter/{unit}/lediga-tider"

            async def via_service() -> int:
                return len(await service.available_slots(caller, unit, start, end))

            async def via_httpx() -> int:
                response = await bare.get(path, params=params)
                response.raise_for_status()
                return len(response.json()["poster"])

            async def via_aiohttp() -> int:
                return len((await floor.get_json(path, params))["poster"])

            count_service, count_bare = await via_service(), await via_httpx()
            count_aiohttp = await via_aiohttp()
            calls = (via_service, via_httpx, via_aiohttp)
            for _ in range(20):
                for call in calls:
                    await call()
            service_samples: list[float] = []
            bare_samples: list[float] = []
            aiohttp_samples: list[float] = []
            for _ in range(rounds):  # interleaved, so all see the same machine state
                for call, samples in zip(
                    calls, (service_samples, bare_samples, aiohttp_samples), strict=True
                ):
                    started = time.perf_counter()
                    await call()
                    samples.append(time.perf_counter() - started)
        if not aiohttp_samples:
            raise RuntimeError("overhead: the bare aiohttp baseline was not measured")
        ratio = p50(service_samples) / p50(bare_samples)
        ratio_aiohttp = p50(service_samples) / p50(aiohttp_samples)
        result.add(
            "slots returned (service / httpx / aiohttp)",
            f"{count_service} / {count_bare} / {count_aiohttp}",
        )
        result.add("bare aiohttp p50", p50(aiohttp_samples) * 1e6, "µs")
        result.add("bare httpx p50", p50(bare_samples) * 1e6, "µs")
        result.add("service + plugin p50", p50(service_samples) * 1e6, "µs")
        result.add("overhead p50", (p50(service_samples) - p50(bare_samples)) * 1e6, "µs")
        result.add("ratio p50", ratio, "x", f"<= {OVERHEAD_TARGET}x", ratio <= OVERHEAD_TARGET)
        result.add(
            "ratio p50 vs bare aiohttp",
            ratio_aiohttp,
            "x",
            f"<= {aiohttp_target}x",
            ratio_aiohttp <= aiohttp_target,
        )
        result.add("service + plugin p95", percentile(service_samples, 0.95) * 1e6, "µs")
        result.add("bare httpx p95", percentile(bare_samples, 0.95) * 1e6, "µs")
        result.data = {
            "service": service_samples,
            "bare": bare_samples,
            "bare_aiohttp": aiohttp_samples,
        }
    finally:
        await mock.stop()
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
    if not samples or not all(singles.values()):
        raise RuntimeError(
            "fan-out by backend: the baseline (slowest single call) was not measured"
        )
    slowest = max(p50(single) for single in singles.values())
    ratio = p50(samples) / slowest
    for system, single in singles.items():
        name = f"single {system} call (bare aiohttp, {ACROSS_UNITS} units) p50"
        result.add(name, p50(single) * 1000, "ms")
    result.add("service, 200 units on 2 backends p50", p50(samples) * 1000, "ms")
    result.add("service, 200 units on 2 backends p95", percentile(samples, 0.95) * 1000, "ms")
    target = f"<= {ACROSS_TARGET}x"
    result.add("p50 / the slowest single backend call", ratio, "x", target, ratio <= ACROSS_TARGET)
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
