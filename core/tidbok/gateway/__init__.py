"""The HTTP gateway (``tidbok serve``): JSON API v1 over :class:`~tidbok.service.BookingService`.

Start it in-process with :func:`start_gateway`; see ``docs/gateway.md`` for the API, the JWT
authentication, the configuration and how the inbox outbox and idempotent booking work.
"""

from tidbok.gateway.app import create_app
from tidbok.gateway.auth import GatewayConfigError, TokenVerifier, issue_token
from tidbok.gateway.openapi import build_openapi
from tidbok.gateway.outbox import OutboxRecorder, OutboxWorker
from tidbok.gateway.runner import RunningGateway, serve, start_gateway
from tidbok.gateway.store import (
    GatewayStore,
    IdempotencyStore,
    OutboxMessage,
    OutboxStore,
    SqliteGatewayStore,
)

__all__ = [
    "GatewayConfigError",
    "GatewayStore",
    "IdempotencyStore",
    "OutboxMessage",
    "OutboxRecorder",
    "OutboxStore",
    "OutboxWorker",
    "RunningGateway",
    "SqliteGatewayStore",
    "TokenVerifier",
    "build_openapi",
    "create_app",
    "issue_token",
    "serve",
    "start_gateway",
]
