"""``/readyz`` reports from breaker states and probes cached on the service's timer.

However often it is asked, a backend sees at most one probe per ``readiness_cache`` window;
concurrent asks share the probe in flight; an open breaker answers without a call.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tidbok.breaker import CircuitBreaker

from .conftest import Gateway


def probes(gw: Gateway) -> dict[str, int]:
    """How many probes (GetAllTimeTypes) each backend has seen."""
    return {
        "pasis-main": gw.pasis.calls.count("list_time_types"),
        "pmo-main": gw.pmo.calls.count("list_time_types"),
    }


async def ready(gw: Gateway) -> dict[str, Any]:
    response = await gw.client.get("/readyz")
    assert response.status_code in (200, 503), response.text
    body: dict[str, Any] = response.json()
    return body


async def test_probes_within_the_window_reach_each_backend_at_most_once(gw: Gateway) -> None:
    window = gw.service.settings.gateway.readiness_cache
    answers = list(await asyncio.gather(*(ready(gw) for _ in range(8))))  # concurrent asks
    for _ in range(5):
        answers.append(await ready(gw))
        gw.timer.advance(window / 10)  # still inside the window
    assert probes(gw) == {"pasis-main": 1, "pmo-main": 1}
    assert {answer["status"] for answer in answers} == {"ready"}

    gw.pmo.down = True  # not seen until the window has passed
    assert (await ready(gw))["status"] == "ready"
    gw.timer.advance(window / 2)
    assert (await ready(gw))["status"] == "degraded"
    assert probes(gw) == {"pasis-main": 2, "pmo-main": 2}
    gw.pmo.down = False


async def test_an_open_breaker_answers_for_its_backend_without_a_call(gw: Gateway) -> None:
    breaker = CircuitBreaker(1, 30.0, monotonic=gw.timer.monotonic)
    gw.pmo_system.breaker = breaker
    breaker.record_failure()  # open
    body = await ready(gw)
    pmo = next(backend for backend in body["backends"] if backend["backend"] == "pmo-main")
    assert pmo == {
        "backend": "pmo-main",
        "system": "memory_pmo",
        "reachable": False,
        "breaker": "open",
        "code": "backend_unavailable",
    }
    assert body["status"] == "degraded"
    assert probes(gw) == {"pasis-main": 1, "pmo-main": 0}
    metrics = (await gw.client.get("/metrics")).text
    assert 'tidbok_backend_breaker_state{backend="pmo-main"} 2' in metrics

    breaker.record_success()  # closed again: probed, but only once the window has passed
    gw.timer.advance(gw.service.settings.gateway.readiness_cache)
    assert (await ready(gw))["status"] == "ready"
    assert probes(gw) == {"pasis-main": 2, "pmo-main": 1}
