"""The mock 1177 inbox: an aiohttp app with an API, an admin API and fault injection.

API (``X-Api-Key`` required when the server has a key):

* ``PUT /api/messages/{message_id}``: store a message; 201 the first time, 200 when the same id
  arrives again with the same content (stored once), 409 with other content;
* ``GET /api/messages/{message_id}``: one message;
* ``GET /api/citizens/{citizen}/messages``: a citizen's messages, oldest first.

Admin (``/__admin``, never faulted, no key): ``GET /__admin/info``, ``GET /__admin/messages``,
``POST /__admin/reset``, ``GET|POST|DELETE /__admin/faults``, ``DELETE /__admin/faults/{id}``,
``GET|DELETE /__admin/requests``. Faults are the shared ``tidbok_mocks.common`` ones.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.typedefs import Handler

from tidbok_mocks.common.clock import MockClock
from tidbok_mocks.common.context import ADMIN_PREFIX, ADMIN_TOKEN_HEADER, is_admin_path
from tidbok_mocks.common.errors import ErrorKind, MockError, kind_for_status
from tidbok_mocks.common.fault_admin import fault_admin_routes
from tidbok_mocks.common.faults import FaultRegistry
from tidbok_mocks.common.http import read_json, validate
from tidbok_mocks.common.middleware import fault_middleware, request_logger
from tidbok_mocks.common.requestlog import RequestLog

from .store import InboxStore, MessageIn, PutOutcome

API_PREFIX = "/api"
_CITIZEN = re.compile(r"^\d{8}[-+]?[0-9PTFptf]\d{3}$")

STATUS = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.METHOD_NOT_ALLOWED: 405,
    ErrorKind.PAYLOAD_TOO_LARGE: 413,
    ErrorKind.IDEMPOTENCY_MISMATCH: 409,
    ErrorKind.TOO_MANY_REQUESTS: 429,
    ErrorKind.INTERNAL: 500,
    ErrorKind.UNAVAILABLE: 503,
}


def render_error(error: MockError) -> web.Response:
    """The inbox's error format: ``{"error": kind, "message": text}``."""
    return web.json_response(
        {"error": error.kind.value, "message": error.message},
        status=STATUS.get(error.kind, 400),
        headers=error.headers,
    )


@dataclass
class InboxState:
    """Everything one inbox app holds."""

    store: InboxStore = field(default_factory=InboxStore)
    faults: FaultRegistry = field(default_factory=FaultRegistry)
    requests: RequestLog = field(default_factory=RequestLog)
    clock: MockClock = field(default_factory=MockClock)
    api_key: str | None = None
    admin_token: str | None = None
    """When set, admin requests must carry it in ``X-Admin-Token`` (the admin API lists every
    stored message with the citizen's personal identity number)."""


INBOX_KEY = web.AppKey("tidbok_mock_inbox", InboxState)


def _state(request: web.Request) -> InboxState:
    return request.app[INBOX_KEY]


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except MockError as error:
        return render_error(error)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return render_error(MockError(kind_for_status(error.status), error.reason))


#: Delivery is keyed by the message id in the path; the log shows it as the request's key.
_request_log = request_logger(_state, lambda request: request.match_info.get("message_id"))


@web.middleware
async def _api_key(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = _state(request)
    key = state.api_key
    if key is not None and not is_admin_path(request.path):
        given = request.headers.get("X-Api-Key", "")
        if not hmac.compare_digest(given.encode(), key.encode()):
            raise MockError(ErrorKind.UNAUTHORIZED, "Missing or wrong X-Api-Key")
    token = state.admin_token
    if token is not None and is_admin_path(request.path):
        given = request.headers.get(ADMIN_TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise MockError(ErrorKind.UNAUTHORIZED, f"the admin API needs {ADMIN_TOKEN_HEADER}")
    return await handler(request)


routes = web.RouteTableDef()


@routes.put(API_PREFIX + "/messages/{message_id}")
async def put_message(request: web.Request) -> web.Response:
    """Store a message keyed by its id, exactly once."""
    state = _state(request)
    message_id = request.match_info["message_id"]
    if not 0 < len(message_id) <= 200:
        raise MockError(ErrorKind.INVALID, "The message id must be 1-200 characters")
    content = validate(MessageIn, await read_json(request))
    if content.id is not None and content.id != message_id:
        raise MockError(ErrorKind.INVALID, "The body's id differs from the path's")
    if not _CITIZEN.fullmatch(content.citizen):
        raise MockError(ErrorKind.INVALID, "citizen: not a personal identity number")
    outcome, stored = state.store.put(message_id, content, state.clock.now())
    if outcome is PutOutcome.CONFLICT:
        raise MockError(
            ErrorKind.IDEMPOTENCY_MISMATCH, f"Message {message_id} exists with other content"
        )
    status = 201 if outcome is PutOutcome.CREATED else 200
    return web.json_response(stored.view(), status=status)


@routes.get(API_PREFIX + "/messages/{message_id}")
async def get_message(request: web.Request) -> web.Response:
    """One message."""
    message_id = request.match_info["message_id"]
    stored = _state(request).store.get(message_id)
    if stored is None:
        raise MockError(ErrorKind.NOT_FOUND, f"No message {message_id}")
    return web.json_response(stored.view())


@routes.get(API_PREFIX + "/citizens/{citizen}/messages")
async def citizen_messages(request: web.Request) -> web.Response:
    """A citizen's messages, oldest first."""
    citizen = request.match_info["citizen"].replace("-", "").replace("+", "")
    messages = _state(request).store.for_citizen(citizen)
    return web.json_response({"messages": [message.view() for message in messages]})


@routes.get(ADMIN_PREFIX)
@routes.get(ADMIN_PREFIX + "/info")
async def admin_info(request: web.Request) -> web.Response:
    """What this server is and where its endpoints are."""
    state = _state(request)
    return web.json_response(
        {
            "system": "inbox",
            "api_base": API_PREFIX,
            "api_key_required": state.api_key is not None,
            "messages": len(state.store.all()),
            "deliveries": state.store.deliveries,
        }
    )


@routes.get(ADMIN_PREFIX + "/messages")
async def admin_messages(request: web.Request) -> web.Response:
    """Every stored message and how many deliveries arrived (duplicates included)."""
    store = _state(request).store
    return web.json_response(
        {"messages": [m.view() for m in store.all()], "deliveries": store.deliveries}
    )


@routes.post(ADMIN_PREFIX + "/reset")
async def admin_reset(request: web.Request) -> web.Response:
    """Forget messages, faults and the request log."""
    state = _state(request)
    state.store.reset()
    state.faults.clear()
    state.requests.clear()
    return web.json_response({"reset": True})


def create_inbox_app(state: InboxState | None = None) -> web.Application:
    """The mock inbox app; pass an :class:`InboxState` to keep a handle on its memory."""
    state = state or InboxState()
    app = web.Application(
        middlewares=[
            _request_log,
            _errors,
            _api_key,
            fault_middleware(state.faults, render_error),
        ],
        client_max_size=64 * 1024,
    )
    app[INBOX_KEY] = state
    app.add_routes(routes)
    app.add_routes(fault_admin_routes(_state))
    return app
