"""``GET /readyz``: is the store answering, can each backend be reached, what do breakers say.

A backend whose circuit breaker is open is reported unreachable from the breaker alone, without a
call. Otherwise it is probed through the service with its first configured unit's time types
(GetAllTimeTypes, cheap and read-only), bounded by the resilience attempt timeout, and the answer
is reused for ``gateway.readiness_cache`` seconds (measured on the service's timer): however often
``/readyz`` is asked, a backend sees at most one probe per window, and concurrent asks share the
probe in flight. A backend that answers with a business refusal is reachable. Breaker states come
from adapters that expose a ``breaker`` with a ``state`` (as ``tidbok.backend_http`` may); others
show none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from tidbok.adapter import SchedulingAdapter
from tidbok.errors import BookingRefused, TechnicalFault, TidbokError
from tidbok.gateway.schemas import BackendReadiness, ReadyOut
from tidbok.gateway.state import GatewayState

BREAKER_VALUES = {"closed": 0, "half_open": 1, "half-open": 1, "open": 2}

Probe = tuple[bool, str | None]
"""Whether a backend is reachable, and the error code if it is not."""


class BackendProbes:
    """The latest probe of each backend, reused for ``ttl`` seconds; one probe in flight each."""

    def __init__(self, ttl: float, monotonic: Callable[[], float]) -> None:
        self.ttl = ttl
        self._monotonic = monotonic
        self._results: dict[str, tuple[float, Probe]] = {}
        self._running: dict[str, asyncio.Task[Probe]] = {}

    async def result(self, backend: str, probe: Callable[[], Awaitable[Probe]]) -> Probe:
        """The probe from the last ``ttl`` seconds, or a new one (shared while it runs)."""
        cached = self._results.get(backend)
        if cached is not None and 0 <= self._monotonic() - cached[0] < self.ttl:
            return cached[1]
        running = self._running.get(backend)
        if running is None:
            running = asyncio.create_task(self._run(backend, probe))
            self._running[backend] = running
        # One asker going away (a closed connection) never cancels the probe the others wait on.
        return await asyncio.shield(running)

    async def _run(self, backend: str, probe: Callable[[], Awaitable[Probe]]) -> Probe:
        try:
            result = await probe()
            self._results[backend] = (self._monotonic(), result)
            return result
        finally:
            del self._running[backend]


def breaker_state(adapter: SchedulingAdapter | None) -> str | None:
    """The adapter's circuit-breaker state (closed, half_open, open), if it has a breaker."""
    breaker = adapter.breaker if adapter is not None else None
    return str(breaker.state) if breaker is not None else None


async def _probe(state: GatewayState, hsa_id: str) -> Probe:
    timeout = state.service.settings.resilience.attempt_timeout
    try:
        async with asyncio.timeout(timeout):
            await state.service.all_time_types(hsa_id)
    except BookingRefused:
        return True, None
    except TechnicalFault as error:
        return False, error.code
    except TimeoutError:
        return False, "backend_timeout"
    except TidbokError as error:
        return False, error.code
    return True, None


async def _reachable(state: GatewayState, backend: str, breaker: str | None, hsa_id: str) -> Probe:
    if breaker == "open":
        return False, "backend_unavailable"  # the breaker answers for it: no call
    return await state.probes.result(backend, lambda: _probe(state, hsa_id))


async def readiness(state: GatewayState, probe: bool = True) -> ReadyOut:
    """Check the store and (with ``probe``) every backend; also refresh the related gauges."""
    service = state.service
    adapters = service.adapters
    names: list[str] = []
    probes = []
    for name in service.settings.backends:
        units = [unit for unit in service.settings.units if unit.backend == name]
        breaker = breaker_state(adapters.get(name))
        if breaker is not None:
            state.metrics.breaker_state.set(BREAKER_VALUES[breaker], backend=name)
        if probe and units:
            names.append(name)
            probes.append(_reachable(state, name, breaker, units[0].hsa_id))
    results = dict(zip(names, await asyncio.gather(*probes), strict=True))
    backends = []
    for name, backend in service.settings.backends.items():
        if name not in results:
            continue
        reachable, code = results[name]
        backends.append(
            BackendReadiness(
                backend=name,
                system=backend.system,
                reachable=reachable,
                breaker=breaker_state(adapters.get(name)),
                code=code,
            )
        )
    store_ok = await state.store.ping()
    pending: int | None = None
    intents: int | None = None
    if store_ok:
        pending = await state.store.count_pending()
        state.metrics.outbox_pending.set(pending)
        intents = await state.store.count_open_intents()
        state.metrics.intents_open.set(intents)
    if not store_ok or (backends and not any(b.reachable for b in backends)):
        status = "unavailable"
    elif any(not b.reachable for b in backends):
        status = "degraded"
    else:
        status = "ready"
    return ReadyOut(
        status=status,
        outbox="ok" if store_ok else "failed",
        outbox_pending=pending,
        outbox_intents=intents,
        backends=backends,
    )
