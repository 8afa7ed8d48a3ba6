"""API v1 on bookings: book, list, show, rebook and cancel the citizen's bookings."""

from __future__ import annotations

from aiohttp import web

from tidbok.gateway.idempotency import idempotent
from tidbok.gateway.ids import decode_id
from tidbok.gateway.requests import parse_body, parse_query
from tidbok.gateway.routes_common import (
    READ_ERRORS,
    WRITE_ERRORS,
    RouteSpec,
    gateway_state,
    json_response,
    unit_param,
)
from tidbok.gateway.schemas import (
    BookIn,
    BookingListOut,
    BookingOut,
    BookingResultOut,
    CancelIn,
    EmptyQuery,
    FailedUnitOut,
    OutcomeOut,
    RebookIn,
)


async def create_booking(request: web.Request) -> web.Response:
    """Book a slot ("Boka tid direkt"); an ``Idempotency-Key`` makes retries safe."""
    state = gateway_state(request)
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
    state = gateway_state(request)
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
    state = gateway_state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    unit = unit_param(request)
    bookings = await state.observe(
        state.system_of(unit), "unit_bookings", state.service.unit_bookings(caller, unit)
    )
    return json_response(BookingListOut(bookings=[BookingOut.of(b) for b in bookings]))


async def get_booking(request: web.Request) -> web.Response:
    """One of the citizen's bookings with its permission flags; 404 for anyone else's."""
    state = gateway_state(request)
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
    state = gateway_state(request)
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
    state = gateway_state(request)
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


#: The routes of the bookings resource (one unit's bookings included).
BOOKING_ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec(
        "GET",
        "/v1/units/{hsa_id}/bookings",
        list_unit_bookings,
        "listUnitBookings",
        "The citizen's bookings at one unit",
        "bookings",
        response=BookingListOut,
        errors=READ_ERRORS,
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
        errors=WRITE_ERRORS,
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
        errors=READ_ERRORS,
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
        errors=WRITE_ERRORS,
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
        errors=WRITE_ERRORS,
    ),
)
