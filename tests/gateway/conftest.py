"""Fixtures: the gateway on a real loopback socket over in-memory scheduling systems.

The backend is the in-memory system of ``tests/core/memory_system.py``; the clock is frozen; the
mock inbox runs on loopback too; tokens are signed with a test secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.core.memory_system import (
    PASIS_LIKE,
    PASIS_UNIT,
    PMO_LIKE,
    PMO_UNIT,
    VIEW_UNIT,
    MemoryAdapter,
    MemoryBackend,
    MemoryPlugin,
    MemorySystem,
    world_settings,
)
from tidbok.breaker import CircuitBreaker
from tidbok.clock import STOCKHOLM, FakeTimer, FrozenClock
from tidbok.gateway import RunningGateway, issue_token, start_gateway
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import BookingResult, Capability, NewBooking, WriteOutcome
from tidbok.plugins import PluginRegistry
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings
from tidbok_mocks.inbox import InboxServer, running_inbox

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
TOLVAN = PersonalIdentityNumber("191212121212")
OTHER = PersonalIdentityNumber("199001012385")
SECRET = "test-secret-that-is-long-enough-for-hs256"
AUDIENCE = "tidbok-test"
T = TypeVar("T")
ISSUER = "https://1177.example/idp"


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A Stockholm time ``days`` after NOW's date."""
    base = NOW.date() + timedelta(days=days)
    return datetime(base.year, base.month, base.day, hour, minute, tzinfo=STOCKHOLM)


class FaultyAdapter(MemoryAdapter):
    """A memory adapter that raises ``system.fail`` on every call when it is set, and
    ``system.lose_answer`` after each write it made (the write happened, its answer was lost)."""

    def __init__(self, backend: MemoryBackend, system: FaultySystem) -> None:
        super().__init__(backend)
        self.system = system

    async def _enter(self, operation: str) -> None:
        await super()._enter(operation)
        if self.system.fail is not None:
            raise self.system.fail

    def _answer(self, result: T) -> T:
        if self.system.lose_answer is not None:
            raise self.system.lose_answer
        return result

    async def book(self, unit: str, request: NewBooking) -> BookingResult:
        return self._answer(await super().book(unit, request))

    async def rebook(
        self, unit: str, booking_id: str, slot_id: str, subject_of_care: PersonalIdentityNumber
    ) -> BookingResult:
        return self._answer(await super().rebook(unit, booking_id, slot_id, subject_of_care))

    async def cancel(
        self,
        unit: str,
        booking_id: str,
        subject_of_care: PersonalIdentityNumber,
        message: str | None = None,
    ) -> WriteOutcome:
        return self._answer(await super().cancel(unit, booking_id, subject_of_care, message))

    async def book_invitation(
        self, unit: str, invitation_id: str, slot_id: str, subject_of_care: PersonalIdentityNumber
    ) -> BookingResult:
        return self._answer(
            await super().book_invitation(unit, invitation_id, slot_id, subject_of_care)
        )

    @property
    def breaker(self) -> CircuitBreaker | None:
        return self.system.breaker


class FaultySystem(MemorySystem):
    """A memory system whose adapters can be told to fail with any exception, or have a breaker."""

    fail: BaseException | None = None
    lose_answer: BaseException | None = None
    breaker: CircuitBreaker | None = None

    def connect(self, backend: Any, context: Any) -> MemoryAdapter:
        adapter = FaultyAdapter(self.backend(backend.base_url), self)
        self.adapters.append(adapter)
        return adapter


def make_settings(outbox: Path, inbox_url: str | None, **gateway: Any) -> TidbokSettings:
    return world_settings(
        gateway={
            "jwt_secret": SECRET,
            "jwt_audience": AUDIENCE,
            "jwt_issuer": ISSUER,
            "outbox_path": str(outbox),
            "inbox_url": inbox_url,
            "delivery_backoff_initial": 0.02,
            "delivery_backoff_max": 0.1,
            "delivery_poll_interval": 0.2,
            **gateway,
        },
    )


@dataclass
class Gateway:
    """A running gateway with everything a test needs around it."""

    gateway: RunningGateway
    service: BookingService
    clock: FrozenClock
    timer: FakeTimer
    pasis_system: FaultySystem
    pmo_system: FaultySystem
    pasis: MemoryBackend
    pmo: MemoryBackend
    inbox: InboxServer
    client: httpx.AsyncClient
    tokens: dict[str, str] = field(default_factory=dict)

    def token(
        self,
        citizen: PersonalIdentityNumber | str = TOLVAN,
        *,
        expires_in: timedelta = timedelta(hours=1),
        secret: str = SECRET,
        audience: str = AUDIENCE,
        issuer: str | None = ISSUER,
        agent_id: str | None = None,
    ) -> str:
        subject = citizen.value if isinstance(citizen, PersonalIdentityNumber) else citizen
        return issue_token(
            secret,
            subject,
            audience=audience,
            issuer=issuer,
            expires_at=self.clock.now() + expires_in,
            issued_at=self.clock.now(),
            agent_id=agent_id,
        )

    def auth(self, citizen: PersonalIdentityNumber | str = TOLVAN, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(citizen, **kwargs)}"}

    @property
    def url(self) -> str:
        return self.gateway.url


@dataclass
class Systems:
    """The two in-memory scheduling systems and the registry that offers them."""

    registry: PluginRegistry
    pasis_system: FaultySystem
    pmo_system: FaultySystem

    @property
    def pasis(self) -> MemoryBackend:
        return self.pasis_system.backend("mem://pasis")

    @property
    def pmo(self) -> MemoryBackend:
        return self.pmo_system.backend("mem://pmo")


def make_systems() -> Systems:
    pasis_system = FaultySystem(
        "memory_pasis",
        PASIS_LIKE,
        frozenset({Capability.OPEN_INVITATIONS, Capability.MESSAGE_ON_CANCEL}),
    )
    pmo_system = FaultySystem("memory_pmo", PMO_LIKE, frozenset({Capability.SAME_DAY_BOOKING}))
    registry = PluginRegistry()
    registry.register(MemoryPlugin(pasis_system, pmo_system), name="memory")
    systems = Systems(registry, pasis_system, pmo_system)
    systems.pasis.add_unit(PASIS_UNIT, "Vårdcentralen Tensta")
    systems.pmo.add_unit(PMO_UNIT, "Barnmorskemottagningen Solna")
    systems.pmo.add_unit(VIEW_UNIT, "Ögonmottagningen")
    return systems


@pytest.fixture
async def inbox() -> AsyncIterator[InboxServer]:
    async with running_inbox(api_key="inbox-key") as server:
        yield server


@pytest.fixture
async def gw(tmp_path: Path, inbox: InboxServer) -> AsyncIterator[Gateway]:
    clock = FrozenClock(NOW)
    timer = FakeTimer()
    systems = make_systems()
    settings = make_settings(tmp_path / "outbox.sqlite3", inbox.url, inbox_api_key="inbox-key")
    async with BookingService(
        settings, registry=systems.registry, clock=clock, timer=timer
    ) as service:
        running = await start_gateway(settings, service, port=0)
        async with running, httpx.AsyncClient(base_url=running.url, timeout=5.0) as client:
            yield Gateway(
                gateway=running,
                service=service,
                clock=clock,
                timer=timer,
                pasis_system=systems.pasis_system,
                pmo_system=systems.pmo_system,
                pasis=systems.pasis,
                pmo=systems.pmo,
                inbox=inbox,
                client=client,
            )


async def wait_until(check: Callable[[], Awaitable[bool]], seconds: float = 3.0) -> None:
    """Poll ``check`` every 10 ms until it is true; fail after ``seconds``."""
    async with asyncio.timeout(seconds):
        while not await check():  # noqa: ASYNC110 - polling another server's state
            await asyncio.sleep(0.01)
