"""The national service level with the default settings: a citizen's call answers within 3 s.

Real sockets and real time: a backend that accepts connections and never answers, and the PASiS
mock as a healthy backend. Every call here is the first one to its backend, so its breaker is
still closed and the call waits as long as the settings let it. The defaults are chosen to end at
about 2.5 s; the assertions allow 3 s, the national bound.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx

import tidbok_pasis
import tidbok_pmo
from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.errors import BackendTimeout, BackendUnavailable, TechnicalFault
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Caller
from tidbok.plugins import PluginRegistry
from tidbok.service import BookingService
from tidbok.settings import ResilienceSettings, TidbokSettings
from tidbok_mocks import run_pasis

SLA = 3.0
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM)
CITIZEN = Caller(subject_of_care=PersonalIdentityNumber("191212121212"))
HEALTHY = "SE2321000016-3001"


def test_the_defaults_fit_the_service_level() -> None:
    defaults = ResilienceSettings()
    assert defaults.attempt_timeout <= defaults.deadline <= SLA - 0.5


@asynccontextmanager
async def hung_backend() -> AsyncIterator[str]:
    """A server that accepts every connection and reads the request, but never answers."""
    stop = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await stop.wait()
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        server.close()
        await server.wait_closed()


def hung(system: str, url: str) -> dict[str, Any]:
    """Backend settings for the hung server, as the system's plugin needs them."""
    if system == "pasis":
        return {"system": "pasis", "base_url": url + "/api/v2", "credentials": {"api_key": "k"}}
    return {
        "system": "pmo",
        "base_url": url,
        "credentials": {"client_id": "c", "client_secret": "s"},
    }


def unit(hsa_id: str, backend: str) -> dict[str, Any]:
    """A unit with book and manage activated."""
    return {
        "hsa_id": hsa_id,
        "name": f"Mottagningen {hsa_id[-4:]}",
        "backend": backend,
        "case_types": [{"kind": "book"}, {"kind": "manage"}],
    }


def service(backends: dict[str, dict[str, Any]], units: list[dict[str, Any]]) -> BookingService:
    """A service with the default resilience settings over PASiS and PMO."""
    registry = PluginRegistry()
    registry.register(tidbok_pasis, name="pasis")
    registry.register(tidbok_pmo, name="pmo")
    settings = TidbokSettings(backends=backends, units=units)
    assert settings.resilience == ResilienceSettings()
    return BookingService(settings, registry=registry, clock=FrozenClock(NOW))


async def timed(call: Awaitable[Any]) -> tuple[float, Any]:
    """How long the call took, and its result or the exception it raised."""
    started = time.monotonic()
    try:
        outcome = await call
    except Exception as error:  # the outcome is what the test looks at
        outcome = error
    return time.monotonic() - started, outcome


async def test_a_citizen_call_to_a_hung_backend_answers_a_typed_error_within_3_s() -> None:
    # One backend per call, so that each is the first call to its backend (breaker closed).
    calls = [(system, op) for system in ("pasis", "pmo") for op in ("search", "book")]
    async with hung_backend() as url:
        backends = {f"{system}-{op}": hung(system, url) for system, op in calls}
        units = [unit(f"SE2321000016-{4001 + n}", f"{s}-{o}") for n, (s, o) in enumerate(calls)]
        async with service(backends, units) as tidbok:

            def run(n: int, op: str) -> Awaitable[Any]:
                hsa_id = units[n]["hsa_id"]
                if op == "search":
                    return tidbok.available_slots(CITIZEN, hsa_id, NOW, NOW + timedelta(days=7))
                return tidbok.book(CITIZEN, hsa_id, "S-1", accept_terms=True)

            outcomes = await asyncio.gather(*(timed(run(n, op)) for n, (_, op) in enumerate(calls)))
    for (system, op), (took, outcome) in zip(calls, outcomes, strict=True):
        assert isinstance(outcome, TechnicalFault), (system, op, outcome)
        assert took < SLA, f"{system} {op} answered after {took:.2f} s"
        if system == "pasis":
            assert isinstance(outcome, BackendTimeout), (op, outcome)
        else:  # the token request hangs: no token (unavailable) or no answer in time
            assert isinstance(outcome, BackendTimeout | BackendUnavailable), (op, outcome)


async def test_a_fan_out_returns_the_healthy_unit_and_names_the_hung_ones_within_3_s() -> None:
    async with (
        hung_backend() as url,
        run_pasis(now=NOW) as pasis,
        httpx.AsyncClient(base_url=pasis.admin_url) as admin,
    ):
        seeded = await admin.post("/scenario", json=healthy_scenario())
        assert seeded.status_code == 200, seeded.text
        backends = {
            "healthy": {
                "system": "pasis",
                "base_url": pasis.api_url,
                "credentials": {"api_key": pasis.api_key},
            },
            "pasis-hung": hung("pasis", url),
            "pmo-hung": hung("pmo", url),
        }
        units = [
            unit(HEALTHY, "healthy"),
            unit("SE2321000016-3002", "pasis-hung"),
            unit("SE2321000016-3003", "pmo-hung"),
        ]
        async with service(backends, units) as tidbok:
            took, schedule = await timed(tidbok.schedule(CITIZEN))
    assert not isinstance(schedule, Exception), schedule
    assert took < SLA, f"the schedule answered after {took:.2f} s"
    assert [(b.unit, b.id) for b in schedule.bookings] == [(HEALTHY, "B-1")]
    failed = {failure.unit: failure.code for failure in schedule.failed_units}
    assert set(failed) == {"SE2321000016-3002", "SE2321000016-3003"}
    assert failed["SE2321000016-3002"] == "backend_timeout"
    # PMO's token request hangs: no token (unavailable) or no answer in time.
    assert failed["SE2321000016-3003"] in {"backend_timeout", "backend_unavailable"}


def healthy_scenario() -> dict[str, Any]:
    """One PASiS unit with one booking of the citizen's."""
    return {
        "now": NOW.isoformat(),
        "units": [{"id": HEALTHY, "name": "Mottagningen 3001"}],
        "time_types": [{"id": "TT4", "unit": HEALTHY, "name": "Provtagning", "level": 4}],
        "slots": [
            {
                "id": "S-1",
                "unit": HEALTHY,
                "time_type": "TT4",
                "start": (NOW + timedelta(days=2)).isoformat(),
            }
        ],
        "bookings": [
            {
                "id": "B-1",
                "slot": "S-1",
                "person": CITIZEN.subject_of_care.value,
                "booked_by": "citizen",
            }
        ],
    }
