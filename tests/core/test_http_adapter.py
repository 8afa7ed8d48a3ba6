"""AdapterContext.backend_http and HttpSchedulingAdapter: the shared plumbing of HTTP plugins."""

from __future__ import annotations

import httpx
import respx

from tidbok.adapter import AdapterContext, HttpSchedulingAdapter
from tidbok.backend_http import BreakerState, CallRecord
from tidbok.settings import ResilienceSettings

from .memory_system import MemoryAdapter


class Observer:
    def __init__(self) -> None:
        self.calls: list[CallRecord] = []

    def record_call(self, record: CallRecord) -> None:
        self.calls.append(record)

    def record_breaker(self, system: str, backend: str, state: BreakerState) -> None:
        """Not exercised here."""


class Http(HttpSchedulingAdapter, MemoryAdapter):
    """An HTTP adapter with the memory adapter's operations (only the plumbing is tested)."""


@respx.mock
async def test_backend_http_carries_the_context() -> None:
    observer = Observer()
    resilience = ResilienceSettings(attempt_timeout=1.5, breaker_failure_threshold=7)
    context = AdapterContext(resilience=resilience, backend_name="b1", observer=observer)
    route = respx.get("https://api.test/v1/x").mock(return_value=httpx.Response(200))
    http = context.backend_http("sys", "https://api.test/v1/", headers={"X-Key": "k"})
    try:
        await http.read("probe", "GET", "x")
    finally:
        await http.aclose()
    assert (http.system, http.backend, http.resilience) == ("sys", "b1", resilience)
    assert http.breaker.threshold == 7
    assert route.calls[0].request.headers["X-Key"] == "k"
    assert [(c.system, c.backend, c.operation) for c in observer.calls] == [("sys", "b1", "probe")]


async def test_http_adapter_exposes_the_breaker_and_closes_the_pool() -> None:
    http = AdapterContext().backend_http("sys", "https://api.test/")
    adapter = Http(http)
    assert adapter.breaker is http.breaker
    await adapter.aclose()
    assert http.client.is_closed
