"""API v1 on open invitations (R15): list them and book one of their slots."""

from __future__ import annotations

from aiohttp import web

from tidbok.gateway.ids import decode_id
from tidbok.gateway.requests import parse_body, parse_query
from tidbok.gateway.routes_common import WRITE_ERRORS, RouteSpec, gateway_state, json_response
from tidbok.gateway.schemas import (
    BookingResultOut,
    EmptyQuery,
    FailedUnitOut,
    InvitationBookIn,
    InvitationListOut,
    InvitationOut,
)


async def list_invitations(request: web.Request) -> web.Response:
    """The citizen's open invitations (R15)."""
    state = gateway_state(request)
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
    state = gateway_state(request)
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


#: The routes of the invitations resource.
INVITATION_ROUTES: tuple[RouteSpec, ...] = (
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
        errors=WRITE_ERRORS,
    ),
)
