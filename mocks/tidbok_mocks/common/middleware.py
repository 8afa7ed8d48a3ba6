"""Middlewares both mocks use: request log, error rendering and fault injection."""

from __future__ import annotations

import asyncio
import hmac
import logging
import socket
import struct
from collections.abc import Callable
from typing import Protocol

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from .clock import MockClock
from .context import ADMIN_TOKEN_HEADER, CONTEXT_KEY, is_admin_path
from .errors import ErrorKind, ErrorRenderer, MockError, kind_for_status
from .faults import FaultKind, FaultRegistry
from .requestlog import LoggedRequest, RequestLog

log = logging.getLogger(__name__)

FAULT_KEY = web.RequestKey("tidbok_mock_fault", FaultKind)
"""Set on a request when a fault fired for it."""

HANDLER_ANSWER_KEY = web.RequestKey("tidbok_mock_handler_answer", web.StreamResponse)
"""Set when a fault replaced the answer of a handler that ran (``commit_then_500``): the answer
the write really produced, which PMO's idempotency layer keeps for the key."""

#: Faults that let the real handler run, so that a write happens.
HANDLER_RUNS = frozenset(
    {
        FaultKind.DELAY,
        FaultKind.COMMIT_THEN_DROP,
        FaultKind.COMMIT_THEN_500,
        FaultKind.COMMIT_AFTER_CLIENT_TIMEOUT,
    }
)

MALFORMED_BODY = b'{"data": [{"id": "1", "start": "2026-'
"""The truncated JSON body a ``malformed`` fault answers with."""


def handler_ran(request: web.Request) -> bool:
    """Whether the real handler ran (no fault, or one that lets it run)."""
    fault = request.get(FAULT_KEY)
    return fault is None or fault in HANDLER_RUNS


def drop_connection(request: web.Request) -> None:
    """Cut the client's connection with a TCP reset, without answering."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            log.debug("could not set SO_LINGER before dropping the connection")
    transport.abort()


class LoggingState(Protocol):
    """What the request log needs of a mock's state."""

    clock: MockClock
    requests: RequestLog


def request_logger(
    state_of: Callable[[web.Request], LoggingState],
    key_of: Callable[[web.Request], str | None],
) -> Middleware:
    """Record every API request (not admin) with its final status, any fault and its key.

    ``key_of`` reads the request's idempotency key (a header, or the id in the path).
    """

    @web.middleware
    async def log_request(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if not is_admin_path(request.path):
            state = state_of(request)
            fault = request.get(FAULT_KEY)
            state.requests.record(
                LoggedRequest(
                    at=state.clock.now(),
                    method=request.method,
                    path=request.path,
                    query=request.query_string,
                    status=response.status,
                    fault=str(fault) if fault is not None else None,
                    idempotency_key=key_of(request),
                )
            )
        return response

    return log_request


#: The scheduling mocks' request log: state from the app's context, key from Idempotency-Key.
request_log_middleware = request_logger(
    lambda request: request.app[CONTEXT_KEY], lambda request: request.headers.get("Idempotency-Key")
)


@web.middleware
async def admin_token_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse admin requests without the mock's admin token, when it was started with one."""
    token = request.app[CONTEXT_KEY].admin_token
    if token is not None and is_admin_path(request.path):
        given = request.headers.get(ADMIN_TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise MockError(ErrorKind.UNAUTHORIZED, f"the admin API needs {ADMIN_TOKEN_HEADER}")
    return await handler(request)


def error_middleware(render: ErrorRenderer, render_admin: ErrorRenderer) -> Middleware:
    """Render every failure in the system's format (admin paths in the admin format)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        renderer = render_admin if is_admin_path(request.path) else render
        try:
            return await handler(request)
        except MockError as error:
            return renderer(error)
        except web.HTTPException as error:
            if error.status < 400:
                raise
            kind = kind_for_status(error.status)
            return renderer(MockError(kind, error.reason))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("unexpected error in mock handler")
            return renderer(MockError(ErrorKind.INTERNAL, "Internal error"))

    return middleware


def fault_middleware(registry: FaultRegistry, render: ErrorRenderer) -> Middleware:
    """Apply the first fault rule that fires for the request (never on admin paths)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if is_admin_path(request.path):
            return await handler(request)
        rule = registry.pick(request.method, request.path)
        if rule is None:
            return await handler(request)
        request[FAULT_KEY] = rule.kind
        retry = {"Retry-After": str(rule.spec.retry_after)}
        match rule.kind:
            case FaultKind.DELAY:
                await asyncio.sleep(rule.delay_seconds())
                return await handler(request)
            case FaultKind.HTTP_500:
                return render(MockError(ErrorKind.INTERNAL, "Injected internal error"))
            case FaultKind.HTTP_503:
                return render(
                    MockError(ErrorKind.UNAVAILABLE, "Injected unavailability", headers=retry)
                )
            case FaultKind.HTTP_429:
                return render(
                    MockError(ErrorKind.TOO_MANY_REQUESTS, "Injected rate limit", headers=retry)
                )
            case FaultKind.MALFORMED:
                return web.Response(
                    status=200, body=MALFORMED_BODY, content_type="application/json"
                )
            case FaultKind.RESET:
                drop_connection(request)
                return web.Response(status=204)
            case FaultKind.COMMIT_THEN_DROP:
                response = await handler(request)
                drop_connection(request)
                return response
            case FaultKind.COMMIT_THEN_500:
                try:
                    request[HANDLER_ANSWER_KEY] = await handler(request)
                except MockError as error:
                    request[HANDLER_ANSWER_KEY] = render(error)
                return render(MockError(ErrorKind.INTERNAL, "Injected internal error"))
            case FaultKind.COMMIT_AFTER_CLIENT_TIMEOUT:
                # The request arrives whole, then the write waits until the client has given up
                # (unlike ``delay``, which waits before the body is read).
                await request.read()
                await asyncio.sleep(rule.delay_seconds())
                return await handler(request)

    return middleware
