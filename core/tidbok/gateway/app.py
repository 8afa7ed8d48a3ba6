"""The aiohttp application: middlewares (access log, metrics, problem+json) and the routes."""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from tidbok.errors import InvalidInput, TechnicalFault, TidbokError
from tidbok.gateway.auth import TokenVerifier
from tidbok.gateway.http_guard import add_security_headers
from tidbok.gateway.metrics import GatewayMetrics
from tidbok.gateway.problems import (
    GatewayProblem,
    InternalError,
    MethodNotAllowed,
    Problem,
    RouteNotFound,
    problem_for_error,
    problem_for_gateway,
)
from tidbok.gateway.readiness import BackendProbes
from tidbok.gateway.requests import MAX_BODY_BYTES, RequestInvalid
from tidbok.gateway.routes import ROUTES
from tidbok.gateway.state import STATE_KEY, GatewayState
from tidbok.gateway.store import GatewayStore
from tidbok.logsafe import redact
from tidbok.service import BookingService
from tidbok.settings import GatewaySettings

log = logging.getLogger("tidbok.gateway")


def _route_label(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def access_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """One log line and the request metrics per request; paths are logged as route templates."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    finally:
        elapsed = time.perf_counter() - started
        route = _route_label(request)
        metrics = request.app[STATE_KEY].metrics
        metrics.requests.inc(method=request.method, route=route, status=str(status))
        metrics.request_seconds.observe(elapsed, method=request.method, route=route)
        log.info(
            "method=%s route=%s status=%d duration_ms=%.1f",
            request.method,
            route,
            status,
            elapsed * 1000,
        )


@web.middleware
async def problem_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into RFC 9457 problem+json; technical detail goes to the log only."""
    state = request.app[STATE_KEY]
    instance = request.path
    try:
        return await handler(request)
    except TidbokError as error:
        if isinstance(error, TechnicalFault):
            log.warning(
                "route=%s technical fault %s: %s",
                _route_label(request),
                error.code,
                redact(error.detail),
            )
        problem = problem_for_error(error, instance, state.settings.retry_after)
        if isinstance(error, RequestInvalid):
            problem.extra["errors"] = error.errors
        elif isinstance(error, InvalidInput):  # the core's details name fields, never values
            problem.extra["errors"] = [error.detail]
        return problem.response()
    except GatewayProblem as error:
        return problem_for_gateway(error, instance).response()
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return _http_problem(error, instance).response()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("route=%s failed unexpectedly", _route_label(request))
        return problem_for_gateway(InternalError(), instance).response()


def _http_problem(error: web.HTTPException, instance: str) -> Problem:
    if error.status == 404:
        return problem_for_gateway(RouteNotFound(), instance)
    if error.status == 405:
        problem = problem_for_gateway(MethodNotAllowed(), instance)
        allow = error.headers.get("Allow")
        if allow:
            problem.headers["Allow"] = allow
        return problem
    if error.status == 413:
        problem = problem_for_error(RequestInvalid("the request body is too large"), instance)
        problem.status = 413
        return problem
    if error.status < 500:
        return problem_for_error(RequestInvalid(error.reason), instance)
    return problem_for_gateway(InternalError(), instance)


def create_app(
    service: BookingService,
    store: GatewayStore,
    settings: GatewaySettings | None = None,
    metrics: GatewayMetrics | None = None,
) -> web.Application:
    """The gateway application over ``service``; ``store`` must be open while it serves."""
    settings = settings or service.settings.gateway
    state = GatewayState(
        service=service,
        settings=settings,
        verifier=TokenVerifier(settings, service.clock),
        store=store,
        metrics=metrics or GatewayMetrics(),
        probes=BackendProbes(settings.readiness_cache, service.timer.monotonic),
    )
    app = web.Application(
        middlewares=[access_middleware, problem_middleware], client_max_size=MAX_BODY_BYTES
    )
    app[STATE_KEY] = state
    app.on_response_prepare.append(add_security_headers)
    for route in ROUTES:
        app.router.add_route(route.method, route.path, route.handler, name=route.operation_id)
    if service.settings.riv.enabled:
        from tidbok.gateway.riv import riv_routes  # lxml is loaded only when the producer is on

        app.router.add_routes(riv_routes(service.settings.riv))
    return app
