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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from .common import personnummer
from .common.admin_backend import ScheduleAdmin, parse_person
from .common.admin_models import AdminModel, BookingIn, SlotIn, TimeTypeIn, UnitIn
from .common.app import assemble_app
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

KIT_VERSION = "1.0"
"""The kit's version (major.minor): a mock written for 1.x runs on every later 1.x."""


# -- the 1177 visibility flags on the common schedule ------------------------------------------


@dataclass
class AccessTimeType(TimeType):
    """A time type with what 1177 may do with its slots: see, book, change (cancel or rebook)."""

    visible: bool = True
    bookable: bool = True
    changeable: bool = True

    def access(self) -> dict[str, bool]:
        """The three flags as ``{"visible", "bookable", "changeable"}``, e.g. for the wire."""
        return {"visible": self.visible, "bookable": self.bookable, "changeable": self.changeable}


class AccessTimeTypeIn(TimeTypeIn):
    """``POST /__admin/time-types`` of a kit mock: the common fields plus the three flags."""

    visible: bool = True
    bookable: bool = True
    changeable: bool = True


#: Id prefixes of the kit's default id factory: ``T1001``, ``S1002``, ``B1003``, ``K1004``.
DEFAULT_ID_PREFIXES = {"time_type": "T", "slot": "S", "booking": "B", "invitation": "K"}


@dataclass
class KitState:
    """A kit mock's whole memory: clock, schedule (units .. bookings) and open invitations."""

    clock: MockClock
    schedule: Schedule[AccessTimeType, ReservableSlot] = field(
        default_factory=lambda: Schedule(sequential_ids(DEFAULT_ID_PREFIXES))
    )
    invitations: dict[str, Invitation] = field(default_factory=dict)

    # -- what a citizen may do, with the invariants and the 1177 flags checked ----------------
    # Reads need no lock; the writes take ``schedule.lock`` themselves.

    def time_type_of(self, record: Slot | Booking) -> AccessTimeType:
        """The time type of a slot or a booking."""
        return self.schedule.time_type(record.time_type_id)

    def free_slots(
        self, unit: str, start: datetime, end: datetime, time_type: str | None = None
    ) -> list[ReservableSlot]:
        """Free slots of ``unit`` starting in ``[start, end)`` (of one time type if given), by
        start, whatever their flags; slots an open invitation reserves are left out."""
        found = self.schedule.free_slots(unit, start, end, time_type)
        return [slot for slot in found if slot.invitation_id is None]

    def free_slot(self, unit: str, slot_id: str) -> ReservableSlot:
        """One slot of ``unit`` that anyone may book: ``NOT_FOUND`` if unknown or another unit's,
        ``SLOT_TAKEN`` if booked or reserved by an invitation."""
        slot = self.schedule.slot(slot_id)
        if slot.unit_id != self.schedule.unit(unit).id:
            raise MockError(ErrorKind.NOT_FOUND, f"Slot {slot_id} not found")
        if not slot.free or slot.invitation_id is not None:
            raise MockError(ErrorKind.SLOT_TAKEN, f"Slot {slot_id} is already booked")
        return slot

    def own_booking(self, unit: str, booking_id: str, person: str) -> Booking:
        """The citizen's active booking at ``unit``; anyone else's, a cancelled one or an unknown
        id is ``NOT_FOUND`` (existence never leaks). ``person`` in either personnummer form."""
        booking = self.schedule.booking(booking_id)
        if (
            booking.person != parse_person(person)
            or booking.unit_id != self.schedule.unit(unit).id
            or not booking.active
        ):
            raise MockError(ErrorKind.NOT_FOUND, f"Booking {booking_id} not found")
        return booking

    def bookings(self, unit: str, person: str) -> list[Booking]:
        """The citizen's active bookings at ``unit``, staff-made and hidden ones included."""
        return self.schedule.bookings_of(person=parse_person(person), unit_id=unit)

    def _check(self, allowed: bool, kind: ErrorKind, text: str) -> None:
        if not allowed:
            raise MockError(kind, text)

    async def book(self, unit: str, slot_id: str, person: str, reason: str = "") -> Booking:
        """The citizen books a free slot of a visible, bookable time type (else
        ``NOT_BOOKABLE``); ``SLOT_TAKEN`` if someone was first. Booked by the citizen, with the
        time type's purpose."""
        async with self.schedule.lock:
            slot = self.free_slot(unit, slot_id)
            kind = self.time_type_of(slot)
            self._check(kind.visible and kind.bookable, ErrorKind.NOT_BOOKABLE, "Not bookable")
            return self.schedule.book(
                slot,
                person=parse_person(person),
                booked_by=BookedBy.CITIZEN,
                purpose=kind.purpose,
                reason=reason,
                now=self.clock.now(),
            )

    async def move(self, unit: str, booking_id: str, slot_id: str, person: str) -> Booking:
        """The citizen moves their booking to another free slot in one step: the booking must be
        changeable (not hidden, its time type ``changeable``, else ``NOT_CANCELLABLE``) and the
        new slot bookable (else ``NOT_BOOKABLE``)."""
        async with self.schedule.lock:
            booking = self.own_booking(unit, booking_id, person)
            slot = self.free_slot(unit, slot_id)
            changeable = not booking.hidden and self.time_type_of(booking).changeable
            self._check(changeable, ErrorKind.NOT_CANCELLABLE, "Not changeable")
            kind = self.time_type_of(slot)
            self._check(kind.visible and kind.bookable, ErrorKind.NOT_BOOKABLE, "Not bookable")
            return self.schedule.move(booking, slot, now=self.clock.now())

    async def cancel(
        self, unit: str, booking_id: str, person: str, message: str | None = None
    ) -> Booking:
        """The citizen cancels their changeable booking (else ``NOT_CANCELLABLE``), with an
        optional message the unit sees in the appointment book (``cancel_message``)."""
        async with self.schedule.lock:
            booking = self.own_booking(unit, booking_id, person)
            changeable = not booking.hidden and self.time_type_of(booking).changeable
            self._check(changeable, ErrorKind.NOT_CANCELLABLE, "Not changeable")
            return self.schedule.cancel(booking, message=message, now=self.clock.now())


class KitAdmin(InvitationSections, ScheduleAdmin[AccessTimeType, ReservableSlot]):
    """The admin backend of a kit mock: seeding, views and (optional) demo data over a
    :class:`KitState`; time types carry the 1177 flags, invitations are a scenario section."""

    time_type_model = AccessTimeTypeIn

    def __init__(
        self,
        state: KitState,
        system: str,
        api_base: str,
        auth: dict[str, Any] | None = None,
        demo: Callable[[MockClock], dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(state.schedule, state.clock)
        self.state = state
        self.invitations = state.invitations
        self._info = {"system": system, "api_base": api_base, "auth": auth or {"type": "none"}}
        self._demo = demo

    def build_time_type(self, data: TimeTypeIn, time_type_id: str) -> AccessTimeType:
        """A time type with its flags from admin input."""
        assert isinstance(data, AccessTimeTypeIn)
        return AccessTimeType(
            **self.time_type_fields(data, time_type_id),
            visible=data.visible,
            bookable=data.bookable,
            changeable=data.changeable,
        )

    def build_slot(
        self, data: SlotIn, slot_id: str, start: datetime, end: datetime, time_type: Any
    ) -> ReservableSlot:
        """A slot from admin input."""
        return ReservableSlot(**self.slot_fields(data, slot_id, start, end, time_type.id))

    def time_type_extra(self, time_type: AccessTimeType) -> dict[str, Any]:
        """The 1177 flags."""
        return {
            "visible": time_type.visible,
            "bookable": time_type.bookable,
            "changeable": time_type.changeable,
        }

    def slot_extra(self, slot: ReservableSlot) -> dict[str, Any]:
        """The invitation reserving the slot, if any."""
        return {"reserved_for_invitation": slot.invitation_id}

    def demo_scenario(self) -> dict[str, Any]:
        """The demo data the mock was given (none: an empty schedule)."""
        return self._demo(self.clock) if self._demo is not None else {}

    def info(self) -> dict[str, Any]:
        """System name, API base path and the API's credentials."""
        return dict(self._info)


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

    ``now`` freezes the clock; ``demo`` builds a scenario from the clock, loaded at start when
    ``demo_data``; ``admin_token`` protects the admin API; ``render_error`` writes API errors in
    the vendor's format (default :func:`json_error_renderer`); ``auth`` is what
    ``GET /__admin/info`` shows as the API's credentials; ``middlewares`` (authentication,
    idempotency) run inside the request log and outside fault injection. Handlers reach the
    state with :func:`state_of`.
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
    "assemble_app",
    "close_invitation",
    "create_app",
    "drop_connection",
    "fault_admin_routes",
    "fault_middleware",
    "format_local",
    "format_offset",
    "format_utc",
    "handler_ran",
    "is_admin_path",
    "json_error_renderer",
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
