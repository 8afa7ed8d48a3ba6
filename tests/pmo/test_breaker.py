"""The circuit breaker over PMO: opens after the configured failures, probes, recovers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tidbok.backend_http import BreakerState, CallRecord
from tidbok.errors import BackendUnavailable
from tidbok.settings import ResilienceSettings
from tidbok_contract.seeding import FaultKind, FaultTarget

from .conftest import UNIT, Pmo, running_pmo

RESET = 0.4
BREAKER = ResilienceSettings(
    attempt_timeout=0.3,
    deadline=3.0,
    read_retries=0,
    backoff_initial=0,
    backoff_max=0,
    breaker_failure_threshold=3,
    breaker_reset_timeout=RESET,
)


class Recorder:
    """Breaker changes, as the gateway's metrics would see them."""

    def __init__(self) -> None:
        self.states: list[BreakerState] = []
        self.calls: list[CallRecord] = []

    def record_call(self, record: CallRecord) -> None:
        self.calls.append(record)

    def record_breaker(self, system: str, backend: str, state: BreakerState) -> None:
        assert (system, backend) == ("pmo", "pmo-test")
        self.states.append(state)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest_asyncio.fixture
async def world(recorder: Recorder) -> AsyncIterator[Pmo]:
    async with running_pmo(BREAKER, observer=recorder) as pmo:
        await pmo.service.time_types(UNIT)  # a token, and a closed breaker
        yield pmo


async def _open(pmo: Pmo) -> None:
    await pmo.seeder.inject_fault(FaultKind.HTTP_500, FaultTarget.ANY, times=1000)
    for _ in range(BREAKER.breaker_failure_threshold):
        with pytest.raises(BackendUnavailable):
            await pmo.service.time_types(UNIT)


async def test_opens_answers_without_a_call_then_recovers(world: Pmo, recorder: Recorder) -> None:
    await _open(world)
    assert recorder.states == [BreakerState.OPEN]
    await world.clear_requests()
    with pytest.raises(BackendUnavailable, match="circuit breaker open"):
        await world.service.time_types(UNIT)
    with pytest.raises(BackendUnavailable, match="circuit breaker open"):
        await world.service.book(world.citizen, UNIT, "s-tue-1", accept_terms=True)
    assert await world.requests() == []  # answered at once, no network call

    await world.seeder.clear_faults()  # the backend recovers
    world.timer.advance(RESET - 0.05)  # no real wait: the breaker runs on the service's timer
    with pytest.raises(BackendUnavailable, match="circuit breaker open"):
        await world.service.time_types(UNIT)  # not yet
    assert await world.requests() == []
    world.timer.advance(0.1)  # past the reset timeout
    assert await world.service.time_types(UNIT)  # the probe goes through and closes it
    assert recorder.states == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]
    result = await world.service.book(world.citizen, UNIT, "s-tue-1", accept_terms=True)
    assert result.booking.start.hour == 10
    assert {e["status"] for e in await world.requests()} <= {200, 201}


async def test_a_failed_probe_opens_it_again(world: Pmo, recorder: Recorder) -> None:
    await _open(world)
    world.timer.advance(RESET + 0.05)
    await world.clear_requests()
    with pytest.raises(BackendUnavailable):
        await world.service.time_types(UNIT)  # the probe: one call, which fails
    assert len(await world.requests()) == 1
    assert recorder.states == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.OPEN]
    with pytest.raises(BackendUnavailable, match="circuit breaker open"):
        await world.service.time_types(UNIT)
    assert len(await world.requests()) == 1
