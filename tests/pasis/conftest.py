"""Fixtures for the PASiS plugin tests: a respx-mocked adapter; a BookingService over the mock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
import respx

import tidbok_pasis
from tests.timers import PacedTimer
from tidbok.adapter import AdapterContext
from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Caller
from tidbok.plugins import PluginRegistry
from tidbok.service import BookingService
from tidbok.settings import BackendSettings, ResilienceSettings, TidbokSettings
from tidbok_mocks import run_pasis
from tidbok_mocks.pasis import PasisServer
from tidbok_pasis.adapter import PasisAdapter

API = "http://pasis.test/api/v2"
UNIT = "SE2321000016-9001"
OTHER_UNIT = "SE2321000016-9002"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM)  # a Monday
TOLVAN = PersonalIdentityNumber("191212121212")
OTHER = PersonalIdentityNumber("199001012385")

#: Small, fast resilience settings: 0.3 s per attempt, 2 s per operation, no backoff.
FAST = ResilienceSettings(
    attempt_timeout=0.3,
    deadline=2.0,
    read_retries=2,
    backoff_initial=0.0,
    backoff_max=0.0,
    breaker_failure_threshold=3,
    breaker_reset_timeout=0.2,
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Stockholm time in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=STOCKHOLM)


def tid(
    tid_id: str = "T1", level: int = 4, start: str = "2026-11-24T10:00:00", **extra: Any
) -> dict[str, Any]:
    """A PASiS tid as the API answers it."""
    return {
        "tidId": tid_id,
        "hsaId": UNIT,
        "tidstypId": "TT4",
        "tidstypNamn": "Provtagning",
        "start": start,
        "slut": start[:-5] + "30:00",
        "utforare": "Dr Anna Berg",
        "resurs": "Rum 4",
        "niva1177": level,
        **extra,
    }


def bokning(booking_id: str = "B1", **extra: Any) -> dict[str, Any]:
    """A PASiS bokning as the API answers it."""
    return {
        "bokningsId": booking_id,
        "hsaId": UNIT,
        "enhetNamn": "Vårdcentralen Test",
        "tidId": "T1",
        "tidstypId": "TT4",
        "tidstypNamn": "Provtagning",
        "start": "2026-11-25T10:00:00",
        "slut": "2026-11-25T10:30:00",
        "utforare": "Dr Anna Berg",
        "resurs": "Rum 4",
        "niva1177": 4,
        "personnummer": "19121212-1212",
        "syfte": "Kom fastande.",
        "orsak": "Provtagning",
        "bokadAv": "invanare",
        "dold": False,
        "status": "BOKAD",
        "kallelseId": None,
        "avbokningsmeddelande": None,
        "skapad": "2026-11-23T09:00:00",
        "andrad": "2026-11-23T09:00:00",
        **extra,
    }


def sida(
    poster: list[dict[str, Any]], totalt: int | None = None, offset: int = 0, limit: int = 50
) -> dict[str, Any]:
    """A PASiS list page."""
    return {
        "totalt": len(poster) if totalt is None else totalt,
        "offset": offset,
        "limit": limit,
        "poster": poster,
    }


def fel(felkod: str, status: int) -> httpx.Response:
    """A PASiS error answer."""
    return httpx.Response(status, json={"felkod": felkod, "meddelande": "Fel."})


@pytest_asyncio.fixture
async def adapter() -> AsyncIterator[PasisAdapter]:
    """An adapter for a PASiS at ``API`` (mock it with the ``api`` fixture)."""
    backend = BackendSettings(system="pasis", base_url=API, credentials={"api_key": "test-key"})
    context = AdapterContext(clock=FrozenClock(NOW), resilience=FAST)
    # Pages of 50 (PASiS's own default) so paging is exercised with a few dozen items; the
    # adapter's default asks for PASiS's maximum, 500.
    pasis = PasisAdapter(backend, context, readback_pause=0.0, page_size=50)
    yield pasis
    await pasis.aclose()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """respx routes for the PASiS API; every call must be routed."""
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


@dataclass
class Live:
    """A PASiS mock over real HTTP, its admin client and a BookingService over it."""

    server: PasisServer
    admin: httpx.AsyncClient
    service: BookingService
    citizen: Caller
    other: Caller
    timer: PacedTimer
    """The service's timer: retries, read-back pauses and the breaker wait on it, not really
    (unless a test sets ``real_waits`` for a mock that commits late, in real time)."""

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        """POST to the admin API; fail the test on refusal."""
        response = await self.admin.post(path, json=body)
        assert response.status_code < 300, response.text
        return response.json()

    async def book(self) -> list[dict[str, Any]]:
        """The appointment book (active bookings) as staff see it."""
        response = await self.admin.get("/appointment-book", params={"unit": UNIT})
        return list(response.json()["entries"])

    async def requests(self) -> list[dict[str, Any]]:
        """The mock's API request log."""
        return list((await self.admin.get("/requests")).json()["requests"])

    async def fault(self, **spec: Any) -> None:
        """Inject a fault rule."""
        await self.post("/faults", spec)


def scenario() -> dict[str, Any]:
    """One unit with a time type of each level, a few slots and a staff booking."""
    return {
        "now": NOW.isoformat(),
        "units": [
            {"id": UNIT, "name": "Vårdcentralen Test"},
            {"id": OTHER_UNIT, "name": "Mottagningen Annan"},
        ],
        "time_types": [
            {
                "id": "TT4",
                "unit": UNIT,
                "name": "Provtagning",
                "purpose": "Kom fastande.",
                "level": 4,
            },
            {"id": "TT3", "unit": UNIT, "name": "Läkarbesök", "level": 3},
            {"id": "TT2", "unit": UNIT, "name": "Hälsokontroll", "level": 2},
            {"id": "TT1", "unit": UNIT, "name": "Akuttid", "level": 1},
        ],
        "slots": [
            {"id": "S-TUE", "unit": UNIT, "time_type": "TT4", "start": at(24, 10).isoformat()},
            {"id": "S-WED", "unit": UNIT, "time_type": "TT4", "start": at(25, 10).isoformat()},
            {"id": "S-THU", "unit": UNIT, "time_type": "TT4", "start": at(26, 10).isoformat()},
            {"id": "S-L3", "unit": UNIT, "time_type": "TT3", "start": at(25, 11).isoformat()},
            {"id": "S-L1", "unit": UNIT, "time_type": "TT1", "start": at(25, 14).isoformat()},
            {"id": "S-STAFF", "unit": UNIT, "time_type": "TT3", "start": at(27, 9).isoformat()},
            {"id": "S-HIDDEN", "unit": UNIT, "time_type": "TT4", "start": at(27, 10).isoformat()},
        ],
        "bookings": [
            {"id": "B-STAFF", "slot": "S-STAFF", "person": TOLVAN.value, "booked_by": "staff"},
            {"id": "B-HIDDEN", "slot": "S-HIDDEN", "person": TOLVAN.value, "hidden": True},
        ],
    }


def settings(server: PasisServer, resilience: ResilienceSettings = FAST) -> TidbokSettings:
    """Settings with one PASiS backend and the test unit (book and manage active)."""
    return TidbokSettings(
        backends={
            "pasis-test": {
                "system": "pasis",
                "base_url": server.api_url,
                "credentials": {"api_key": server.api_key},
            }
        },
        units=[
            {
                "hsa_id": UNIT,
                "name": "Vårdcentralen Test",
                "backend": "pasis-test",
                "case_types": [{"kind": "book"}, {"kind": "manage"}],
            }
        ],
        resilience=resilience,
    )


@pytest_asyncio.fixture
async def live() -> AsyncIterator[Live]:
    """The PASiS mock, seeded with :func:`scenario`, behind a BookingService."""
    registry = PluginRegistry()
    registry.register(tidbok_pasis, name="pasis")
    timer = PacedTimer()
    async with (
        run_pasis(now=NOW, demo_data=False) as server,
        httpx.AsyncClient(base_url=server.admin_url) as admin,
        BookingService(
            settings(server), registry=registry, clock=FrozenClock(NOW), timer=timer
        ) as service,
    ):
        citizens = Caller(subject_of_care=TOLVAN), Caller(subject_of_care=OTHER)
        world = Live(server, admin, service, *citizens, timer)
        await world.post("/scenario", scenario())
        yield world
