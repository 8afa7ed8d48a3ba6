"""The contract suite's fixtures, registered only when ``--tidbok-system`` is given.

A vendor may override any of them in a ``conftest.py`` (for example ``contract_target`` to test a
target that is not installed, or ``contract_resilience`` for a slow test environment).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager

import pytest
import pytest_asyncio

from tidbok import hookimpl
from tidbok.adapter import AdapterContext, SchedulingAdapter, SchedulingSystem
from tidbok.clock import FrozenClock
from tidbok.events import BookingActivity
from tidbok.models import Caller
from tidbok.plugins import PluginRegistry
from tidbok.service import BookingService
from tidbok.settings import ResilienceSettings, TidbokSettings
from tidbok_contract import targets as contract_kit
from tidbok_contract.options import OPTIONS_KEY, ContractOptions
from tidbok_contract.scenario import (
    BOOK_ONLY_UNIT,
    CITIZEN,
    DEFAULT_NOW,
    OTHER_CITIZEN,
    RENAMED_BOOK,
    UNIT,
    UNIT_NAMES,
    VIEW_UNIT,
    ContractScenario,
)
from tidbok_contract.seeding import ContractEnvironment, ContractSeeder, ContractTarget

#: The backend's key in the suite's settings.
BACKEND_NAME = "contract"
#: The agent id used when an agent (a 1177 nurse) acts for the citizen.
AGENT_ID = "SE2321000016-SSK1"  # a 1177 nurse's HSA-id (crm:scheduling requires one)


class ActivityRecorder:
    """Records booking activities (R10), as the inbox would receive them."""

    def __init__(self) -> None:
        self.activities: list[BookingActivity] = []

    @hookimpl
    def tidbok_booking_activity(self, activity: BookingActivity) -> None:
        """Keep the activity."""
        self.activities.append(activity)


class SystemUnderTest:
    """A plugin object offering exactly the system under test to the suite's service."""

    def __init__(self, system: SchedulingSystem) -> None:
        self.system = system

    @hookimpl
    def tidbok_scheduling_systems(self) -> list[SchedulingSystem]:
        """The system under test."""
        return [self.system]


@pytest.fixture(scope="session")
def contract_options(pytestconfig: pytest.Config) -> ContractOptions:
    """The parsed ``--tidbok-*`` options."""
    return pytestconfig.stash[OPTIONS_KEY]


@pytest.fixture(scope="session")
def contract_registry(contract_options: ContractOptions) -> PluginRegistry:
    """Every installed tidbok plugin, plus the modules named by ``--tidbok-plugin``."""
    return contract_kit.contract_registry(contract_options.plugins)


@pytest.fixture(scope="session")
def contract_system(
    contract_options: ContractOptions, contract_registry: PluginRegistry
) -> SchedulingSystem:
    """The scheduling system under test, as its plugin registered it."""
    systems = contract_registry.scheduling_systems()
    system = systems.get(contract_options.system)
    if system is None:
        failures = "; ".join(f"{f.name}: {f.reason}" for f in contract_registry.failures)
        # A wrong system name is a usage error: stop at once instead of failing every test.
        pytest.exit(
            f"no installed plugin registers scheduling system {contract_options.system!r} "
            f"(found: {', '.join(sorted(systems)) or 'none'}){'; ' + failures if failures else ''}",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
    return system


@pytest.fixture(scope="session")
def contract_target(
    contract_options: ContractOptions,
    contract_registry: PluginRegistry,
    contract_system: SchedulingSystem,
) -> ContractTarget:
    """The plugin's :class:`ContractTarget` for the system (hook ``tidbok_contract_targets``)."""
    targets: Mapping[str, ContractTarget] = contract_kit.contract_targets(contract_registry)
    key = contract_kit.target_key(contract_system.name, contract_options.variant)
    target = targets.get(key)
    if target is None and contract_options.variant is not None:
        offered = sorted(name for name in targets if name.startswith(f"{contract_system.name}:"))
        pytest.exit(
            f"{contract_system.name!r} offers no contract target {key!r} "
            f"(offered: {', '.join(offered) or 'none'})",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
    if target is None:
        pytest.exit(
            f"the plugin of {contract_system.name!r} offers no contract target: implement the "
            "tidbok_contract_targets hook (see docs/plugin-authors.md)",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
    return target


@pytest.fixture(scope="session")
def contract_resilience() -> ResilienceSettings:
    """Small timeouts and quick retries, so fault tests are fast."""
    return ResilienceSettings(
        attempt_timeout=0.5,
        deadline=2.0,
        read_retries=1,
        backoff_initial=0.01,
        backoff_max=0.05,
        breaker_failure_threshold=1000,
        breaker_reset_timeout=0.05,
    )


@pytest_asyncio.fixture
async def contract_env(
    contract_options: ContractOptions, contract_target: ContractTarget
) -> AsyncIterator[ContractEnvironment]:
    """The backend for one test: the system's mock (default) or the real test environment."""
    manager: AbstractAsyncContextManager[ContractEnvironment]
    if contract_options.url is not None:
        manager = contract_target.real(contract_options.url, contract_options.credentials)
    else:
        manager = contract_target.mock()
    async with manager as env:
        yield env


@pytest.fixture
def seeder(contract_env: ContractEnvironment) -> ContractSeeder:
    """The plugin's seeder for this test's backend."""
    return contract_env.seeder


@pytest.fixture
def contract_clock() -> FrozenClock:
    """The suite's clock; the scenario keeps it in step with the backend's."""
    return FrozenClock(DEFAULT_NOW)


@pytest_asyncio.fixture
async def scenario(seeder: ContractSeeder, contract_clock: FrozenClock) -> ContractScenario:
    """An emptied backend with the suite's units, its clock at :data:`DEFAULT_NOW`."""
    world = ContractScenario(seeder=seeder, clock=contract_clock)
    await world.start()
    return world


@pytest.fixture
def activity_recorder() -> ActivityRecorder:
    """Booking activities the service emitted during the test (R10)."""
    return ActivityRecorder()


def contract_settings(env: ContractEnvironment, resilience: ResilienceSettings) -> TidbokSettings:
    """Settings with the suite's three units on the backend under test."""
    return TidbokSettings(
        backends={BACKEND_NAME: env.backend},
        units=[
            {
                "hsa_id": UNIT,
                "name": UNIT_NAMES[UNIT],
                "backend": BACKEND_NAME,
                "case_types": [
                    {"kind": "book", "terms": "Avboka senast dagen innan."},
                    {"kind": "manage"},
                ],
            },
            {
                "hsa_id": BOOK_ONLY_UNIT,
                "name": UNIT_NAMES[BOOK_ONLY_UNIT],
                "backend": BACKEND_NAME,
                "case_types": [{"kind": "book", "name": RENAMED_BOOK}],
            },
            {
                "hsa_id": VIEW_UNIT,
                "name": UNIT_NAMES[VIEW_UNIT],
                "backend": BACKEND_NAME,
                "case_types": [{"kind": "view"}],
            },
        ],
        resilience=resilience,
    )


@pytest_asyncio.fixture
async def service(
    scenario: ContractScenario,
    contract_env: ContractEnvironment,
    contract_system: SchedulingSystem,
    contract_resilience: ResilienceSettings,
    activity_recorder: ActivityRecorder,
) -> AsyncIterator[BookingService]:
    """A BookingService over the system under test, as 1177 sees it, on the scenario's clock."""
    if contract_env.backend.system != contract_system.name:
        pytest.fail(
            f"the contract target's backend names system {contract_env.backend.system!r}, "
            f"not {contract_system.name!r}",
            pytrace=False,
        )
    registry = PluginRegistry()
    registry.register(SystemUnderTest(contract_system), name=contract_system.name)
    registry.register(activity_recorder, name="contract-activity-recorder")
    settings = contract_settings(contract_env, contract_resilience)
    async with BookingService(settings, registry=registry, clock=scenario.clock) as booking:
        yield booking


@pytest_asyncio.fixture
async def adapter(
    scenario: ContractScenario,
    contract_env: ContractEnvironment,
    contract_system: SchedulingSystem,
    contract_resilience: ResilienceSettings,
) -> AsyncIterator[SchedulingAdapter]:
    """The plugin's adapter itself, for operations the service does not expose."""
    context = AdapterContext(
        clock=scenario.clock,
        resilience=contract_resilience,
        backend_name=BACKEND_NAME,
        units=(UNIT, BOOK_ONLY_UNIT, VIEW_UNIT),
    )
    connected = contract_system.connect(contract_env.backend, context)
    try:
        yield connected
    finally:
        await connected.aclose()


@pytest.fixture
def citizen() -> Caller:
    """The citizen (Tolvan Tolvansson)."""
    return Caller(subject_of_care=CITIZEN)


@pytest.fixture
def other_citizen() -> Caller:
    """Another citizen, whose bookings the first must never see."""
    return Caller(subject_of_care=OTHER_CITIZEN)


@pytest.fixture
def agent() -> Caller:
    """A 1177 nurse acting for the citizen."""
    return Caller(subject_of_care=CITIZEN, agent_id=AGENT_ID)
