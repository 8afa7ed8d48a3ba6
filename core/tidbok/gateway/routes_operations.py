"""Operations routes, without authentication: liveness, readiness, metrics, the OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from tidbok.gateway.readiness import readiness
from tidbok.gateway.requests import parse_query
from tidbok.gateway.routes_common import RouteSpec, gateway_state, json_response
from tidbok.gateway.schemas import EmptyQuery, HealthOut, ReadyOut


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    parse_query(request, EmptyQuery)
    return json_response(HealthOut(status="ok"))


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the store answers and the backends are reachable (breakers shown)."""
    parse_query(request, EmptyQuery)
    ready = await readiness(gateway_state(request))
    return json_response(ready, status=503 if ready.status == "unavailable" else 200)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus metrics in the text exposition format."""
    parse_query(request, EmptyQuery)
    state = gateway_state(request)
    await readiness(state, probe=False)
    return web.Response(
        text=state.metrics.render(),
        content_type="text/plain",
        charset="utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


async def openapi_document(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 document of this API."""
    # Imported here: the document is built from the route table, which lists this handler.
    from tidbok.gateway.openapi import build_openapi

    parse_query(request, EmptyQuery)
    return web.json_response(build_openapi())


#: The operations routes.
OPERATION_ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec(
        "GET",
        "/healthz",
        healthz,
        "healthz",
        "Liveness",
        "operations",
        response=HealthOut,
        auth=False,
    ),
    RouteSpec(
        "GET",
        "/readyz",
        readyz,
        "readyz",
        "Readiness",
        "operations",
        response=ReadyOut,
        auth=False,
        errors=(503,),
    ),
    RouteSpec(
        "GET",
        "/metrics",
        metrics,
        "metrics",
        "Prometheus metrics",
        "operations",
        auth=False,
        content_type="text/plain",
    ),
    RouteSpec(
        "GET",
        "/openapi.json",
        openapi_document,
        "openapi",
        "This document",
        "operations",
        auth=False,
    ),
)
