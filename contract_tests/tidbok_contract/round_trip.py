"""Round trips: a consumer plugin against tidbok's own crm:scheduling producer.

``riv -> tidbok gateway (crm:scheduling producer) -> PASiS mock`` (or PMO): the contract suite
drives the consumer plugin (``riv``) while the producer side is tidbok itself, in front of
another system's mock. Both halves of tidbok's crm:scheduling check each other: every contract
test that passes for PASiS must pass through the round trip.

The inner system's contract target starts its mock and seeds it; :class:`RoundTripSeeder` passes
every seeding call on and keeps the producer's clock in step with the mock's. The consumer's
backend settings come from the consumer plugin (``backend_for``), given the producer's URL and
the inner system's rules and capabilities, which the consumer must declare (the wire carries no
windows).
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tidbok.clock import FrozenClock
from tidbok.gateway.runner import start_gateway
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Access1177, BookedBy, Capability
from tidbok.rules import SystemRules
from tidbok.service import BookingService
from tidbok.settings import BackendSettings, ResilienceSettings, TidbokSettings
from tidbok_contract.scenario import DEFAULT_NOW, UNIT_NAMES
from tidbok_contract.seeding import (
    AppointmentRecord,
    ContractEnvironment,
    ContractSeeder,
    ContractTarget,
    FaultKind,
    FaultTarget,
    SeededInvitation,
)
from tidbok_contract.targets import contract_registry, contract_targets

#: Builds the consumer's backend settings from the producer's URL and the inner system's rules.
BackendFor = Callable[[str, SystemRules, frozenset[Capability]], BackendSettings]
#: The consumer's id of a free slot the inner system seeded: its start, end and time type.
SlotIdFor = Callable[[datetime, datetime, str], str]

#: The producer answers within the consumer's attempt timeout (0.5 s in the contract suite), so
#: a fault behind it reaches the consumer as the producer's answer, not as its silence.
PRODUCER_RESILIENCE = ResilienceSettings(
    attempt_timeout=0.3,
    deadline=0.45,
    read_retries=1,
    backoff_initial=0.01,
    backoff_max=0.02,
    breaker_failure_threshold=1000,
    breaker_reset_timeout=0.05,
)


class RoundTripSeeder(ContractSeeder):
    """The inner system's seeder; setting the clock also moves the producer's clock."""

    def __init__(
        self, inner: ContractSeeder, producer_clock: FrozenClock, slot_id_for: SlotIdFor
    ) -> None:
        self.inner = inner
        self.producer_clock = producer_clock
        self.slot_id_for = slot_id_for

    async def reset(self) -> None:
        """Reset the inner system."""
        await self.inner.reset()

    async def set_clock(self, now: datetime) -> None:
        """Set the inner system's clock and the producer's."""
        await self.inner.set_clock(now)
        self.producer_clock.set(now)

    async def add_unit(self, hsa_id: str, name: str) -> None:
        """Create the unit in the inner system."""
        await self.inner.add_unit(hsa_id, name)

    async def add_time_type(self, unit: str, name: str, access: Access1177) -> str:
        """Create the time type in the inner system."""
        return await self.inner.add_time_type(unit, name, access)

    async def add_free_slot(
        self, unit: str, time_type_id: str, start: datetime, minutes: int = 30
    ) -> str:
        """Create a free slot in the inner system; its id is the one the consumer will use."""
        await self.inner.add_free_slot(unit, time_type_id, start, minutes)
        end = start.astimezone(UTC) + timedelta(minutes=minutes)
        return self.slot_id_for(start, end, time_type_id)

    async def add_booking(
        self,
        unit: str,
        time_type_id: str,
        subject_of_care: PersonalIdentityNumber,
        start: datetime,
        minutes: int = 30,
        booked_by: BookedBy = BookedBy.STAFF,
        hidden: bool = False,
    ) -> str:
        """Create a booking in the inner system; crm:scheduling keeps its id."""
        return await self.inner.add_booking(
            unit, time_type_id, subject_of_care, start, minutes, booked_by, hidden
        )

    async def add_invitation(
        self,
        unit: str,
        time_type_id: str,
        subject_of_care: PersonalIdentityNumber,
        starts: list[datetime],
    ) -> SeededInvitation:
        """Open an invitation in the inner system."""
        return await self.inner.add_invitation(unit, time_type_id, subject_of_care, starts)

    async def appointment_book(self, unit: str) -> list[AppointmentRecord]:
        """The inner system's appointment book."""
        return await self.inner.appointment_book(unit)

    async def inject_fault(self, kind: FaultKind, target: FaultTarget, times: int = 1) -> None:
        """Inject the fault behind the producer, in the inner system."""
        await self.inner.inject_fault(kind, target, times)

    async def clear_faults(self) -> None:
        """Clear the inner system's faults."""
        await self.inner.clear_faults()

    async def set_down(self, down: bool) -> None:
        """Take the inner system down (or up)."""
        await self.inner.set_down(down)


class RoundTripTarget(ContractTarget):
    """``system`` (a crm:scheduling consumer) through tidbok's producer in front of ``via``."""

    def __init__(
        self, system: str, via: str, backend_for: BackendFor, slot_id_for: SlotIdFor
    ) -> None:
        self.system = system
        self.via = via
        self.variant = f"via-{via}"
        self.backend_for = backend_for
        self.slot_id_for = slot_id_for

    @asynccontextmanager
    async def mock(self) -> AsyncIterator[ContractEnvironment]:
        """The inner system's mock, tidbok's producer in front of it, and the consumer's backend."""
        registry = contract_registry()
        inner_target = contract_targets(registry).get(self.via)
        inner_system = registry.scheduling_systems().get(self.via)
        if inner_target is None or inner_system is None:
            raise RuntimeError(f"the round trip needs the {self.via!r} plugin and its target")
        async with AsyncExitStack() as stack:
            inner = await stack.enter_async_context(inner_target.mock())
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tidbok-rt-")))
            clock = FrozenClock(DEFAULT_NOW)
            settings = producer_settings(inner.backend, folder)
            service = await stack.enter_async_context(
                BookingService(settings, registry=registry, clock=clock)
            )
            gateway = await stack.enter_async_context(await start_gateway(settings, service))
            producer_url = f"{gateway.url}{settings.riv.path_prefix}"
            backend = self.backend_for(producer_url, inner_system.rules, inner_system.capabilities)
            seeder = RoundTripSeeder(inner.seeder, clock, self.slot_id_for)
            yield ContractEnvironment(backend, seeder)


def producer_settings(inner: BackendSettings, folder: Path) -> TidbokSettings:
    """tidbok's producer over the inner backend: the suite's units, booking and changing
    activated (the consumer's own settings decide what 1177 offers)."""
    return TidbokSettings(
        backends={"inner": inner},
        units=[
            {
                "hsa_id": hsa_id,
                "name": name,
                "backend": "inner",
                "case_types": [{"kind": "book"}, {"kind": "manage"}],
            }
            for hsa_id, name in UNIT_NAMES.items()
        ],
        resilience=PRODUCER_RESILIENCE,
        gateway={
            "port": 0,
            "jwt_secret": secrets.token_urlsafe(32),
            "outbox_path": str(folder / "producer-outbox.sqlite3"),
        },
        riv={"enabled": True, "require_client_certificate": False},
    )
