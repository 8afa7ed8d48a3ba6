"""Fan-out by backend: the citizen's schedule asks a backend that lists across units once.

Real mocks over HTTP: a PASiS backend with 101 units and a PMO backend with 3 (both declare
BOOKINGS_ACROSS_UNITS), and a crm:scheduling (riv) backend with 2 units, asked per unit. What a
call costs is counted on each mock's own request log; what the citizen sees is compared with the
per-unit answers of the same service (``unit_bookings``), which never use the across call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

import tidbok_pasis
import tidbok_pmo
import tidbok_riv
from tests.timers import PacedTimer
from tidbok.clock import STOCKHOLM, FrozenClock, instant
from tidbok.errors import TidbokError
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import BookedBy, Booking, Caller
from tidbok.plugins import PluginRegistry
from tidbok.service import BookingService
from tidbok.settings import ResilienceSettings, TidbokSettings
from tidbok_mocks import run_pasis, run_pmo, run_riv
from tidbok_riv.seeder import MOCK_RESULT_TEXTS

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM)  # a Monday
CITIZEN = Caller(subject_of_care=PersonalIdentityNumber("191212121212"))
OTHER = PersonalIdentityNumber("199001012385")
#: Fast and patient: no backoff, and a breaker that never opens in these tests.
FAST = ResilienceSettings(
    attempt_timeout=0.5,
    deadline=2.0,
    read_retries=1,
    backoff_initial=0.0,
    backoff_max=0.0,
    breaker_failure_threshold=1000,
)
#: Units per backend: PASiS more than its plugin names in one query, so it asks for every unit.
UNIT_COUNTS = {"pasis": 101, "pmo": 3, "riv": 2}
BASE = {"pasis": 5000, "pmo": 6000, "riv": 7000}
#: Units whose schedule holds bookings (the first ones of each backend).
BUSY = 2
LISTED = {"pasis": "/api/v2/bokningar", "pmo": "/api/v1/appointments/search"}
#: The per-unit list of each (a fault on it, too, shows what one unit answers alone).
PER_UNIT = {"pasis": "^/api/v2/enheter/[^/]+/bokningar$", "pmo": "^/api/v1/appointments$"}


def hsa(system: str, n: int) -> str:
    """The HSA-id of a backend's ``n``-th unit."""
    return f"SE2321000016-{BASE[system] + n}"


def at(day: int, hour: int) -> str:
    """A Stockholm time in November 2026, as the admin API takes it."""
    return datetime(2026, 11, day, hour, tzinfo=STOCKHOLM).isoformat()


def scenario(system: str) -> dict[str, Any]:
    """Each busy unit: the citizen's own booking, a staff booking, a hidden one, one of a type
    kept off 1177, one to cancel, and another citizen's; plus a booking of the citizen at a
    unit the backend holds but tidbok is not configured for."""
    off = {"pasis": {"level": 1}}.get(system, {"visible": False})
    count = UNIT_COUNTS[system]
    units = [hsa(system, n) for n in range(count + 1)]  # the last is not configured
    scene: dict[str, Any] = {
        "now": NOW.isoformat(),
        "units": [{"id": unit, "name": f"Mottagningen {unit[-4:]}"} for unit in units],
        "time_types": [],
        "slots": [],
        "bookings": [],
    }
    for unit in [*units[:BUSY], units[-1]]:
        scene["time_types"] += [
            {"id": f"{unit}-open", "unit": unit, "name": "Provtagning"},
            {"id": f"{unit}-off", "unit": unit, "name": "Intern", **off},
        ]
        kinds = {"own": 10, "staff": 11, "hidden": 12, "other": 13, "off": 14, "cancel": 15}
        for kind, hour in kinds.items():
            slot = f"{unit}-{kind}"
            time_type = f"{unit}-off" if kind == "off" else f"{unit}-open"
            scene["slots"].append(
                {"id": slot, "unit": unit, "time_type": time_type, "start": at(26, hour)}
            )
            scene["bookings"].append(
                {
                    "id": f"b-{slot}",
                    "slot": slot,
                    "person": OTHER.value if kind == "other" else CITIZEN.subject_of_care.value,
                    "booked_by": "staff" if kind == "staff" else "citizen",
                    "hidden": kind == "hidden",
                }
            )
    return scene


@dataclass
class Backend:
    """One running mock and its admin client."""

    system: str
    admin: httpx.AsyncClient

    async def api_requests(self) -> list[tuple[str, str]]:
        """The API requests the mock answered since the last call (method, path)."""
        logged = (await self.admin.get("/requests")).json()["requests"]
        (await self.admin.delete("/requests")).raise_for_status()
        return [(r["method"], r["path"]) for r in logged if r["path"] != "/oauth/token"]


@dataclass
class World:
    """The three backends behind one BookingService."""

    backends: dict[str, Backend]
    service: BookingService

    async def per_unit(self) -> list[Booking]:
        """The citizen's bookings read unit by unit (``bookings_for``), as the schedule was."""
        found = [
            booking
            for unit in self.service.units()
            for booking in await self.service.unit_bookings(CITIZEN, unit.hsa_id)
        ]
        return sorted(found, key=lambda b: (instant(b.start), b.unit, b.id))


async def _start(stack: AsyncExitStack, system: str) -> tuple[str, dict[str, Any]]:
    if system == "pasis":
        pasis = await stack.enter_async_context(run_pasis(now=NOW))
        settings = {"base_url": pasis.api_url, "credentials": {"api_key": pasis.api_key}}
        return pasis.admin_url, settings
    if system == "pmo":
        pmo = await stack.enter_async_context(run_pmo(now=NOW))
        credentials = {"client_id": pmo.client_id, "client_secret": pmo.client_secret}
        return pmo.admin_url, {"base_url": pmo.url, "credentials": credentials}
    riv = await stack.enter_async_context(run_riv(now=NOW))
    options = {
        "earliest_booking": "next_day",
        "change_cutoff_hours": 24,
        "result_texts": MOCK_RESULT_TEXTS,
    }
    return riv.admin_url, {"base_url": riv.url, "options": options}


@pytest_asyncio.fixture
async def world() -> AsyncIterator[World]:
    """PASiS, PMO and riv mocks, seeded with :func:`scenario`, behind a BookingService."""
    async with AsyncExitStack() as stack:
        backends: dict[str, Backend] = {}
        settings: dict[str, Any] = {}
        for system in UNIT_COUNTS:
            admin_url, backend = await _start(stack, system)
            admin = await stack.enter_async_context(httpx.AsyncClient(base_url=admin_url))
            loaded = await admin.post("/scenario", json=scenario(system))
            assert loaded.status_code == 200, loaded.text
            backends[system] = Backend(system, admin)
            settings[system] = {"system": system, **backend}
        units = [
            {
                "hsa_id": hsa(system, n),
                "name": f"Mottagningen {n}",
                "backend": system,
                "case_types": [{"kind": "book"}, {"kind": "manage"}],
            }
            for system, count in UNIT_COUNTS.items()
            for n in range(count)
        ]
        registry = PluginRegistry()
        for plugin, name in ((tidbok_pasis, "pasis"), (tidbok_pmo, "pmo"), (tidbok_riv, "riv")):
            registry.register(plugin, name=name)
        service = await stack.enter_async_context(
            BookingService(
                TidbokSettings(backends=settings, units=units, resilience=FAST),
                registry=registry,
                clock=FrozenClock(NOW),
                timer=PacedTimer(),
            )
        )
        for unit in [hsa(system, n) for system in UNIT_COUNTS for n in range(BUSY)]:
            await service.cancel(CITIZEN, unit, f"b-{unit}-cancel")  # cancelled: gone
        for running in backends.values():
            await running.api_requests()  # start counting from here
        yield World(backends, service)


async def test_one_call_per_backend_that_lists_across_units(world: World) -> None:
    schedule = await world.service.schedule(CITIZEN)
    assert schedule.failed_units == ()
    requests = {system: await b.api_requests() for system, b in world.backends.items()}
    assert requests["pasis"] == [("GET", LISTED["pasis"])]  # 101 units, one request
    assert requests["pmo"] == [("POST", LISTED["pmo"])]
    assert len(requests["riv"]) == UNIT_COUNTS["riv"]  # the national contract: per unit
    wanted = {
        (hsa(system, n), f"b-{hsa(system, n)}-{kind}")
        for system in UNIT_COUNTS
        for n in range(BUSY)
        for kind in ("own", "staff")
    }
    assert {(b.unit, b.id) for b in schedule.bookings} == wanted
    told = {b.id: b.booked_by for b in schedule.bookings if not b.unit.startswith("SE2321000016-7")}
    assert set(told.values()) == {BookedBy.CITIZEN, BookedBy.STAFF}
    assert all(told[id_] is BookedBy.STAFF for id_ in told if id_.endswith("staff"))


async def test_the_overview_is_what_the_units_answer_one_by_one(world: World) -> None:
    schedule = await world.service.schedule(CITIZEN)
    per_unit = await world.per_unit()
    assert list(schedule.bookings) == per_unit  # the same bookings, flags, order
    assert {b.unit for b in per_unit} == {hsa(s, n) for s in UNIT_COUNTS for n in range(BUSY)}
    assert all(b.permissions.cancel_booking_allowed for b in per_unit)
    assert schedule.failed_units == ()


@pytest.mark.parametrize("system", ["pasis", "pmo"])
async def test_a_failed_across_call_reports_every_unit_of_its_backend(
    world: World, system: str
) -> None:
    backend = world.backends[system]
    for path in (LISTED[system] + "$", PER_UNIT[system]):
        rule = {"match": {"path": path}, "kind": "http_500"}
        assert (await backend.admin.post("/faults", json=rule)).status_code == 201
    schedule = await world.service.schedule(CITIZEN)
    failed = [failure.unit for failure in schedule.failed_units]
    assert failed == [hsa(system, n) for n in range(UNIT_COUNTS[system])]
    with pytest.raises(TidbokError) as alone:  # what the unit answers when asked alone, failing
        await world.service.unit_bookings(CITIZEN, hsa(system, 0))
    expected = {(alone.value.code, alone.value.citizen_text)}
    assert {(f.code, f.citizen_text) for f in schedule.failed_units} == expected
    others = [s for s in UNIT_COUNTS if s != system]
    assert {b.unit for b in schedule.bookings} == {hsa(s, n) for s in others for n in range(BUSY)}
