"""The base of every contract test class: fixtures bound to ``self`` and shared helpers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import ClassVar

import pytest

from tidbok.adapter import SchedulingSystem
from tidbok.clock import STOCKHOLM
from tidbok.models import Booking, Caller, Capability, Slot
from tidbok.rules import SystemRules
from tidbok.service import BookingService
from tidbok_contract.fixtures import BACKEND_NAME, ActivityRecorder
from tidbok_contract.markers import missing_capabilities
from tidbok_contract.scenario import UNIT, ContractScenario
from tidbok_contract.seeding import AppointmentRecord


def declared(
    service: BookingService, system: SchedulingSystem
) -> tuple[SystemRules, frozenset[Capability]]:
    """The rules and capabilities of the backend under test: a backend may declare its own
    (the ``riv`` plugin reads them from the backend's options), else the system's apply."""
    adapter = service.adapters.get(BACKEND_NAME)
    rules = adapter.rules if adapter is not None else None
    capabilities = adapter.capabilities if adapter is not None else None
    return (
        rules if rules is not None else system.rules,
        capabilities if capabilities is not None else system.capabilities,
    )


#: How far ahead a search looks by default.
SEARCH_DAYS = 21


class ContractTests:
    """Shared plumbing. Subclasses set ``feature`` (the report's row) and ``rules`` (R-numbers)."""

    feature: ClassVar[str] = "other"
    rules: ClassVar[tuple[str, ...]] = ()
    known_failures: ClassVar[Mapping[str, str]] = {}
    """Test name -> written reason: declared known failures of this plugin (strict xfail)."""

    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [pytest.mark.asyncio]

    scenario: ContractScenario
    service: BookingService
    system: SchedulingSystem
    citizen: Caller
    other: Caller
    activities: ActivityRecorder

    @pytest.fixture(autouse=True)
    def _contract_applies(self, request: pytest.FixtureRequest) -> None:
        """Skip, with the reason, a test whose capabilities the system does not declare."""
        system: SchedulingSystem = request.getfixturevalue("contract_system")
        service: BookingService = request.getfixturevalue("service")
        missing = missing_capabilities(request.node, declared(service, system)[1])
        if missing:
            names = ", ".join(str(capability) for capability in missing)
            pytest.skip(f"not applicable: {system.name} does not declare capability {names}")

    @pytest.fixture(autouse=True)
    def _contract_bind(
        self,
        _contract_applies: None,
        scenario: ContractScenario,
        service: BookingService,
        contract_system: SchedulingSystem,
        citizen: Caller,
        other_citizen: Caller,
        activity_recorder: ActivityRecorder,
    ) -> None:
        self.scenario = scenario
        self.service = service
        self.system = contract_system
        self.citizen = citizen
        self.other = other_citizen
        self.activities = activity_recorder

    # -- helpers -----------------------------------------------------------------------

    @property
    def rules_of_system(self) -> SystemRules:
        """The backend's declared rules (its adapter's own, else its system's): every
        expectation about windows derives from them."""
        return declared(self.service, self.system)[0]

    @property
    def capabilities(self) -> frozenset[Capability]:
        """The backend's declared capabilities (its adapter's own, else its system's)."""
        return declared(self.service, self.system)[1]

    @property
    def cutoff(self) -> timedelta:
        """The declared cancel/rebook cut-off before start."""
        return self.rules_of_system.change_cutoff

    def not_applicable(self, reason: str) -> None:
        """Skip the test as not applicable to this system, with the reason."""
        pytest.skip(f"not applicable: {reason}")

    def far_day(self) -> int:
        """A day offset whose bookings are well inside every window and before every cut-off."""
        return 3 + self.cutoff.days + (1 if self.cutoff % timedelta(days=1) else 0)

    def far(self, hour: int = 10, minute: int = 0, extra_days: int = 0) -> datetime:
        """A start far enough ahead that booking, cancelling and rebooking are all allowed."""
        return self.scenario.day(self.far_day() + extra_days, hour, minute)

    async def offered(
        self,
        caller: Caller | None = None,
        unit: str = UNIT,
        start: datetime | None = None,
        days: int = SEARCH_DAYS,
        rebook: str | None = None,
        time_type: str | None = None,
    ) -> list[Slot]:
        """What the service offers the citizen in the next ``days`` days."""
        begin = start or self.scenario.now
        return await self.service.available_slots(
            caller or self.citizen,
            unit,
            begin,
            begin + timedelta(days=days),
            time_type=time_type,
            rebook=rebook,
        )

    async def offered_ids(self, **kwargs: object) -> set[str]:
        """The ids of the offered slots."""
        return {slot.id for slot in await self.offered(**kwargs)}  # type: ignore[arg-type]

    async def offered_starts(self, **kwargs: object) -> set[datetime]:
        """The start instants of the offered slots."""
        return {slot.start for slot in await self.offered(**kwargs)}  # type: ignore[arg-type]

    async def visible_bookings(self, caller: Caller | None = None) -> list[Booking]:
        """The citizen's schedule across units; fails if any unit could not answer."""
        schedule = await self.service.schedule(caller or self.citizen)
        assert schedule.failed_units == (), f"units failed: {schedule.failed_units}"
        return list(schedule.bookings)

    async def citizen_records(
        self, unit: str = UNIT, caller: Caller | None = None
    ) -> list[AppointmentRecord]:
        """The citizen's bookings in the unit's appointment book (as staff see them)."""
        who = (caller or self.citizen).subject_of_care
        return [r for r in await self.scenario.appointment_book(unit) if r.subject_of_care == who]


def stockholm_offset_ok(moment: datetime) -> bool:
    """Whether ``moment`` is aware and carries Stockholm's UTC offset for that instant."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return False
    return moment.utcoffset() == moment.astimezone(STOCKHOLM).utcoffset()


def day_of(moment: datetime) -> date:
    """The Stockholm calendar day of an instant."""
    return moment.astimezone(STOCKHOLM).date()
