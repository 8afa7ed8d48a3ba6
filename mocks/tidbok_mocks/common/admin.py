"""The admin API routes under ``/__admin`` (same shape for both mocks).

No authentication by default: ``/__admin/info`` hands out the API credentials to anyone who reaches
the port. A mock started with ``admin_token`` (``--admin-token``) requires it in ``X-Admin-Token``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .admin_models import ClockIn, ResetIn
from .context import ADMIN_PREFIX, CONTEXT_KEY, MockContext
from .errors import ErrorKind, MockError
from .http import parse_body, query_str, read_json
from .times import format_offset, format_utc

routes = web.RouteTableDef()

SECTIONS = {
    "units": "units",
    "time-types": "time_types",
    "slots": "slots",
    "bookings": "bookings",
    "invitations": "invitations",
}

ADMIN_STATUS = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.METHOD_NOT_ALLOWED: 405,
    ErrorKind.PAYLOAD_TOO_LARGE: 413,
    ErrorKind.SLOT_TAKEN: 409,
    ErrorKind.INVITATION_BOOKED: 409,
    ErrorKind.ALREADY_CANCELLED: 409,
}


def render_admin_error(error: MockError) -> web.Response:
    """Admin errors: ``{"error": kind, "detail": text}``."""
    status = ADMIN_STATUS.get(error.kind, 500 if error.kind is ErrorKind.INTERNAL else 400)
    return web.json_response(
        {"error": error.kind.value, "detail": error.message}, status=status, headers=error.headers
    )


def _context(request: web.Request) -> MockContext:
    return request.app[CONTEXT_KEY]


def _clock_view(context: MockContext) -> dict[str, Any]:
    now = context.clock.now()
    return {
        "now": format_offset(now),
        "utc": format_utc(now),
        "today": context.clock.today().isoformat(),
        "frozen": context.clock.frozen,
        "real": context.clock.real,
    }


@routes.get(ADMIN_PREFIX)
@routes.get(ADMIN_PREFIX + "/info")
async def info(request: web.Request) -> web.Response:
    """System name, API base path, credentials and the admin endpoints."""
    context = _context(request)
    return web.json_response(context.admin.info())


@routes.post(ADMIN_PREFIX + "/reset")
async def reset(request: web.Request) -> web.Response:
    """Forget schedule, faults and request log (the clock stays); ``{"demo": true}`` reseeds."""
    context = _context(request)
    body = await parse_body(request, ResetIn, optional=True)
    await context.admin.reset()
    context.faults.clear()
    context.requests.clear()
    counts = await context.admin.load_demo() if body.demo else {}
    return web.json_response({"reset": True, "loaded": counts})


@routes.post(ADMIN_PREFIX + "/scenario")
async def scenario(request: web.Request) -> web.Response:
    """Replace the schedule with a JSON scenario."""
    context = _context(request)
    data = await read_json(request)
    counts = await context.admin.load_scenario(data)
    return web.json_response({"loaded": counts, "clock": _clock_view(context)})


@routes.post(ADMIN_PREFIX + "/demo")
async def demo(request: web.Request) -> web.Response:
    """Replace the schedule with the demo data, built from the clock."""
    counts = await _context(request).admin.load_demo()
    return web.json_response({"loaded": counts})


@routes.get(ADMIN_PREFIX + "/slots")
async def slots(request: web.Request) -> web.Response:
    """All slots (``?unit=`` to filter), free or booked."""
    items = await _context(request).admin.slot_list(query_str(request, "unit"))
    return web.json_response({"slots": items})


@routes.get(ADMIN_PREFIX + "/appointment-book")
async def appointment_book(request: web.Request) -> web.Response:
    """The staff view: all bookings, hidden and staff-made ones included."""
    include_cancelled = request.query.get("include_cancelled", "").lower() in ("1", "true", "yes")
    entries = await _context(request).admin.appointment_book(
        query_str(request, "unit"), include_cancelled
    )
    return web.json_response({"entries": entries})


@routes.get(ADMIN_PREFIX + "/clock")
async def get_clock(request: web.Request) -> web.Response:
    """The mock's current time."""
    return web.json_response(_clock_view(_context(request)))


@routes.post(ADMIN_PREFIX + "/clock")
async def set_clock(request: web.Request) -> web.Response:
    """Set (``now``, frozen unless ``frozen: false``), advance (``advance_seconds``) or ``real``."""
    context = _context(request)
    body = await parse_body(request, ClockIn)
    if body.real:
        context.clock.use_real_time()
    if body.now is not None:
        context.clock.set(body.now, frozen=body.frozen)
    if body.advance_seconds is not None:
        context.clock.advance(body.advance_seconds)
    if not body.real and body.now is None and body.advance_seconds is None:
        raise MockError(ErrorKind.INVALID, "Give 'now', 'advance_seconds' or 'real'")
    return web.json_response(_clock_view(context))


def _register_adder(path: str, section: str) -> None:
    async def add(request: web.Request) -> web.Response:
        data = await read_json(request)
        if not isinstance(data, dict):
            raise MockError(ErrorKind.INVALID, "The request body must be a JSON object")
        created = await _context(request).admin.add(section, data)
        return web.json_response(created, status=201)

    add.__doc__ = f"Add one record to {section}."
    routes.post(f"{ADMIN_PREFIX}/{path}")(add)


for _path, _section in SECTIONS.items():
    _register_adder(_path, _section)
