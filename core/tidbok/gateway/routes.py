"""The handlers of API v1 and the route table that both the app and the OpenAPI document use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from tidbok.errors import NotFound
from tidbok.gateway.idempotency import idempotent
from tidbok.gateway.ids import decode_id
from tidbok.gateway.readiness import readiness
from tidbok.gateway.requests import RequestInvalid, parse_body, parse_query
from tidbok.gateway.schemas import (
    BookIn,
    BookingListOut,
    BookingOut,
    BookingResultOut,
    CancelIn,
    EmptyQuery,
    FailedUnitOut,
    HealthOut,
    InboxMessageOut,
    InboxOut,
    InvitationBookIn,
    InvitationListOut,
    InvitationOut,
    OutcomeOut,
    ReadyOut,
    RebookIn,
    SlotListOut,
    SlotOut,
    SlotsQuery,
    TimeTypeListOut,
    TimeTypeOut,
    UnitListOut,
    UnitOut,
)
from tidbok.gateway.state import STATE_KEY, GatewayState
from tidbok.gateway.store import DeliveryState
from tidbok.identity import normalize_hsa_id

#: Default length of a slot search without ``to``.
DEFAULT_SEARCH = timedelta(days=14)
INBOX_LIMIT = 200

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _state(request: web.Request) -> GatewayState:
    return request.app[STATE_KEY]


def json_response(model: BaseModel, status: int = 200) -> web.Response:
    """A JSON answer from an ``*Out`` model (times ISO 8601 with offset)."""
    return web.Response(
        status=status, text=model.model_dump_json(), content_type="application/json"
    )


def _unit_param(request: web.Request) -> str:
    raw = request.match_info["hsa_id"]
    try:
        return normalize_hsa_id(raw)
    except ValueError:
        raise RequestInvalid("hsa_id: not an HSA-id (expected e.g. SE2321000016-1234)") from None


# -- units -----------------------------------------------------------------------------------


async def list_units(request: web.Request) -> web.Response:
    """Units where 1177 tidbokning is active, with their activated case types."""
    state = _state(request)
    state.caller(request)
    parse_query(request, EmptyQuery)
    units = state.service.units()
    return json_response(UnitListOut(units=[UnitOut.of(unit) for unit in units]))


async def list_time_types(request: web.Request) -> web.Response:
    """The unit's time types that are visible on 1177."""
    state = _state(request)
    state.caller(request)
    parse_query(request, EmptyQuery)
    unit = _unit_param(request)
    time_types = await state.observe(
        state.system_of(unit), "time_types", state.service.time_types(unit)
    )
    return json_response(TimeTypeListOut(time_types=[TimeTypeOut.of(t) for t in time_types]))


async def list_slots(request: web.Request) -> web.Response:
    """Slots the citizen may book now; with ``rebook``, slots to move that booking to."""
    state = _state(request)
    caller = state.caller(request)
    query = parse_query(request, SlotsQuery)
    unit = _unit_param(request)
    start = query.from_ or state.service.clock.now()
    end = query.to or start + DEFAULT_SEARCH
    rebook: str | None = None
    if query.rebook is not None:
        qualified = decode_id(query.rebook)
        if qualified.unit != unit:
            raise NotFound("the booking to rebook is not at this unit")
        rebook = qualified.backend_id
    slots = await state.observe(
        state.system_of(unit),
        "available_slots",
        state.service.available_slots(caller, unit, start, end, query.time_type, rebook),
    )
    return json_response(SlotListOut(slots=[SlotOut.of(slot) for slot in slots]))


# -- bookings --------------------------------------------------------------------------------


async def create_booking(request: web.Request) -> web.Response:
    """Book a slot ("Boka tid direkt"); an ``Idempotency-Key`` makes retries safe."""
    state = _state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    body = await parse_body(request, BookIn)

    async def book() -> tuple[int, str]:
        result = await state.observe(
            state.system_of(body.unit),
            "book",
            state.service.book(caller, body.unit, body.slot_id, body.accept_terms, body.reason),
        )
        return 201, BookingResultOut.of(result).model_dump_json()

    return await idempotent(request, state, caller, body.model_dump(mode="json"), book)


async def list_bookings(request: web.Request) -> web.Response:
    """All the citizen's bookings at every unit (R7); units that failed are listed."""
    state = _state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    schedule = await state.observe("all", "schedule", state.service.schedule(caller))
    return json_response(
        BookingListOut(
            bookings=[BookingOut.of(booking) for booking in schedule.bookings],
            failed_units=[FailedUnitOut.of(failure) for failure in schedule.failed_units],
        )
    )


async def list_unit_bookings(request: web.Request) -> web.Response:
    """The citizen's bookings at one unit."""
    state = _state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    unit = _unit_param(request)
    bookings = await state.observe(
        state.system_of(unit), "unit_bookings", state.service.unit_bookings(caller, unit)
    )
    return json_response(BookingListOut(bookings=[BookingOut.of(b) for b in bookings]))


async def get_booking(request: web.Request) -> web.Response:
    """One of the citizen's bookings with its permission flags; 404 for anyone else's."""
    state = _state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    qualified = decode_id(request.match_info["booking_id"])
    booking = await state.observe(
        state.system_of(qualified.unit),
        "booking",
        state.service.booking(caller, qualified.unit, qualified.backend_id),
    )
    return json_response(BookingOut.of(booking))


async def rebook_booking(request: web.Request) -> web.Response:
    """Move the citizen's booking to another slot in one step."""
    state = _state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    qualified = decode_id(request.match_info["booking_id"])
    body = await parse_body(request, RebookIn)
    result = await state.observe(
        state.system_of(qualified.unit),
        "rebook",
        state.service.rebook(caller, qualified.unit, qualified.backend_id, body.slot_id),
    )
    return json_response(BookingResultOut.of(result))


async def cancel_booking(request: web.Request) -> web.Response:
    """Cancel the citizen's booking, with an optional message to the unit."""
    state = _state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    qualified = decode_id(request.match_info["booking_id"])
    body = await parse_body(request, CancelIn, optional=True)
    outcome = await state.observe(
        state.system_of(qualified.unit),
        "cancel",
        state.service.cancel(caller, qualified.unit, qualified.backend_id, body.message),
    )
    return json_response(OutcomeOut.of(outcome))


# -- invitations -----------------------------------------------------------------------------


async def list_invitations(request: web.Request) -> web.Response:
    """The citizen's open invitations (R15)."""
    state = _state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    found = await state.observe("all", "invitations", state.service.invitations(caller))
    return json_response(
        InvitationListOut(
            invitations=[InvitationOut.of(invitation) for invitation in found.invitations],
            failed_units=[FailedUnitOut.of(failure) for failure in found.failed_units],
        )
    )


async def book_invitation(request: web.Request) -> web.Response:
    """Book one slot of an open invitation; a second booking of it is refused."""
    state = _state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    qualified = decode_id(request.match_info["invitation_id"], "invitation")
    body = await parse_body(request, InvitationBookIn)
    result = await state.observe(
        state.system_of(qualified.unit),
        "book_invitation",
        state.service.book_invitation(
            caller, qualified.unit, qualified.backend_id, body.slot_id, body.accept_terms
        ),
    )
    return json_response(BookingResultOut.of(result), status=201)


# -- inbox -----------------------------------------------------------------------------------


async def list_inbox(request: web.Request) -> web.Response:
    """The citizen's booking messages, newest first, read from the gateway's outbox."""
    state = _state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    messages = await state.store.messages_for(caller.subject_of_care.value, INBOX_LIMIT)
    return json_response(
        InboxOut(
            messages=[
                InboxMessageOut(
                    id=message.id,
                    created_at=message.created_at,
                    kind=message.kind,
                    unit=message.unit,
                    unit_name=message.unit_name,
                    subject=message.subject,
                    body=message.body,
                    delivered=message.state is DeliveryState.DELIVERED,
                )
                for message in messages
            ]
        )
    )


# -- operations ------------------------------------------------------------------------------


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    parse_query(request, EmptyQuery)
    return json_response(HealthOut(status="ok"))


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the store answers and the backends are reachable (breakers shown)."""
    parse_query(request, EmptyQuery)
    ready = await readiness(_state(request))
    return json_response(ready, status=503 if ready.status == "unavailable" else 200)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus metrics in the text exposition format."""
    parse_query(request, EmptyQuery)
    state = _state(request)
    await readiness(state, probe=False)
    return web.Response(
        text=state.metrics.render(),
        content_type="text/plain",
        charset="utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


async def openapi_document(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 document of this API."""
    from tidbok.gateway.openapi import build_openapi

    parse_query(request, EmptyQuery)
    return web.json_response(build_openapi())


# -- the table -------------------------------------------------------------------------------


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


_READ = (400, 401, 404, 422, 502, 503, 504)
_WRITE = (400, 401, 404, 409, 422, 502, 503, 504)

ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec(
        "GET",
        "/v1/units",
        list_units,
        "listUnits",
        "Units where 1177 tidbokning is active",
        "units",
        response=UnitListOut,
        errors=(400, 401),
    ),
    RouteSpec(
        "GET",
        "/v1/units/{hsa_id}/time-types",
        list_time_types,
        "listTimeTypes",
        "The unit's time types visible on 1177",
        "units",
        response=TimeTypeListOut,
        errors=_READ,
    ),
    RouteSpec(
        "GET",
        "/v1/units/{hsa_id}/slots",
        list_slots,
        "listSlots",
        "Slots the citizen may book now (or move a booking to)",
        "units",
        response=SlotListOut,
        query=SlotsQuery,
        errors=_READ,
    ),
    RouteSpec(
        "GET",
        "/v1/units/{hsa_id}/bookings",
        list_unit_bookings,
        "listUnitBookings",
        "The citizen's bookings at one unit",
        "bookings",
        response=BookingListOut,
        errors=_READ,
    ),
    RouteSpec(
        "POST",
        "/v1/bookings",
        create_booking,
        "createBooking",
        "Book a slot",
        "bookings",
        status=201,
        response=BookingResultOut,
        body=BookIn,
        errors=_WRITE,
        idempotency_key=True,
    ),
    RouteSpec(
        "GET",
        "/v1/bookings",
        list_bookings,
        "listBookings",
        "All the citizen's bookings at every unit (Bokade tider)",
        "bookings",
        response=BookingListOut,
        errors=(400, 401),
    ),
    RouteSpec(
        "GET",
        "/v1/bookings/{booking_id}",
        get_booking,
        "getBooking",
        "One booking with its permission flags",
        "bookings",
        response=BookingOut,
        errors=_READ,
    ),
    RouteSpec(
        "POST",
        "/v1/bookings/{booking_id}/rebook",
        rebook_booking,
        "rebookBooking",
        "Move a booking to another slot",
        "bookings",
        response=BookingResultOut,
        body=RebookIn,
        errors=_WRITE,
    ),
    RouteSpec(
        "POST",
        "/v1/bookings/{booking_id}/cancel",
        cancel_booking,
        "cancelBooking",
        "Cancel a booking",
        "bookings",
        response=OutcomeOut,
        body=CancelIn,
        body_optional=True,
        errors=_WRITE,
    ),
    RouteSpec(
        "GET",
        "/v1/invitations",
        list_invitations,
        "listInvitations",
        "The citizen's open invitations",
        "invitations",
        response=InvitationListOut,
        errors=(400, 401),
    ),
    RouteSpec(
        "POST",
        "/v1/invitations/{invitation_id}/book",
        book_invitation,
        "bookInvitation",
        "Book a slot of an open invitation",
        "invitations",
        status=201,
        response=BookingResultOut,
        body=InvitationBookIn,
        errors=_WRITE,
    ),
    RouteSpec(
        "GET",
        "/v1/inbox",
        list_inbox,
        "listInbox",
        "The citizen's booking messages (R10)",
        "inbox",
        response=InboxOut,
        errors=(400, 401),
    ),
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
