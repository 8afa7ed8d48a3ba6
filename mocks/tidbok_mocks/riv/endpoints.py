"""``POST /{Operation}/1/rivtabp21``: headers, unit lookup, dispatch, and SOAP Faults.

Every failure is a SOAP 1.1 Fault with HTTP 500 (a mock error of the shared kit too, e.g. an
injected ``http_500``); injected ``http_503`` and ``http_429`` keep their status and
``Retry-After`` so that a client can tell them apart.
"""

from __future__ import annotations

from aiohttp import web

from ..kit import ErrorKind, MockError, unit_key
from .admin import RIV_STATE
from .call import Call
from .names import ACTOR_NS, ACTOR_TYPES, ADDRESS_NS, endpoint_path, qname, responder
from .names import soap_action as action_of
from .queries import READS, Operation
from .soap import Node, SoapFault, client_fault, fault_envelope, parse
from .writes import WRITES

CONTENT_TYPE = "text/xml; charset=utf-8"

HANDLERS: dict[str, Operation] = {**READS, **WRITES}
"""The 11 operations of crm:scheduling 1.1 and what answers each."""

#: The HTTP status of a mock error; everything else is 500, as SOAP 1.1 wants for a Fault.
_STATUS = {
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.TOO_MANY_REQUESTS: 429,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.METHOD_NOT_ALLOWED: 405,
    ErrorKind.PAYLOAD_TOO_LARGE: 413,
}
_SERVER_KINDS = frozenset({ErrorKind.INTERNAL, ErrorKind.UNAVAILABLE, ErrorKind.TOO_MANY_REQUESTS})


def soap_response(
    body: bytes, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """An XML answer with the contract's content type."""
    response = web.Response(status=status, body=body, headers=headers)
    response.headers["Content-Type"] = CONTENT_TYPE
    return response


def render_riv_error(error: MockError) -> web.Response:
    """A shared-kit error as a SOAP Fault (``soap:Server`` for the server's own trouble)."""
    code = "Server" if error.kind in _SERVER_KINDS else "Client"
    fault = SoapFault(code, error.message)
    return soap_response(fault_envelope(fault), _STATUS.get(error.kind, 500), error.headers)


def vp004(operation: str, receiver: str) -> SoapFault:
    """The platform's fault for a logical address it cannot route to."""
    return SoapFault(
        "Server",
        f"VP004 No Logical Adress found for serviceNamespace:{responder(operation)}, "
        f"receiverId:{receiver}",
    )


def _headers(header: Node | None) -> tuple[str, str, str]:
    """LogicalAddress, actorId and actorType; missing or malformed ones are Client faults."""
    if header is None:
        raise client_fault("the SOAP Header with LogicalAddress and Actor is missing")
    address = header.text(ADDRESS_NS, "LogicalAddress", required=True)
    actor = header.child(ACTOR_NS, "Actor")
    if actor is None:
        raise client_fault("the Actor header is missing")
    actor_id = actor.need(ACTOR_NS, "actorId")
    actor_type = actor.need(ACTOR_NS, "actorType")
    if actor_type not in ACTOR_TYPES:
        raise client_fault("actorType must be subject_of_care or subject_of_care_agent")
    assert address is not None
    return address, actor_id, actor_type


async def _serve(request: web.Request, operation: str) -> bytes:
    action = request.headers.get("SOAPAction", "").strip().strip('"')
    if action and action != action_of(operation):
        raise client_fault(f"SOAPAction {action} does not belong to {operation}")
    header, body = parse(await request.read())
    if body.element.tag != qname(responder(operation), operation):
        raise client_fault(f"the Body holds no {operation} request")
    address, actor_id, actor_type = _headers(header)
    state = request.app[RIV_STATE]
    unit = state.schedule.units.get(unit_key(address))
    if unit is None:
        raise vp004(operation, address)
    call = Call(operation, state, unit, actor_id, actor_type, body)
    return await HANDLERS[operation](call)


def _endpoint(operation: str) -> web.RouteDef:
    async def handle(request: web.Request) -> web.Response:
        try:
            return soap_response(await _serve(request, operation))
        except SoapFault as fault:
            return soap_response(fault_envelope(fault), 500)

    handle.__doc__ = f"The {operation} endpoint."
    return web.post(endpoint_path(operation), handle)


routes = [_endpoint(operation) for operation in HANDLERS]
"""One route per operation."""
