"""What every route module of API v1 shares: the route spec, the gateway state, JSON answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from tidbok.gateway.requests import RequestInvalid
from tidbok.gateway.state import STATE_KEY, GatewayState
from tidbok.identity import normalize_hsa_id

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: The error statuses of a citizen read at one unit.
READ_ERRORS = (400, 401, 404, 422, 502, 503, 504)
#: The error statuses of a citizen write at one unit.
WRITE_ERRORS = (400, 401, 404, 409, 415, 422, 502, 503, 504)


@dataclass(frozen=True)
class RouteSpec:
    """One route: how the app registers it and how the OpenAPI document describes it."""

    method: str
    path: str
    handler: Handler
    operation_id: str
    summary: str
    tag: str
    status: int = 200
    response: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    body_optional: bool = False
    query: type[BaseModel] | None = None
    auth: bool = True
    errors: tuple[int, ...] = ()
    idempotency_key: bool = False
    content_type: str = "application/json"
    extra: dict[str, Any] | None = None


def gateway_state(request: web.Request) -> GatewayState:
    """The gateway's state (service, store, metrics, auth) of the app serving ``request``."""
    return request.app[STATE_KEY]


def json_response(model: BaseModel, status: int = 200) -> web.Response:
    """A JSON answer from an ``*Out`` model (times ISO 8601 with offset)."""
    return web.Response(
        status=status, text=model.model_dump_json(), content_type="application/json"
    )


def unit_param(request: web.Request) -> str:
    """The normalized HSA-id in the path; RequestInvalid if it is not one."""
    raw = request.match_info["hsa_id"]
    try:
        return normalize_hsa_id(raw)
    except ValueError:
        raise RequestInvalid("hsa_id: not an HSA-id (expected e.g. SE2321000016-1234)") from None
