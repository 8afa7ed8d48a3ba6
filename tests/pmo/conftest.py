"""Fixtures for the PMO plugin's tests: wire records for respx, and the in-process PMO mock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.timers import PacedTimer
from tidbok import hookimpl
from tidbok.adapter import SchedulingSystem
from tidbok.backend_http import CallObserver
from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Caller
from tidbok.plugins import PluginRegistry
from tidbok.service import BookingService
from tidbok.settings import BackendSettings, ResilienceSettings, TidbokSettings
from tidbok_mocks import run_pmo
from tidbok_mocks.pmo import PmoServer
from tidbok_pmo import PmoSystem
from tidbok_pmo.seeder import PmoSeeder

#: A Monday morning in Stockholm (winter time): 08:00 UTC.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM)
UNIT = "SE2321000016-5001"
OTHER_UNIT = "SE2321000016-5002"
TOLVAN = PersonalIdentityNumber("191212121212")
OTHER = PersonalIdentityNumber("199001012385")

#: Small, quick settings: faults in the tests take well under a second each.
FAST = ResilienceSettings(
    attempt_timeout=0.3,
    deadline=3.0,
    read_retries=2,
    backoff_initial=0,
    backoff_max=0,
    breaker_failure_threshold=1000,
    breaker_reset_timeout=0.3,
)


# -- wire records, as PMO sends them ------------------------------------------------------------


def booking_type(
    kind_id: str = "bt-open",
    *,
    name: str = "Provtagning",
    visible: bool = True,
    bookable: bool = True,
    cancellable: bool = True,
    facility: str = UNIT,
) -> dict[str, Any]:
    """A bookingType record."""
    return {
        "id": kind_id,
        "facilityId": facility,
        "name": name,
        "description": "",
        "defaultPurpose": "Kom fastande.",
        "durationMinutes": 15,
        "visibleInEServices": visible,
        "bookable": bookable,
        "cancellable": cancellable,
    }


def slot(
    slot_id: str = "s-1",
    start: str = "2026-11-24T09:00:00Z",
    end: str = "2026-11-24T09:15:00Z",
    *,
    kind: str = "bt-open",
    status: str = "free",
    facility: str = UNIT,
) -> dict[str, Any]:
    """A slot record."""
    return {
        "id": slot_id,
        "facilityId": facility,
        "bookingTypeId": kind,
        "start": start,
        "end": end,
        "practitioner": {"name": "Dr Anna Berg"},
        "location": {"name": "Rum 4"},
        "status": status,
    }


def appointment(
    appointment_id: str = "a-1",
    *,
    slot_id: str = "s-1",
    patient: str = TOLVAN.value,
    start: str = "2026-11-24T09:00:00Z",
    end: str = "2026-11-24T09:15:00Z",
    kind: str = "bt-open",
    status: str = "booked",
    booked_by: str = "patient",
    hidden: bool = False,
    note: str = "Hosta",
    facility: str = UNIT,
) -> dict[str, Any]:
    """An appointment record."""
    return {
        "id": appointment_id,
        "facilityId": facility,
        "slotId": slot_id,
        "bookingTypeId": kind,
        "patientId": patient,
        "start": start,
        "end": end,
        "practitioner": {"name": "Dr Anna Berg"},
        "location": {"name": "Rum 4"},
        "status": status,
        "purpose": "Kom fastande.",
        "note": note,
        "bookedBy": booked_by,
        "hiddenInEServices": hidden,
        "cancellationReason": None,
        "createdAt": "2026-11-23T08:00:00Z",
        "updatedAt": "2026-11-23T08:00:00Z",
    }


def page(items: list[dict[str, Any]], next_cursor: str | None = None) -> httpx.Response:
    """A 200 list answer."""
    return httpx.Response(200, json={"items": items, "nextCursor": next_cursor})


def problem(status: int, code: str) -> httpx.Response:
    """A problem+json answer."""
    return httpx.Response(
        status,
        json={
            "type": f"https://pmo.example/problems/{code}",
            "title": code,
            "status": status,
            "detail": "...",
            "code": code,
        },
        headers={"Content-Type": "application/problem+json"},
    )


# -- the in-process mock ------------------------------------------------------------------------


def scenario() -> dict[str, Any]:
    """A facility with booking types of each flag combination, free slots and bookings."""
    slots = [
        ("s-today-1", "bt-open", "2026-11-23T15:00:00+01:00"),
        ("s-today-2", "bt-open", "2026-11-23T15:15:00+01:00"),
        ("s-tue-1", "bt-open", "2026-11-24T10:00:00+01:00"),
        ("s-tue-2", "bt-open", "2026-11-24T10:15:00+01:00"),
        ("s-tue-3", "bt-open", "2026-11-24T10:30:00+01:00"),
        ("s-nobook", "bt-nobook", "2026-11-24T11:00:00+01:00"),
        ("s-nocancel", "bt-nocancel", "2026-11-24T11:30:00+01:00"),
        ("s-hidden", "bt-hidden", "2026-11-24T12:00:00+01:00"),
        ("b-staff", "bt-open", "2026-11-25T08:00:00+01:00"),
        ("b-hidden", "bt-open", "2026-11-25T08:30:00+01:00"),
        ("b-other", "bt-open", "2026-11-25T09:00:00+01:00"),
        ("b-mine", "bt-open", "2026-11-25T09:30:00+01:00"),
    ]
    return {
        "now": NOW.isoformat(),
        "units": [
            {"id": UNIT, "name": "Vårdcentralen Rinkeby"},
            {"id": OTHER_UNIT, "name": "BVC Kista"},
        ],
        "time_types": [
            {
                "id": "bt-open",
                "unit": UNIT,
                "name": "Provtagning",
                "duration_minutes": 15,
                "purpose": "Kom fastande.",
            },
            {"id": "bt-nobook", "unit": UNIT, "name": "Läkarbesök", "bookable": False},
            {"id": "bt-nocancel", "unit": UNIT, "name": "Vaccination", "cancellable": False},
            {"id": "bt-hidden", "unit": UNIT, "name": "Intern tid", "visible": False},
        ],
        "slots": [
            {
                "id": slot_id,
                "unit": UNIT,
                "time_type": kind,
                "start": start,
                "performer": "Dr Anna Berg",
                "resource": "Rum 4",
            }
            for slot_id, kind, start in slots
        ],
        "bookings": [
            {"id": "a-staff", "slot": "b-staff", "person": TOLVAN.value},
            {"id": "a-hidden", "slot": "b-hidden", "person": TOLVAN.value, "hidden": True},
            {"id": "a-other", "slot": "b-other", "person": OTHER.value, "booked_by": "citizen"},
            {
                "id": "a-mine",
                "slot": "b-mine",
                "person": TOLVAN.value,
                "booked_by": "citizen",
                "reason": "Hosta",
            },
        ],
    }


@dataclass
class Pmo:
    """A running PMO mock with its admin client and seeder, and a service over it."""

    server: PmoServer
    admin: httpx.AsyncClient
    seeder: PmoSeeder
    service: BookingService
    clock: FrozenClock
    citizen: Caller
    timer: PacedTimer
    """The service's timer: retries, pauses and the breaker wait on it, not in real time."""

    def backend(self) -> BackendSettings:
        """Backend settings for the mock."""
        return backend_settings(self.server)

    async def requests(self, method: str | None = None, path: str = "") -> list[dict[str, Any]]:
        """The mock's request log, filtered by method and a path suffix."""
        entries = (await self.admin.get("/requests")).json()["requests"]
        return [
            entry
            for entry in entries
            if (method is None or entry["method"] == method) and entry["path"].endswith(path)
        ]

    async def clear_requests(self) -> None:
        """Forget the request log."""
        (await self.admin.delete("/requests")).raise_for_status()

    async def booked(self) -> list[dict[str, Any]]:
        """The unit's booked appointments, as staff see them."""
        response = await self.admin.get("/appointment-book", params={"unit": UNIT})
        return [e for e in response.json()["entries"] if e["status"] == "booked"]

    async def fault(self, body: dict[str, Any]) -> None:
        """Inject one fault rule."""
        (await self.admin.post("/faults", json=body)).raise_for_status()


def backend_settings(server: PmoServer) -> BackendSettings:
    """Backend settings for a running mock (the token URL derived from the base URL)."""
    return BackendSettings(
        system="pmo",
        base_url=server.url,
        credentials={"client_id": server.client_id, "client_secret": server.client_secret},
    )


class SmallPages:
    """A plugin registering PMO with pages of two items, so every list spans several pages."""

    def __init__(self, page_size: int = 2) -> None:
        self.system = PmoSystem(page_size=page_size)

    @hookimpl
    def tidbok_scheduling_systems(self) -> list[SchedulingSystem]:
        return [self.system]


def service_settings(server: PmoServer, resilience: ResilienceSettings) -> TidbokSettings:
    """One PMO backend, one unit with book and manage activated."""
    return TidbokSettings(
        backends={"pmo-test": backend_settings(server)},
        units=[
            {
                "hsa_id": UNIT,
                "name": "Vårdcentralen Rinkeby",
                "backend": "pmo-test",
                "case_types": [{"kind": "book"}, {"kind": "manage"}],
            }
        ],
        resilience=resilience,
    )


@pytest.fixture
def resilience() -> ResilienceSettings:
    """The resilience settings of the service (override in a module)."""
    return FAST


@asynccontextmanager
async def running_pmo(
    resilience: ResilienceSettings,
    observer: CallObserver | None = None,
    timer: PacedTimer | None = None,
) -> AsyncIterator[Pmo]:
    """The PMO mock seeded with :func:`scenario`, and a BookingService over it."""
    timer = timer or PacedTimer()
    async with run_pmo(now=NOW) as server:
        registry = PluginRegistry()
        registry.register(SmallPages(), name="pmo")
        clock = FrozenClock(NOW)
        seeder = PmoSeeder(server.url)
        seeder.delay_seconds = 0.8
        async with httpx.AsyncClient(base_url=server.admin_url) as admin:
            response = await admin.post("/scenario", json=scenario())
            assert response.status_code == 200, response.text
            settings = service_settings(server, resilience)
            async with BookingService(
                settings, registry=registry, clock=clock, observer=observer, timer=timer
            ) as service:
                citizen = Caller(subject_of_care=TOLVAN)
                yield Pmo(server, admin, seeder, service, clock, citizen, timer)
        await seeder.aclose()


@pytest_asyncio.fixture
async def pmo(resilience: ResilienceSettings) -> AsyncIterator[Pmo]:
    """The PMO mock seeded with :func:`scenario`, and a BookingService over it."""
    async with running_pmo(resilience) as world:
        yield world
