"""The route table of API v1 that both the app and the OpenAPI document use.

The handlers live with their resource: :mod:`~tidbok.gateway.routes_units`,
:mod:`~tidbok.gateway.routes_bookings`, :mod:`~tidbok.gateway.routes_invitations`,
:mod:`~tidbok.gateway.routes_inbox` and :mod:`~tidbok.gateway.routes_operations`; what they share
is in :mod:`~tidbok.gateway.routes_common`.
"""

from __future__ import annotations

from tidbok.gateway.routes_bookings import BOOKING_ROUTES
from tidbok.gateway.routes_common import Handler, RouteSpec, json_response
from tidbok.gateway.routes_inbox import INBOX_ROUTES
from tidbok.gateway.routes_invitations import INVITATION_ROUTES
from tidbok.gateway.routes_operations import OPERATION_ROUTES
from tidbok.gateway.routes_units import UNIT_ROUTES

#: Every route of the gateway, in the order the OpenAPI document lists them.
ROUTES: tuple[RouteSpec, ...] = (
    *UNIT_ROUTES,
    *BOOKING_ROUTES,
    *INVITATION_ROUTES,
    *INBOX_ROUTES,
    *OPERATION_ROUTES,
)

__all__ = ["ROUTES", "Handler", "RouteSpec", "json_response"]
