"""The shared resilience layer against a scripted backend: retries, breaker, read-back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Generator

import httpx
import pytest

from tidbok.backend_http import (
    BackendHttp,
    BreakerState,
    CallRecord,
    OutcomeUnknown,
    write_with_readback,
)
from tidbok.backend_transport import AiohttpTransport
from tidbok.budget import call_budget
from tidbok.clock import FakeTimer
from tidbok.errors import BackendProtocolError, BackendTimeout, BackendUnavailable
from tidbok.settings import ResilienceSettings

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[CallRecord] = []
        self.breaker: list[BreakerState] = []

    def record_call(self, record: CallRecord) -> None:
        self.calls.append(record)

    def record_breaker(self, system: str, backend: str, state: BreakerState) -> None:
        self.breaker.append(state)


def scripted(
    *steps: Handler | httpx.Response | Exception,
) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A backend that answers each request with the next step (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = steps[min(len(seen), len(steps)) - 1]
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        return step(request)

    return httpx.MockTransport(handle), seen


def make_http(
    transport: httpx.MockTransport,
    clock: FakeTimer | None = None,
    recorder: Recorder | None = None,
    **settings: float,
) -> BackendHttp:
    resilience = ResilienceSettings(
        **{"backoff_initial": 0.0, "backoff_max": 0.0, "read_retries": 2, **settings}
    )
    return http_with(resilience, transport, clock or FakeTimer(), recorder)


def http_with(
    resilience: ResilienceSettings,
    transport: httpx.AsyncBaseTransport,
    timer: FakeTimer,
    recorder: Recorder | None = None,
) -> BackendHttp:
    return BackendHttp(
        system="test",
        backend="b1",
        base_url="http://backend.test",
        resilience=resilience,
        transport=transport,
        observer=recorder,
        monotonic=timer.monotonic,
        sleep=timer.sleep,
    )


async def test_a_read_is_retried_after_a_500_and_succeeds() -> None:
    transport, seen = scripted(httpx.Response(500), httpx.Response(200, json={"ok": True}))
    recorder = Recorder()
    http = make_http(transport, recorder=recorder)
    response = await http.read("list", "GET", "/things")
    assert response.json() == {"ok": True}
    assert len(seen) == 2
    assert [(c.attempt, c.status) for c in recorder.calls] == [(1, 500), (2, 200)]


async def test_retry_after_is_honoured_within_the_deadline() -> None:
    transport, seen = scripted(
        httpx.Response(503, headers={"Retry-After": "30"}), httpx.Response(200, json={})
    )
    http = make_http(transport, deadline=5.0)
    with pytest.raises(BackendUnavailable) as failed:
        await http.read("list", "GET", "/things")
    assert failed.value.retry_after == 30.0  # waiting 30 s would pass the 5 s deadline
    assert len(seen) == 1


async def test_reads_give_up_after_the_configured_retries() -> None:
    transport, seen = scripted(httpx.Response(429))
    http = make_http(transport, read_retries=2, breaker_failure_threshold=10)
    with pytest.raises(BackendUnavailable):
        await http.read("list", "GET", "/things")
    assert len(seen) == 3


async def test_read_timeouts_become_backend_timeout() -> None:
    transport, seen = scripted(httpx.ReadTimeout("slow"))
    http = make_http(transport, read_retries=1, breaker_failure_threshold=10)
    with pytest.raises(BackendTimeout) as failed:
        await http.read("list", "GET", "/things")
    assert not isinstance(failed.value, OutcomeUnknown)
    assert len(seen) == 2


@pytest.mark.parametrize("broken", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset")])
async def test_an_unsafe_write_is_never_retried_and_reports_unknown_outcome(
    broken: Exception,
) -> None:
    transport, seen = scripted(broken, httpx.Response(201, json={}))
    http = make_http(transport)
    with pytest.raises(OutcomeUnknown):
        await http.write("book", "POST", "/bookings", retry=False, json={})
    assert len(seen) == 1


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_an_unsafe_write_answered_5xx_is_unknown_not_unavailable(status: int) -> None:
    """The backend may have written before it failed: the plugin must read back."""
    transport, seen = scripted(httpx.Response(status), httpx.Response(201, json={}))
    http = make_http(transport)
    with pytest.raises(OutcomeUnknown, match=f"answered {status} after the request was sent"):
        await http.write("book", "POST", "/bookings", retry=False, json={})
    assert len(seen) == 1


@pytest.mark.parametrize("status", [503, 429])
async def test_a_write_refused_with_503_or_429_is_retried_then_unavailable(status: int) -> None:
    """A 503 or 429 proves nothing was written: any write may be sent again."""
    transport, seen = scripted(httpx.Response(status))
    http = make_http(transport, read_retries=1, breaker_failure_threshold=10)
    with pytest.raises(BackendUnavailable) as failed:
        await http.write("book", "POST", "/bookings", retry=False, json={})
    assert not isinstance(failed.value, OutcomeUnknown)
    assert len(seen) == 2


async def test_an_idempotent_write_answered_500_is_retried_and_stays_unknown() -> None:
    transport, seen = scripted(httpx.Response(500))
    http = make_http(transport, read_retries=2, breaker_failure_threshold=10)
    with pytest.raises(OutcomeUnknown):
        await http.write(
            "book", "POST", "/bookings", retry=True, json={}, headers={"Idempotency-Key": "k1"}
        )
    assert len(seen) == 3


async def test_a_read_answered_500_stays_unavailable() -> None:
    transport, _ = scripted(httpx.Response(500))
    http = make_http(transport, read_retries=0)
    with pytest.raises(BackendUnavailable) as failed:
        await http.read("list", "GET", "/things")
    assert not isinstance(failed.value, OutcomeUnknown)


async def test_an_idempotent_write_is_retried_with_the_same_headers() -> None:
    transport, seen = scripted(
        httpx.RemoteProtocolError("reset"), httpx.Response(201, json={"id": 1})
    )
    http = make_http(transport)
    response = await http.write(
        "book", "POST", "/bookings", retry=True, json={}, headers={"Idempotency-Key": "k1"}
    )
    assert response.status_code == 201
    assert [r.headers["Idempotency-Key"] for r in seen] == ["k1", "k1"]


async def test_a_refused_connection_on_a_write_is_unavailable_not_unknown() -> None:
    transport, _ = scripted(httpx.ConnectError("refused"))
    http = make_http(transport)
    with pytest.raises(BackendUnavailable):
        await http.write("book", "POST", "/bookings", retry=False, json={})


async def test_breaker_opens_answers_without_calling_then_probes_and_closes() -> None:
    clock = FakeTimer()
    recorder = Recorder()
    transport, seen = scripted(httpx.Response(500))
    http = make_http(
        transport,
        clock,
        recorder,
        read_retries=0,
        breaker_failure_threshold=3,
        breaker_reset_timeout=10,
    )
    for _ in range(3):
        with pytest.raises(BackendUnavailable):
            await http.read("list", "GET", "/x")
    assert http.breaker.state is BreakerState.OPEN
    with pytest.raises(BackendUnavailable, match="circuit breaker open"):
        await http.read("list", "GET", "/x")
    assert len(seen) == 3  # the open breaker answered without a network call
    clock.now += 10
    transport.handler = lambda request: httpx.Response(200, json={})
    response = await http.read("list", "GET", "/x")
    assert response.status_code == 200
    assert http.breaker.state is BreakerState.CLOSED
    assert recorder.breaker == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]


async def test_a_failed_probe_opens_the_breaker_again() -> None:
    clock = FakeTimer()
    transport, seen = scripted(httpx.Response(503))
    http = make_http(
        transport, clock, read_retries=0, breaker_failure_threshold=1, breaker_reset_timeout=5
    )
    with pytest.raises(BackendUnavailable):
        await http.read("list", "GET", "/x")
    clock.now += 5
    with pytest.raises(BackendUnavailable, match="answered 503"):
        await http.read("list", "GET", "/x")
    with pytest.raises(BackendUnavailable, match="circuit breaker open"):
        await http.read("list", "GET", "/x")
    assert len(seen) == 2


async def test_call_logs_carry_no_url_and_no_identity_number(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport, _ = scripted(httpx.Response(200, json={}))
    http = make_http(transport)
    with caplog.at_level(logging.INFO, logger="tidbok.backend"):
        await http.read(
            "bookings_for", "GET", "/bokningar", params={"personnummer": "19121212-1212"}
        )
    assert "operation=bookings_for" in caplog.text
    assert "status=200" in caplog.text
    assert "attempt=1" in caplog.text
    assert "1212" not in caplog.text.replace("19121212", "")


async def test_write_with_readback_finds_a_write_that_happened() -> None:
    async def write() -> str:
        raise OutcomeUnknown("connection cut")

    answers = iter([None, "bk-7"])

    async def read_back() -> str | None:
        return next(answers)

    assert await write_with_readback(write, read_back, pause=0) == "bk-7"


async def test_write_with_readback_reports_unknown_when_nothing_is_found() -> None:
    async def write() -> str:
        raise BackendProtocolError("malformed")

    async def read_back() -> str | None:
        return None

    with pytest.raises(OutcomeUnknown, match="reading back found nothing"):
        await write_with_readback(write, read_back, pause=0)


async def test_write_with_readback_does_not_mask_a_clear_refusal() -> None:
    async def write() -> str:
        raise BackendUnavailable("503")

    async def read_back() -> str | None:
        raise AssertionError("must not read back after a clear failure")

    with pytest.raises(BackendUnavailable):
        await write_with_readback(write, read_back)


async def test_httpx_request_logs_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs each URL it sends at INFO: with an auth flow (PMO's OAuth) requests go through
    httpx's client, whose log line is masked; without one they go straight to the transport and
    only tidbok's own call log (no URL) is written."""
    transport, _ = scripted(httpx.Response(200, json={}), httpx.Response(200, json={}))
    plain = make_http(transport)
    with_auth = BackendHttp(
        system="test",
        backend="b1",
        base_url="http://backend.test",
        resilience=ResilienceSettings(),
        auth=httpx.BasicAuth("tidbok", "secret"),
        transport=transport,
    )
    with caplog.at_level(logging.INFO):
        for http in (with_auth, plain):
            await http.read(
                "bookings_for", "GET", "/bokningar", params={"personnummer": "19121212-1212"}
            )
    httpx_lines = [r for r in caplog.records if r.name == "httpx"]
    assert len(httpx_lines) == 1
    assert "HTTP Request: GET" in httpx_lines[0].getMessage()
    calls = [r for r in caplog.records if "backend_call" in r.getMessage()]
    assert len(calls) == 2
    assert "19121212-1212" not in caplog.text
    assert "1212" not in "".join(r.getMessage() for r in calls)


async def test_an_unsafe_write_is_retried_only_after_a_clear_refusal() -> None:
    transport, seen = scripted(
        httpx.Response(503, headers={"Retry-After": "0"}),
        httpx.Response(429),
        httpx.Response(201, json={"id": 1}),
    )
    http = make_http(transport, read_retries=2)
    response = await http.write("book", "POST", "/bookings", retry=False, json={})
    assert response.status_code == 201
    assert len(seen) == 3
    transport, seen = scripted(httpx.Response(500), httpx.Response(201, json={}))
    http = make_http(transport, read_retries=2)
    with pytest.raises(OutcomeUnknown):
        await http.write("book", "POST", "/bookings", retry=False, json={})
    assert len(seen) == 1  # a 500 may come after the write: never repeated blindly, read back


async def test_a_lost_connection_on_a_read_is_unavailable_not_a_timeout() -> None:
    transport, _ = scripted(httpx.RemoteProtocolError("reset"))
    http = make_http(transport, read_retries=1, breaker_failure_threshold=10)
    with pytest.raises(BackendUnavailable) as failed:
        await http.read("list", "GET", "/things")
    assert not isinstance(failed.value, BackendTimeout)


async def test_a_garbled_read_is_retried_and_then_a_protocol_error() -> None:
    garbled = httpx.Response(200, text='{"poster": [', headers={"content-type": "application/json"})
    transport, seen = scripted(garbled, httpx.Response(200, json={"ok": True}))
    http = make_http(transport)
    assert (await http.read("list", "GET", "/x")).json() == {"ok": True}
    assert len(seen) == 2
    transport, seen = scripted(garbled)
    http = make_http(transport, read_retries=2, breaker_failure_threshold=10)
    with pytest.raises(BackendProtocolError):
        await http.read("list", "GET", "/x")
    assert len(seen) == 3


# -- time: the injected timer, the deadline and the call budget ---------------------------------


def hanging(timer: FakeTimer) -> tuple[httpx.MockTransport, list[float]]:
    """A backend that never answers: each attempt uses up its whole timeout on the fake timer."""
    timeouts: list[float] = []

    def handle(request: httpx.Request) -> httpx.Response:
        timeout = request.extensions["timeout"]["read"]
        timeouts.append(timeout)
        timer.advance(timeout)
        raise httpx.ReadTimeout("no answer", request=request)

    return httpx.MockTransport(handle), timeouts


async def test_retry_after_is_waited_on_the_injected_timer() -> None:
    timer = FakeTimer()
    transport, seen = scripted(
        httpx.Response(503, headers={"Retry-After": "1"}), httpx.Response(200, json={})
    )
    http = make_http(transport, timer)
    assert (await http.read("list", "GET", "/x")).status_code == 200
    assert timer.slept == [1.0]  # the wait Retry-After asked for, and no real one
    assert len(seen) == 2


async def test_backoff_is_waited_on_the_injected_timer() -> None:
    timer = FakeTimer()
    transport, seen = scripted(httpx.Response(500), httpx.Response(500), httpx.Response(200))
    http = make_http(transport, timer, backoff_initial=0.1, backoff_max=0.15)
    await http.read("list", "GET", "/x")
    assert len(seen) == 3
    first, second = timer.slept  # jittered, doubling, capped
    assert 0 <= first <= 0.1
    assert 0 <= second <= 0.15


async def test_a_hung_backend_read_ends_at_the_default_deadline() -> None:
    timer = FakeTimer()
    transport, timeouts = hanging(timer)
    defaults = ResilienceSettings()
    http = http_with(defaults, transport, timer)
    started = timer.now
    with pytest.raises(BackendTimeout):
        await http.read("list", "GET", "/x")
    assert timer.now - started == pytest.approx(defaults.deadline)  # 2.5 s: within the 3 s SLA
    assert len(timeouts) == 1 + defaults.read_retries  # the retries fit, the last one shortened
    assert timeouts[:2] == [defaults.attempt_timeout] * 2
    assert timeouts[2] < defaults.attempt_timeout


async def test_a_call_budget_shorter_than_the_deadline_wins() -> None:
    timer = FakeTimer()
    transport, timeouts = hanging(timer)
    http = http_with(ResilienceSettings(backoff_initial=0), transport, timer)
    started = timer.now
    with call_budget(1.5, timer.monotonic), pytest.raises(BackendTimeout):
        await http.read("list", "GET", "/x")
    assert timer.now - started == pytest.approx(1.5)
    assert timeouts == [1.0, pytest.approx(0.5)]
    assert http.time_left() == ResilienceSettings().deadline  # outside the budget again


async def test_a_spent_budget_sends_nothing() -> None:
    timer = FakeTimer()
    transport, seen = scripted(httpx.Response(200, json={}))
    http = make_http(transport, timer)
    with call_budget(1.0, timer.monotonic):
        timer.advance(1.0)
        with pytest.raises(BackendTimeout, match="deadline passed"):
            await http.read("list", "GET", "/x")
    assert seen == []


async def test_an_attempt_is_bounded_as_a_whole() -> None:
    """A transport that ignores httpx's timeouts (like a hung token request) is cut off too."""

    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    http = make_http(httpx.MockTransport(never), attempt_timeout=0.05, read_retries=0)
    with pytest.raises(BackendTimeout, match="no answer in time"):
        await http.read("list", "GET", "/x")


async def test_write_with_readback_stops_when_the_call_budget_is_spent() -> None:
    timer = FakeTimer()
    reads: list[float] = []

    async def write() -> str:
        timer.advance(0.9)
        raise OutcomeUnknown("no answer")

    async def read_back() -> str | None:
        reads.append(timer.now)
        return None

    with call_budget(1.0, timer.monotonic), pytest.raises(OutcomeUnknown):
        await write_with_readback(write, read_back, pause=0.2, sleep=timer.sleep)
    assert len(reads) == 1  # a pause of 0.2 s would pass the budget: no second read-back
    assert timer.slept == []


def test_backends_share_one_default_tls_context() -> None:
    """Building a TLS context per backend cost ~21 ms and ~840 KiB each (issue 17)."""
    from tidbok.backend_http import shared_tls_context

    first = BackendHttp(
        system="x", backend="a", base_url="https://a.example", resilience=ResilienceSettings()
    )
    second = BackendHttp(
        system="x", backend="b", base_url="https://b.example", resilience=ResilienceSettings()
    )
    pools = [client.client._transport for client in (first, second)]
    assert all(isinstance(pool, AiohttpTransport) for pool in pools)
    assert pools[0].tls is pools[1].tls is shared_tls_context()  # type: ignore[attr-defined]


class _NoAuth(httpx.Auth):
    """An auth flow that changes nothing: the request goes through httpx's client."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield request


@pytest.mark.parametrize(
    ("base_url", "path"),
    [
        ("http://backend.test", "/bokningar"),
        ("http://backend.test/api/v2", "enheter/SE2321000016-0001/lediga-tider"),
        ("http://backend.test/api/v2/", "/enheter/x y/tider"),
        ("http://backend.test/api", "https://other.test/absolute?a=1"),
    ],
)
async def test_without_auth_the_backend_gets_what_httpx_s_client_sends(
    base_url: str, path: str
) -> None:
    """Without an auth flow requests skip httpx's client: the backend must see the same request
    (URL merged with the base, query, headers, body) as through the client."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    for auth in (_NoAuth(), None):
        http = BackendHttp(
            system="test",
            backend="b1",
            base_url=base_url,
            resilience=ResilienceSettings(),
            auth=auth,
            headers={"X-Api-Key": "k"},
            transport=httpx.MockTransport(handle),
        )
        await http.write(
            "book",
            "POST",
            path,
            retry=False,
            params={"person": "19121212-1212", "n": 2},
            headers={"Idempotency-Key": "abc"},
            json={"slot": "S1"},
        )
    through_client, direct = seen
    assert str(direct.url) == str(through_client.url)
    assert direct.method == through_client.method
    assert dict(direct.headers) == dict(through_client.headers)
    assert direct.content == through_client.content
