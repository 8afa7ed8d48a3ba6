"""How a backend's requests reach it: httpx's API over aiohttp's connection pool, and a fair queue.

:class:`~tidbok.backend_http.BackendHttp` keeps ``httpx.AsyncClient`` as its API (plugins build
``httpx`` requests, auth flows such as :class:`~tidbok.oauth.ClientCredentialsAuth` are
``httpx.Auth``, tests inject ``httpx.MockTransport``) but sends over :class:`AiohttpTransport`.
httpcore's pool, httpx's default, matches every queued request against every connection on each
event: with 1,000 requests queued on 100 connections that bookkeeping took 91 % of the gateway's
CPU, requests hit the pool timeout, the breaker opened and a booking race on a fresh gateway
booked 0-31 of 100 slots. aiohttp's ``TCPConnector`` hands a connection over in O(1).

Why a transport of our own rather than the ``httpx-aiohttp`` package (0.2.0): its error map
turns every ``aiohttp.ClientConnectionError`` into ``httpx.ConnectTimeout``, so a connection
reset *after* a write was sent would read as "never sent" and the write would be retried blindly.
Here the map is exact, which :class:`BackendHttp`'s typed errors depend on:

* a refused connection, a failed DNS lookup or TLS handshake: ``httpx.ConnectError`` (the request
  was never sent); a connect timeout: ``httpx.ConnectTimeout``;
* a read timeout: ``httpx.ReadTimeout``;
* the server hung up, reset the connection or broke off the body: ``httpx.RemoteProtocolError``
  or ``httpx.ReadError`` (the request may have been acted on: a write's outcome is unknown).

aiohttp's own resend of an idempotent request on a broken keep-alive connection is switched
off: every resend is :class:`BackendHttp`'s decision. The transport shares the TLS context it is
given (client certificates for mutual TLS included), keeps no cookies of its own (httpx handles
them) and leaves decompression to httpx. It connects directly: proxies named in the environment,
which httpx's own transport applied, are not (aiohttp's ``trust_env`` would look them up, and
``~/.netrc``, in a thread on every request).

:class:`FairQueue` caps the requests in flight to one backend at its pool size: the others wait
their turn (earliest call deadline first, i.e. first come, first served by citizen call) instead
of all contending for the pool at once.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import itertools
import ssl

import aiohttp
import httpx
from yarl import URL

__all__ = ["AiohttpTransport", "FairQueue", "shared_tls_context"]


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """The one default TLS context (the system's CAs) every backend without TLS settings of its
    own shares: building one per backend cost ~21 ms CPU and ~840 KiB each (200 backends:
    seconds of start-up and 165 MiB)."""
    return ssl.create_default_context()


_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    # Most specific first: the first match wins.
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),
    (aiohttp.InvalidURL, httpx.UnsupportedProtocol),
    (aiohttp.ClientError, httpx.ReadError),
)


def _httpx_error(error: Exception, request: httpx.Request) -> httpx.TransportError | None:
    """The httpx error that says what ``error`` means for ``request``; None if it is no aiohttp
    failure."""
    for raised, meant in _ERRORS:
        if isinstance(error, raised):
            return meant(f"{type(error).__name__}: {error}", request=request)
    return None


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport over one aiohttp connection pool of ``max_connections`` connections.

    ``verify`` is an ``ssl.SSLContext`` (the CAs to trust and any client certificate) or False
    (no certificate check). The pool is opened on the first request, in the running event loop.
    An idle connection is closed after ``keepalive_expiry`` seconds (5, httpx's default), before
    most servers drop theirs, so a write seldom meets a connection the server already closed.
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool,
        max_connections: int,
        keepalive_expiry: float = 5.0,
    ) -> None:
        self._verify = verify
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._session: aiohttp.ClientSession | None = None

    @property
    def tls(self) -> ssl.SSLContext | bool:
        """The TLS context every connection of the pool uses; False: no certificate check."""
        return self._verify

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                ssl=self._verify if isinstance(self._verify, ssl.SSLContext) else False,
                keepalive_timeout=self._keepalive_expiry,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
            )
            # aiohttp silently resends a GET, PUT or DELETE once when a reused connection turns
            # out broken; BackendHttp decides about every resend itself (a PUT may have been
            # acted on), so that is off. There is no public switch: this is what aiohttp's own
            # test client sets.
            self._session._retry_connection = False
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read the whole answer; aiohttp failures become httpx's."""
        session = self._open()
        timeouts = request.extensions.get("timeout", {})
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read")
        )
        body = await request.aread()
        try:
            async with session.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                timeout=timeout,
            ) as answer:
                content = await answer.read()
        except aiohttp.ClientError as error:
            mapped = _httpx_error(error, request)
            if mapped is None:  # pragma: no cover - every ClientError maps
                raise
            raise mapped from error
        extensions: dict[str, object] = {"http_version": b"HTTP/1.1"}
        if answer.reason:
            extensions["reason_phrase"] = answer.reason.encode("ascii", "replace")
        return httpx.Response(
            answer.status,
            headers=answer.raw_headers,
            content=content,
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close the pool and its connections."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class FairQueue:
    """At most ``size`` holders at once; the others wait their turn, earliest deadline first.

    Every backend request of a citizen call carries the call's deadline, and calls get the same
    budget, so this is first come, first served by call: a call that already made one request
    (its slot check) books before calls that arrived after it, and nobody is overtaken by a call
    that arrived later. Requests with equal deadlines go in arrival order. A waiter that is
    cancelled (its own deadline passed) leaves the queue, and a place handed to it as it was
    cancelled is passed on.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._free = size
        self._arrivals = itertools.count()
        self._waiters: list[tuple[float, int, asyncio.Future[None]]] = []

    def try_acquire(self) -> bool:
        """Take a place if one is free and nobody waits for it; never waits."""
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return True
        return False

    async def acquire(self, deadline: float) -> None:
        """Wait for a place, in turn."""
        if self.try_acquire():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (deadline, next(self._arrivals), waiter))
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the place came just as the wait ended: pass it on
            raise  # a cancelled waiter stays in the heap until release() skips it

    def release(self) -> None:
        """Give the place back: to the waiter whose deadline comes first, if there is one."""
        while self._waiters:
            _, _, waiter = heapq.heappop(self._waiters)
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1
