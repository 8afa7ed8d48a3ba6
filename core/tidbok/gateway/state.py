"""What the handlers share: the service, token checks, stores, metrics and settings."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from aiohttp import web

from tidbok.errors import TidbokError
from tidbok.gateway.auth import TokenVerifier
from tidbok.gateway.metrics import GatewayMetrics
from tidbok.gateway.store import GatewayStore
from tidbok.models import Caller
from tidbok.service import BookingService
from tidbok.settings import GatewaySettings

if TYPE_CHECKING:
    from tidbok.gateway.readiness import BackendProbes

T = TypeVar("T")


@dataclass
class GatewayState:
    """Per-app state, kept under :data:`STATE_KEY`."""

    service: BookingService
    settings: GatewaySettings
    verifier: TokenVerifier
    store: GatewayStore
    metrics: GatewayMetrics
    probes: BackendProbes
    """The backend probes of ``/readyz``, each reused for ``readiness_cache`` seconds."""

    def caller(self, request: web.Request) -> Caller:
        """The authenticated caller of a request (raises Unauthorized)."""
        return self.verifier.caller(request.headers.get("Authorization"))

    def system_of(self, hsa_id: str) -> str:
        """The system name of a configured unit, for metric labels (``unknown`` otherwise)."""
        try:
            return self.service.unit(hsa_id).system
        except TidbokError:
            return "unknown"

    async def observe(self, system: str, operation: str, pending: Awaitable[T]) -> T:
        """Await a service call and record its latency and outcome."""
        started = time.perf_counter()
        outcome = "ok"
        try:
            return await pending
        except TidbokError as error:
            outcome = error.code
            raise
        except Exception:
            outcome = "internal_error"
            raise
        finally:
            self.metrics.operation_seconds.observe(
                time.perf_counter() - started, system=system, operation=operation
            )
            self.metrics.operations.inc(system=system, operation=operation, outcome=outcome)


STATE_KEY = web.AppKey("tidbok_gateway_state", GatewayState)
"""Where the app keeps its :class:`GatewayState`."""
