"""Requests in flight to one backend are capped at its pool size; the rest wait their turn.

And the aiohttp transport underneath tells "never sent" from "sent, then lost" as httpx would.
"""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from aiohttp import web

from tests.core.test_backend_http import Recorder
from tidbok.backend_http import BackendHttp, BreakerState, OutcomeUnknown
from tidbok.backend_transport import FairQueue
from tidbok.budget import call_budget
from tidbok.clock import FakeTimer
from tidbok.errors import BackendTimeout, BackendUnavailable
from tidbok.settings import ResilienceSettings


def held_backend() -> tuple[httpx.MockTransport, asyncio.Event, list[str]]:
    """A backend that answers nothing until ``release`` is set; records each path it got."""
    release = asyncio.Event()
    seen: list[str] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        await release.wait()
        return httpx.Response(201, json={})

    return httpx.MockTransport(handle), release, seen


def backend(
    transport: httpx.AsyncBaseTransport, recorder: Recorder, **settings: float
) -> BackendHttp:
    timer = FakeTimer()
    return BackendHttp(
        system="test",
        backend="b1",
        base_url="http://backend.test",
        resilience=ResilienceSettings(**{"breaker_failure_threshold": 1, **settings}),
        transport=transport,
        observer=recorder,
        monotonic=timer.monotonic,
        sleep=timer.sleep,
    )


async def test_a_request_beyond_the_pool_waits_and_was_never_sent_when_its_deadline_passes() -> (
    None
):
    transport, release, seen = held_backend()
    recorder = Recorder()
    http = backend(transport, recorder, max_connections=1, deadline=5, attempt_timeout=5)
    first = asyncio.create_task(http.write("book", "POST", "/first", retry=False))
    await asyncio.sleep(0)

    # The only connection is busy for longer than the second call's budget: its write never
    # leaves, so its outcome is known (not booked), and the backend is not to blame.
    with (
        call_budget(0.05, http.monotonic),
        pytest.raises(BackendTimeout, match="no free connection"),
    ):
        await http.write("book", "POST", "/second", retry=False)
    assert seen == ["/first"]
    assert http.breaker.state is BreakerState.CLOSED
    assert [call.outcome for call in recorder.calls] == ["queue_timeout"]

    release.set()
    assert (await first).status_code == 201
    assert (await http.write("book", "POST", "/third", retry=False)).status_code == 201
    assert seen == ["/first", "/third"]
    await http.aclose()


async def test_requests_beyond_the_pool_go_in_turn_once_a_connection_is_free() -> None:
    transport, release, seen = held_backend()
    http = backend(transport, Recorder(), max_connections=2, deadline=5, attempt_timeout=5)
    calls = []
    for number in range(5):
        calls.append(asyncio.create_task(http.read("get", "GET", f"/{number}")))
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    assert seen == ["/0", "/1"]  # two connections: the other three wait
    release.set()
    assert [answer.status_code for answer in await asyncio.gather(*calls)] == [201] * 5
    assert seen == ["/0", "/1", "/2", "/3", "/4"]
    await http.aclose()


async def test_the_queue_serves_the_earliest_call_deadline_first_then_arrival_order() -> None:
    queue = FairQueue(1)
    await queue.acquire(0.0)
    served: list[str] = []

    async def wait(name: str, deadline: float) -> None:
        await queue.acquire(deadline)
        served.append(name)

    waiters = []
    for name, deadline in (("late call", 5.0), ("b", 3.0), ("c", 3.0), ("oldest call", 1.0)):
        waiters.append(asyncio.create_task(wait(name, deadline)))
        await asyncio.sleep(0)
    gone = asyncio.create_task(wait("gave up", 2.0))
    await asyncio.sleep(0)
    gone.cancel()
    for _ in range(4):
        queue.release()
        await asyncio.sleep(0)
    await asyncio.gather(*waiters)
    assert served == ["oldest call", "b", "c", "late call"]


async def test_a_place_handed_to_a_cancelled_waiter_is_passed_on() -> None:
    queue = FairQueue(1)
    await queue.acquire(0.0)
    first = asyncio.create_task(queue.acquire(1.0))
    second = asyncio.create_task(queue.acquire(2.0))
    await asyncio.sleep(0)
    queue.release()  # the place goes to the first waiter...
    first.cancel()  # ...which gives up before it could use it
    await asyncio.sleep(0)
    await asyncio.wait_for(second, 1)  # the second waiter gets it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_over_aiohttp_a_refused_connection_is_a_write_that_never_happened() -> None:
    http = BackendHttp(
        system="test",
        backend="b1",
        base_url=f"http://127.0.0.1:{free_port()}",
        resilience=ResilienceSettings(read_retries=0, breaker_failure_threshold=10),
    )
    with pytest.raises(BackendUnavailable, match="cannot connect"):
        await http.write("book", "POST", "/bookings", retry=False, json={})
    await http.aclose()


async def test_over_aiohttp_a_connection_dropped_after_the_write_is_an_unknown_outcome() -> None:
    received: list[bytes] = []

    async def hang_up(request: web.Request) -> web.Response:
        received.append(await request.read())
        assert request.transport is not None
        request.transport.close()  # the write arrived; its answer never will
        return web.Response()

    app = web.Application()
    app.router.add_post("/bookings", hang_up)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    http = BackendHttp(
        system="test",
        backend="b1",
        base_url=f"http://127.0.0.1:{port}",
        resilience=ResilienceSettings(read_retries=0, breaker_failure_threshold=10),
    )
    try:
        with pytest.raises(OutcomeUnknown, match="connection lost"):
            await http.write("book", "POST", "/bookings", retry=False, json={"slot": "s1"})
        assert received == [b'{"slot":"s1"}']
    finally:
        await http.aclose()
        await runner.cleanup()
