"""HTTP to a scheduling-system backend, with the resilience every plugin shares.

One :class:`BackendHttp` per backend holds one ``httpx.AsyncClient`` over an aiohttp connection
pool (:mod:`tidbok.backend_transport` says why) and applies:

* at most ``resilience.max_connections`` requests in flight; the others wait their turn in a fair
  queue, and the wait counts against the deadline: a call that cannot get a connection in time
  fails as :class:`~tidbok.errors.BackendTimeout` (never sent, so never counted by the breaker);
* a per-attempt timeout and an overall deadline (:class:`~tidbok.settings.ResilienceSettings`),
  never past the budget of the citizen call it serves (:mod:`tidbok.budget`);
* retries with jittered exponential backoff for reads and for writes the backend deduplicates
  itself (an idempotency key), honouring ``Retry-After``, only while the deadline leaves time for
  them. A plain loop (it replaced tenacity): a first attempt that succeeds builds nothing for
  retries, which profiles showed per call;
* a :class:`~tidbok.breaker.CircuitBreaker` that opens after repeated failures, answers "backend
  unavailable" at once while open, and lets one probe through before it closes again;
* one structured log line per call (system, operation, status, duration, attempt), with no URL
  and so no personal identity number.

Failures become typed errors. A write whose outcome is unknown (the connection broke or timed out
after the request was sent, or the backend answered a 5xx other than 503, which it may send after
it wrote) raises :class:`~tidbok.errors.OutcomeUnknown`, so the plugin can read the schedule back
instead of guessing (:func:`~tidbok.readback.write_with_readback`). Only a refused connection, a 429
or a 503 proves that a write did not happen. Both, and the breaker's names, are re-exported here,
where plugins have always imported them.

Elapsed time and waiting come from the injected ``monotonic`` and ``sleep`` (a
:class:`~tidbok.clock.Timer`'s), so tests drive retries and the breaker without real sleeps.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from tidbok.backend_failures import (
    Transient,
    ambiguous,
    garbled_json,
    retry_after_seconds,
    unknown,
)
from tidbok.backend_transport import AiohttpTransport, FairQueue, shared_tls_context
from tidbok.breaker import BreakerState, CircuitBreaker
from tidbok.budget import budget_left
from tidbok.errors import (
    BackendProtocolError,
    BackendTimeout,
    BackendUnavailable,
    OutcomeUnknown,
)
from tidbok.logsafe import RedactingFilter
from tidbok.readback import write_with_readback
from tidbok.settings import ResilienceSettings

__all__ = [
    "BackendHttp",
    "BreakerState",
    "CallObserver",
    "CallRecord",
    "CircuitBreaker",
    "OutcomeUnknown",
    "shared_tls_context",
    "write_with_readback",
]

log = logging.getLogger("tidbok.backend")

# httpx logs every request URL at INFO, and some systems carry the personal identity number in the
# query string. A filter on httpx's own logger masks it wherever the application sends its logs.
logging.getLogger("httpx").addFilter(RedactingFilter())


@dataclass(frozen=True)
class CallRecord:
    """One backend call, for logs and metrics."""

    system: str
    backend: str
    operation: str
    status: int | None
    outcome: str
    duration: float
    attempt: int


class CallObserver(Protocol):
    """Receives every backend call and breaker change (the gateway's metrics implement this)."""

    def record_call(self, record: CallRecord) -> None:
        """Called after each HTTP attempt."""

    def record_breaker(self, system: str, backend: str, state: BreakerState) -> None:
        """Called when a backend's circuit breaker changes state."""


Definite = Callable[[httpx.Response], bool] | None
"""Tells a 5xx that is a definite answer from a failure (see :meth:`BackendHttp.read`)."""


class BackendHttp:
    """Resilient HTTP to one backend. Create it in ``connect`` and close it in ``aclose``.

    ``verify`` is how the backend's certificate is checked: an ``ssl.SSLContext`` carries a
    client certificate for mutual TLS and the CA bundle that signs the backend's; by default
    every backend shares one context with the system's CAs (:func:`shared_tls_context`).
    ``monotonic`` and ``sleep`` are its time: deadlines, backoff, ``Retry-After`` and the
    breaker's reset timeout are measured and waited with them.
    """

    def __init__(
        self,
        *,
        system: str,
        backend: str,
        base_url: str,
        resilience: ResilienceSettings,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        observer: CallObserver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | bool | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.system = system
        self.backend = backend
        self.resilience = resilience
        self._observer = observer
        self.monotonic = monotonic
        """The time source of deadlines and the breaker; plugins measure their own waits with it."""
        self.sleep = sleep
        """How this client waits (backoff, ``Retry-After``); plugins pause with it too."""
        self.breaker = CircuitBreaker(
            resilience.breaker_failure_threshold,
            resilience.breaker_reset_timeout,
            on_change=self._breaker_changed,
            monotonic=monotonic,
        )
        self._queue = FairQueue(resilience.max_connections)
        if transport is None:
            transport = AiohttpTransport(
                verify=shared_tls_context() if verify is None or verify is True else verify,
                max_connections=resilience.max_connections,
            )
        self.client = httpx.AsyncClient(
            base_url=base_url,
            auth=auth,
            headers=dict(headers or {}),
            timeout=httpx.Timeout(resilience.attempt_timeout),
            transport=transport,
        )
        # Without an auth flow nothing of the client's machinery applies to a backend call (no
        # redirects are followed, APIs keep no cookie session): requests go straight to the
        # transport, which saved ~110 µs CPU per call (URL merging, cookies, flows).
        self._transport: httpx.AsyncBaseTransport | None = transport if auth is None else None
        self._base_url = str(self.client.base_url).rstrip("/") + "/"

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()

    def time_left(self) -> float:
        """Seconds an operation started now may take: the deadline, or less if the budget of the
        citizen call in progress has less left."""
        left = budget_left()
        deadline = self.resilience.deadline
        return deadline if left is None else min(deadline, left)

    async def read(
        self, operation: str, method: str, path: str, *, definite: Definite = None, **kwargs: Any
    ) -> httpx.Response:
        """A safe request: retried on transient failures within the deadline.

        ``definite`` tells a 5xx that is a definite answer (a SOAP ``Client`` fault: the backend
        read the request and refused it) from a failure: such an answer is returned as it is,
        never retried, and does not count against the breaker.
        """
        return await self._send(
            operation, method, path, retry=True, write=False, definite=definite, **kwargs
        )

    async def write(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        retry: bool,
        definite: Definite = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """A state-changing request.

        Answers that prove the backend did not act (no connection, 429, 503) are always retried
        within the deadline. Anything else is retried only when ``retry`` is true, i.e. when the
        backend deduplicates (an idempotency key that stays the same across attempts); otherwise
        an ambiguous failure (a timeout, a cut connection, a 5xx other than 503) raises
        :class:`OutcomeUnknown` after the first attempt. A retried write whose last attempt was
        ambiguous raises it too. ``definite`` as for :meth:`read`: the backend did not act.
        """
        return await self._send(
            operation, method, path, retry=retry, write=True, definite=definite, **kwargs
        )

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        retry: bool,
        write: bool,
        definite: Definite,
        **kwargs: Any,
    ) -> httpx.Response:
        deadline = self.monotonic() + self.time_left()
        attempts = 1 + self.resilience.read_retries
        number = 1
        while True:
            try:
                return await self._queued_attempt(
                    operation, method, path, number, deadline, write, retry, definite, **kwargs
                )
            except Transient as failed:
                if not (retry or failed.refused):
                    raise failed.error from None
                delay = self._backoff(number, failed, deadline)
                if number >= attempts:
                    raise failed.error from None
            await self.sleep(delay)
            number += 1

    def _backoff(self, number: int, failed: Transient, deadline: float) -> float:
        """Seconds to wait after failed attempt ``number``: full jitter, at least the backend's
        ``Retry-After``; the failure's error if the deadline would pass first."""
        settings = self.resilience
        backoff = min(settings.backoff_max, settings.backoff_initial * 2 ** (number - 1))
        delay = random.uniform(0, backoff)
        if failed.retry_after is not None:
            delay = max(delay, failed.retry_after)
        if delay >= deadline - self.monotonic():
            raise failed.error from None
        return delay

    async def _queued_attempt(
        self,
        operation: str,
        method: str,
        path: str,
        number: int,
        deadline: float,
        write: bool,
        retry: bool,
        definite: Definite,
        **kwargs: Any,
    ) -> httpx.Response:
        """One attempt once a connection is free: waiting in the queue counts against the
        deadline, but a call that never got a connection was never sent, so the breaker does
        not count it and it is a timeout, not an unknown outcome."""
        if not self._queue.try_acquire():
            started = self.monotonic()
            try:
                async with asyncio.timeout(max(deadline - started, 0.0)):
                    await self._queue.acquire(deadline)
            except TimeoutError:
                self._record(operation, None, "queue_timeout", started, number)
                raise BackendTimeout(
                    f"{operation}: no free connection to the backend before the deadline"
                ) from None
        try:
            return await self._attempt(
                operation, method, path, number, deadline, write, retry, definite, **kwargs
            )
        finally:
            self._queue.release()

    async def _attempt(
        self,
        operation: str,
        method: str,
        path: str,
        number: int,
        deadline: float,
        write: bool,
        retry: bool,
        definite: Definite,
        **kwargs: Any,
    ) -> httpx.Response:
        self.breaker.before_call()
        remaining = deadline - self.monotonic()
        if remaining <= 0:
            raise BackendTimeout(f"{operation}: the deadline passed before the call")
        started = self.monotonic()
        status: int | None = None
        outcome = "ok"
        try:
            timeout = min(self.resilience.attempt_timeout, remaining)
            # httpx bounds each phase (pool, connect, write, read) alone, and a token request of
            # the auth flow has its own timeout: the attempt as a whole is bounded here.
            async with asyncio.timeout(timeout):
                response = await self._request(method, path, timeout, kwargs)
                status = response.status_code
                await response.aread()
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            outcome = "connect_error"
            self.breaker.record_failure()
            raise Transient(
                BackendUnavailable(f"{operation}: cannot connect ({type(error).__name__})"),
                refused=True,
            ) from None
        except (httpx.TimeoutException, TimeoutError):
            outcome = "timeout"
            self.breaker.record_failure()
            raise ambiguous(f"{operation}: no answer in time", write, retry, lost=False) from None
        except httpx.TransportError as error:
            outcome = "connection_lost"
            self.breaker.record_failure()
            detail = f"{operation}: connection lost ({type(error).__name__})"
            raise ambiguous(detail, write, retry, lost=True) from None
        finally:
            self._record(
                operation, status, outcome if status is None else str(status), started, number
            )
        if status >= 500 and definite is not None and definite(response):
            self.breaker.record_success()
            return response
        if status >= 500 or status == 429:
            self.breaker.record_failure()
            retry_after = retry_after_seconds(response)
            refused = status in (429, 503)
            if write and not refused:
                # The backend may have written before it failed (e.g. committed, then 500).
                detail = f"{operation}: backend answered {status} after the request was sent"
                raise unknown(detail, retry, retry_after)
            raise Transient(
                BackendUnavailable(f"{operation}: backend answered {status}", retry_after),
                retry_after,
                refused=refused,
            )
        if not write and garbled_json(response):
            # Reading again is safe, and a garbled answer is often a one-off: retry it.
            self.breaker.record_failure()
            raise Transient(BackendProtocolError(f"{operation}: the answer is not valid JSON"))
        self.breaker.record_success()
        return response

    async def _request(
        self, method: str, path: str, seconds: float, kwargs: dict[str, Any]
    ) -> httpx.Response:
        """One HTTP exchange: through the client when it has an auth flow, else straight to the
        transport with the client's headers and base URL (``path`` relative to it, as httpx
        merges it, unless it is an absolute URL)."""
        if self._transport is None:
            return await self.client.request(method, path, timeout=httpx.Timeout(seconds), **kwargs)
        url = path if "://" in path else self._base_url + path.lstrip("/")
        extra = kwargs.pop("headers", None)
        headers = self.client.headers
        if extra:
            headers = headers.copy()
            headers.update(extra)
        request = httpx.Request(
            method,
            url,
            headers=headers,
            extensions={"timeout": httpx.Timeout(seconds).as_dict()},
            **kwargs,
        )
        response = await self._transport.handle_async_request(request)
        response.request = request
        return response

    def _record(
        self, operation: str, status: int | None, outcome: str, started: float, attempt: int
    ) -> None:
        duration = self.monotonic() - started
        log.info(
            "backend_call system=%s backend=%s operation=%s status=%s duration_ms=%.1f attempt=%d",
            self.system,
            self.backend,
            operation,
            outcome,
            duration * 1000,
            attempt,
        )
        if self._observer is not None:
            self._observer.record_call(
                CallRecord(self.system, self.backend, operation, status, outcome, duration, attempt)
            )

    def _breaker_changed(self, state: BreakerState) -> None:
        if self._observer is not None:
            self._observer.record_breaker(self.system, self.backend, state)
