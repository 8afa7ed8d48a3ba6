"""The public mock kit: everything a vendor's mock needs besides its own routes and wire format.

A mock on the kit keeps its state in a :class:`Schedule` (units, time types, slots, bookings) with
:class:`AccessTimeType` (the 1177 visibility flags) and, if it has them, open invitations; it reads
time from a :class:`MockClock`; and :func:`create_app` wraps its routes in the request log, the
error renderer, the admin token and fault injection, and adds the admin API (``/__admin``: clock,
seeding, faults, request log). The admin API is the contract kit's seeding protocol
(``tidbok_contract.mock_admin.MockAdminSeeder``), so a mock on the kit is seeded and faulted by
the contract suite for free. :func:`serve` serves an app in-process, :func:`standalone_main`
until Ctrl-C (what ``tidbok mock NAME`` runs).

This module is the kit's stable surface, versioned by :data:`KIT_VERSION` (major.minor: a new
major version may break a mock; a new minor one only adds). Everything else in ``tidbok_mocks``
(``common``, ``pasis``, ...) is internal. docs/mocks/kit.md is its guide; like every mock, the
kit never imports ``tidbok``.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from .common import personnummer
from .common.admin_backend import ScheduleAdmin, parse_person
from .common.admin_models import AdminModel, BookingIn, SlotIn, TimeTypeIn, UnitIn
from .common.app import assemble_app
from .common.auth import api_key_middleware
from .common.clock import MockClock
from .common.context import (
    ADMIN_PREFIX,
    ADMIN_TOKEN_HEADER,
    CONTEXT_KEY,
    AdminBackend,
    MockContext,
    is_admin_path,
)
from .common.errors import ErrorKind, ErrorRenderer, MockError, kind_for_status
from .common.fault_admin import fault_admin_routes
from .common.faults import FaultKind, FaultRegistry, FaultRule, FaultSpec
from .common.http import (
    parse_body,
    query_int,
    query_str,
    read_json,
    read_optional_json,
    require_query,
    validate,
)
from .common.ids import IdFactory, sequential_ids, uuid_ids
from .common.invitations import (
    Invitation,
    InvitationSections,
    InvitationStatus,
    ReservableSlot,
    close_invitation,
)
from .common.kit_state import (
    DEFAULT_ID_PREFIXES,
    AccessTimeType,
    AccessTimeTypeIn,
    KitAdmin,
    KitState,
    default_demo,
)
from .common.middleware import (
    FAULT_KEY,
    HANDLER_ANSWER_KEY,
    HANDLER_RUNS,
    MALFORMED_BODY,
    drop_connection,
    fault_middleware,
    handler_ran,
    request_logger,
)
from .common.requestlog import LoggedRequest, RequestLog
from .common.runner import MockServer, listen_problem, serve
from .common.schedule import (
    BookedBy,
    Booking,
    BookingStatus,
    Schedule,
    Slot,
    TimeType,
    Unit,
    unit_key,
)
from .common.times import (
    STOCKHOLM,
    UTC,
    format_local,
    format_offset,
    format_utc,
    local_datetime,
    parse_aware,
    stockholm_date,
    to_utc,
)

KIT_VERSION = "1.1"
"""The kit's version (major.minor): a mock written for 1.x runs on every later 1.x. 1.1 added
``api_key_middleware`` and its use by ``create_app(auth=...)``, the default demo world
(``default_demo``), ``KitState.slot_json`` and ``booking_json``, and ``json_list``."""


STATE_KEY = web.AppKey("tidbok_mock_kit_state", KitState)
"""Where an app made by :func:`create_app` keeps its :class:`KitState` (see :func:`state_of`)."""


def state_of(request: web.Request) -> KitState:
    """The :class:`KitState` of the app serving ``request``."""
    return request.app[STATE_KEY]


def query_time(request: web.Request, name: str) -> datetime:
    """A required query parameter as an aware datetime (ISO 8601 with offset or ``Z``);
    missing or malformed is ``INVALID``."""
    try:
        return parse_aware(require_query(request, name))
    except ValueError as error:
        raise MockError(ErrorKind.INVALID, f"Query parameter {name!r}: {error}") from None


def json_list(items: Iterable[Any], key: str = "items", status: int = 200) -> web.Response:
    """A list answer: ``{key: [...items]}`` as JSON (e.g. ``json_list(views)`` for
    ``{"items": [...]}``)."""
    return web.json_response({key: list(items)}, status=status)


def json_error_renderer(status: dict[ErrorKind, int] | None = None) -> ErrorRenderer:
    """A renderer of :class:`MockError` as ``{"error": kind, "message": text}`` with a status
    per kind (defaults: 400 invalid, 401, 403 forbidden, not bookable and not cancellable, 404,
    405, 409 slot taken and already cancelled, 413, 422 outside the window, 429, 503, 500
    otherwise; ``status`` overrides them); headers (``Retry-After``) pass through."""
    table = {
        ErrorKind.INVALID: 400,
        ErrorKind.UNAUTHORIZED: 401,
        ErrorKind.FORBIDDEN: 403,
        ErrorKind.NOT_FOUND: 404,
        ErrorKind.METHOD_NOT_ALLOWED: 405,
        ErrorKind.PAYLOAD_TOO_LARGE: 413,
        ErrorKind.SLOT_TAKEN: 409,
        ErrorKind.ALREADY_CANCELLED: 409,
        ErrorKind.INVITATION_BOOKED: 409,
        ErrorKind.NOT_BOOKABLE: 403,
        ErrorKind.NOT_CANCELLABLE: 403,
        ErrorKind.OUTSIDE_WINDOW: 422,
        ErrorKind.TOO_MANY_REQUESTS: 429,
        ErrorKind.UNAVAILABLE: 503,
        **(status or {}),
    }

    def render(error: MockError) -> web.Response:
        body = {"error": error.kind.value, "message": error.message, **error.extra}
        return web.json_response(body, status=table.get(error.kind, 500), headers=error.headers)

    return render


def create_app(
    system: str,
    api_base: str,
    api_routes: Iterable[web.AbstractRouteDef],
    *,
    now: datetime | None = None,
    demo: Callable[[MockClock], dict[str, Any]] | None = None,
    demo_data: bool = False,
    admin_token: str | None = None,
    render_error: ErrorRenderer | None = None,
    auth: dict[str, Any] | None = None,
    middlewares: Sequence[Middleware] = (),
) -> web.Application:
    """A complete mock: the vendor's ``api_routes`` (under ``api_base``) plus the kit.

    ``now`` freezes the clock; ``demo`` builds a scenario from the clock (default:
    :func:`default_demo`), loaded at start when ``demo_data``; ``admin_token`` protects the admin
    API; ``render_error`` writes API errors in the vendor's format (default
    :func:`json_error_renderer`); ``auth`` is what ``GET /__admin/info`` shows as the API's
    credentials, and ``{"type": "api_key", "header": ..., "api_key": ...}`` is also enforced: a
    request outside the admin API without that header and key is ``UNAUTHORIZED`` (401 by
    default; :func:`api_key_middleware`); ``middlewares`` (other authentication, idempotency) run
    inside the request log and outside fault injection. Handlers reach the state with
    :func:`state_of`.
    """
    state = KitState(clock=MockClock(now))
    admin = KitAdmin(state, system, api_base, auth, demo)
    context = MockContext(
        system=system,
        api_base=api_base,
        clock=state.clock,
        render_error=render_error or json_error_renderer(),
        admin=admin,
        admin_token=admin_token,
    )
    if auth is not None and auth.get("type") == "api_key":
        key = api_key_middleware(auth["api_key"], auth.get("header", "X-Api-Key"))
        middlewares = [key, *middlewares]
    app = assemble_app(context, api_routes, middlewares)
    app[STATE_KEY] = state
    if demo_data:
        admin.load_now(admin.demo_scenario())
    return app


def standalone_main(
    title: str,
    make_app: Callable[..., web.Application],
    argv: Sequence[str] | None = None,
    *,
    credentials: dict[str, str] | None = None,
) -> int:
    """Serve ``make_app(now=, demo_data=, admin_token=)`` until Ctrl-C; the exit code.

    Options: ``--host``, ``--port`` (0 picks a free one), ``--no-demo-data``, ``--now`` (freeze the
    clock), ``--admin-token``. The first line printed is ``<title> mock listening on <url>``, then
    the API and admin bases and ``credentials``. This is what a plugin's ``tidbok_mock_servers``
    offer calls from ``main(argv)``.
    """
    parser = argparse.ArgumentParser(prog=f"tidbok mock {title.lower()}")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--no-demo-data", action="store_true", help="start with an empty system")
    parser.add_argument("--now", help="freeze the clock at this ISO 8601 time with offset")
    parser.add_argument("--admin-token", help="require this X-Admin-Token on /__admin")
    args = parser.parse_args(argv)
    try:
        now = parse_aware(args.now) if args.now else None
    except ValueError as error:
        print(f"--now: {error}", file=sys.stderr)
        return 2
    app = make_app(now=now, demo_data=not args.no_demo_data, admin_token=args.admin_token)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with serve(app, args.host, args.port) as url:
            print(f"{title} mock listening on {url}")
            print(f"  API:   {url}{app[CONTEXT_KEY].api_base}")
            print(f"  admin: {url}{ADMIN_PREFIX}")
            for name, value in (credentials or {}).items():
                print(f"  {name}: {value}")
            print("Press Ctrl-C to stop.", flush=True)
            await stop.wait()
        print(f"{title} mock stopped.", flush=True)

    try:
        asyncio.run(run())
    except OSError as error:
        print(f"{title} mock: {listen_problem(args.host, args.port, error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


__all__ = [
    "ADMIN_PREFIX",
    "ADMIN_TOKEN_HEADER",
    "CONTEXT_KEY",
    "DEFAULT_ID_PREFIXES",
    "FAULT_KEY",
    "HANDLER_ANSWER_KEY",
    "HANDLER_RUNS",
    "KIT_VERSION",
    "MALFORMED_BODY",
    "STATE_KEY",
    "STOCKHOLM",
    "UTC",
    "AccessTimeType",
    "AccessTimeTypeIn",
    "AdminBackend",
    "AdminModel",
    "BookedBy",
    "Booking",
    "BookingIn",
    "BookingStatus",
    "ErrorKind",
    "ErrorRenderer",
    "FaultKind",
    "FaultRegistry",
    "FaultRule",
    "FaultSpec",
    "IdFactory",
    "Invitation",
    "InvitationSections",
    "InvitationStatus",
    "KitAdmin",
    "KitState",
    "LoggedRequest",
    "MockClock",
    "MockContext",
    "MockError",
    "MockServer",
    "RequestLog",
    "ReservableSlot",
    "Schedule",
    "ScheduleAdmin",
    "Slot",
    "SlotIn",
    "TimeType",
    "TimeTypeIn",
    "Unit",
    "UnitIn",
    "api_key_middleware",
    "assemble_app",
    "close_invitation",
    "create_app",
    "default_demo",
    "drop_connection",
    "fault_admin_routes",
    "fault_middleware",
    "format_local",
    "format_offset",
    "format_utc",
    "handler_ran",
    "is_admin_path",
    "json_error_renderer",
    "json_list",
    "kind_for_status",
    "listen_problem",
    "local_datetime",
    "parse_aware",
    "parse_body",
    "parse_person",
    "personnummer",
    "query_int",
    "query_str",
    "query_time",
    "read_json",
    "read_optional_json",
    "request_logger",
    "require_query",
    "sequential_ids",
    "serve",
    "standalone_main",
    "state_of",
    "stockholm_date",
    "to_utc",
    "unit_key",
    "uuid_ids",
    "validate",
]
