"""Admin routes for fault injection and the request log, shared by every mock (and the inbox)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from aiohttp import web

from .context import ADMIN_PREFIX
from .errors import ErrorKind, MockError
from .faults import FaultRegistry, FaultSpec
from .http import parse_body
from .requestlog import RequestLog


class FaultsAndLog(Protocol):
    """What these routes need of a mock's state."""

    faults: FaultRegistry
    requests: RequestLog


def fault_admin_routes(state_of: Callable[[web.Request], FaultsAndLog]) -> web.RouteTableDef:
    """``GET|POST|DELETE /__admin/faults``, ``DELETE /__admin/faults/{id}`` and
    ``GET|DELETE /__admin/requests`` over the state ``state_of`` finds for a request."""
    routes = web.RouteTableDef()

    @routes.get(ADMIN_PREFIX + "/faults")
    async def list_faults(request: web.Request) -> web.Response:
        """The active fault rules."""
        rules = state_of(request).faults.rules()
        return web.json_response({"faults": [rule.view() for rule in rules]})

    @routes.post(ADMIN_PREFIX + "/faults")
    async def add_fault(request: web.Request) -> web.Response:
        """Register a fault rule."""
        spec = await parse_body(request, FaultSpec)
        return web.json_response(state_of(request).faults.add(spec).view(), status=201)

    @routes.delete(ADMIN_PREFIX + "/faults")
    async def clear_faults(request: web.Request) -> web.Response:
        """Remove every fault rule."""
        state_of(request).faults.clear()
        return web.json_response({"faults": []})

    @routes.delete(ADMIN_PREFIX + "/faults/{fault_id}")
    async def remove_fault(request: web.Request) -> web.Response:
        """Remove one fault rule."""
        fault_id = request.match_info["fault_id"]
        if not state_of(request).faults.remove(fault_id):
            raise MockError(ErrorKind.NOT_FOUND, f"No fault {fault_id}")
        return web.json_response({"removed": fault_id})

    @routes.get(ADMIN_PREFIX + "/requests")
    async def list_requests(request: web.Request) -> web.Response:
        """The API requests answered so far (oldest first)."""
        entries = state_of(request).requests.entries()
        return web.json_response({"requests": [entry.view() for entry in entries]})

    @routes.delete(ADMIN_PREFIX + "/requests")
    async def clear_requests(request: web.Request) -> web.Response:
        """Forget the request log."""
        state_of(request).requests.clear()
        return web.json_response({"requests": []})

    return routes
