"""Writes whose outcome is unknown, and reading the schedule back instead of guessing.

When a write was sent but no usable answer came back (a timeout, a cut connection, a 5xx other
than 503), the backend may or may not have acted. Retrying a write the backend cannot deduplicate
risks a duplicate booking, so the plugin reads back (:func:`write_with_readback`) and reports what
it finds, or :class:`~tidbok.errors.OutcomeUnknown` (defined in :mod:`tidbok.errors`, re-exported
here).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tidbok.budget import budget_left
from tidbok.errors import BackendProtocolError, OutcomeUnknown, TechnicalFault

__all__ = ["OutcomeUnknown", "write_with_readback"]

T = TypeVar("T")

log = logging.getLogger("tidbok.backend")


async def write_with_readback(
    write: Callable[[], Awaitable[T]],
    read_back: Callable[[], Awaitable[T | None]],
    *,
    attempts: int = 3,
    pause: float = 0.2,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run a write the backend cannot deduplicate; if its outcome is unknown, read it back.

    ``read_back`` returns the result the write would have produced if it happened (e.g. the booking
    found on the slot), or None. It is tried a few times, since a slow backend may still be
    finishing the write, pausing with ``sleep`` (pass ``BackendHttp.sleep``) in between, and never
    past the budget of the citizen call (:mod:`tidbok.budget`). Never retries the write itself: no
    duplicate booking is possible. Raises :class:`OutcomeUnknown` if the outcome stays unknown.
    """
    try:
        return await write()
    except (OutcomeUnknown, BackendProtocolError) as error:
        first_error = error
    for attempt in range(attempts):
        left = budget_left()
        if left is not None and left <= pause * attempt:
            break  # no time left to read back within the citizen's call
        if attempt:
            await sleep(pause * attempt)
        try:
            found = await read_back()
        except TechnicalFault:
            continue
        if found is not None:
            log.warning("write outcome was unknown; read back shows it happened")
            return found
    raise OutcomeUnknown(f"{first_error.detail}; reading back found nothing") from None
