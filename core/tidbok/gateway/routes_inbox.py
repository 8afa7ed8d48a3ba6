"""API v1 on the inbox: the citizen's booking messages (R10), read from the gateway's outbox."""

from __future__ import annotations

from aiohttp import web

from tidbok.gateway.requests import parse_query
from tidbok.gateway.routes_common import RouteSpec, gateway_state, json_response
from tidbok.gateway.schemas import EmptyQuery, InboxMessageOut, InboxOut
from tidbok.gateway.store import DeliveryState

#: The most messages one inbox answer lists.
INBOX_LIMIT = 200


async def list_inbox(request: web.Request) -> web.Response:
    """The citizen's booking messages, newest first, read from the gateway's outbox."""
    state = gateway_state(request)
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


#: The routes of the inbox resource.
INBOX_ROUTES: tuple[RouteSpec, ...] = (
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
)
