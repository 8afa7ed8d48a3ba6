"""Overhead: one slot search through BookingService + the PASiS plugin, against bare calls of the
same mock endpoint with the same query (JSON parsed in all): a bare aiohttp call (the floor for a
Python client; target at most 1.3x) and a bare httpx call (target at most 1.0x: tidbok's whole
search no slower than httpx alone). Interleaved call by call, so all see the same machine.
"""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
from baselines import AiohttpBaseline
from common import BenchResult, p50, percentile, ratio, start_mock
from service_scenario import API_KEY, CITIZEN, NOW, scenario, settings_for, unit_id

from tidbok.clock import FrozenClock
from tidbok.models import Caller
from tidbok.service import BookingService
from tidbok_pasis.adapter import PAGE_SIZE

HTTPX_TARGET = 1.0
AIOHTTP_TARGET = 1.3


async def overhead(rounds: int = 300) -> BenchResult:
    result = BenchResult(
        "overhead: slot search via BookingService + PASiS plugin vs bare aiohttp and bare httpx"
    )
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
        vs_httpx = ratio(p50(service_samples), p50(bare_samples), "the slot search (httpx)")
        vs_aiohttp = ratio(p50(service_samples), p50(aiohttp_samples), "the slot search")
        result.add(
            "slots returned (service / httpx / aiohttp)",
            f"{count_service} / {count_bare} / {count_aiohttp}",
        )
        result.add("bare aiohttp p50 (baseline)", p50(aiohttp_samples) * 1e6, "µs")
        result.add("bare httpx p50 (baseline)", p50(bare_samples) * 1e6, "µs")
        result.add("service + plugin p50", p50(service_samples) * 1e6, "µs")
        result.add(
            "service + plugin / bare aiohttp",
            vs_aiohttp,
            "x",
            f"<= {AIOHTTP_TARGET}x",
            vs_aiohttp <= AIOHTTP_TARGET,
        )
        result.add(
            "service + plugin / bare httpx",
            vs_httpx,
            "x",
            f"<= {HTTPX_TARGET}x",
            vs_httpx <= HTTPX_TARGET,
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
