"""A fake timer for tests over real sockets, where some waits must still take real time."""

from __future__ import annotations

import asyncio

from tidbok.clock import FakeTimer


class PacedTimer(FakeTimer):
    """A :class:`~tidbok.clock.FakeTimer` whose sleeps also wait in real time while ``real_waits``.

    Waits for ``Retry-After``, backoff or a breaker take no real time. But a backend kept busy by
    a delay fault finishes in real time: while it does, a pause between read-backs or between asks
    for an idempotency key still in progress must give it that time, so a test sets
    ``real_waits``. The fake time moves on by every sleep either way.
    """

    real_waits: bool = False

    async def sleep(self, seconds: float) -> None:
        """Move the fake time on; wait ``seconds`` in real time too while ``real_waits``."""
        await super().sleep(seconds)
        if self.real_waits:
            await asyncio.sleep(seconds)
