"""The one wrapper around every adapter call the booking service makes.

It logs one line per call (operation, unit, system, outcome, duration; no personal identity
number) and turns anything but a typed :class:`~tidbok.errors.TidbokError` from a plugin into a
:class:`~tidbok.errors.BackendProtocolError`, so a faulty plugin never leaks a raw exception.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import TypeVar

from tidbok.errors import BackendProtocolError, TidbokError
from tidbok.routing import UnitRoute

T = TypeVar("T")

# The service's call log has always been under this name; log configurations select it.
log = logging.getLogger("tidbok.service")


async def call_adapter(
    route: UnitRoute, operation: str, pending: Awaitable[T], *, units: int = 1
) -> T:
    """Await an adapter call; log it; turn anything but a typed error into a protocol error.

    ``units``: how many units one call answers for (a call across units is logged with its
    first unit's HSA-id and the count)."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        return await pending
    except TidbokError as error:
        outcome = error.code
        raise
    except Exception as error:
        outcome = BackendProtocolError.code
        log.exception("adapter of unit %s raised in %s", route.hsa_id, operation)
        raise BackendProtocolError(
            f"plugin {route.unit.system} failed in {operation}: {type(error).__name__}"
        ) from error
    finally:
        log.info(
            "operation=%s unit=%s system=%s outcome=%s duration_ms=%.1f",
            operation,
            route.hsa_id if units == 1 else f"{route.hsa_id}+{units - 1}",
            route.unit.system,
            outcome,
            (time.perf_counter() - started) * 1000,
        )
