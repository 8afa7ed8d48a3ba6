"""Time: the Stockholm time zone, an injectable clock and an injectable timer.

Everything in tidbok is aware and in Europe/Stockholm. Logic never calls ``datetime.now()``; it asks
the :class:`Clock` it was given. Tests use :class:`FrozenClock`.

Elapsed time and waiting (timeouts, deadlines, backoff, ``Retry-After``, circuit breakers, caches)
come from a :class:`Timer` instead: :class:`SystemTimer` in production, :class:`FakeTimer` in tests,
where a sleep returns at once and moves the timer on, so no test waits for a breaker or a retry.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class Clock(Protocol):
    """Something that tells the current time, aware and in Europe/Stockholm."""

    def now(self) -> datetime:
        """Return the current instant in Europe/Stockholm."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current instant in Europe/Stockholm."""
        return datetime.now(STOCKHOLM)


class FrozenClock:
    """A clock that stands still until told to move; for tests and demos."""

    def __init__(self, now: datetime) -> None:
        self._now = to_stockholm(now)

    def now(self) -> datetime:
        """Return the frozen instant."""
        return self._now

    def set(self, now: datetime) -> None:
        """Move the clock to ``now`` (must be aware)."""
        self._now = to_stockholm(now)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta`` of elapsed time."""
        self._now = to_stockholm(self._now.astimezone(UTC) + delta)


class Timer(Protocol):
    """Elapsed time and waiting: what deadlines, retries, breakers and caches measure with."""

    def monotonic(self) -> float:
        """Seconds on a clock that only moves forward (its zero means nothing)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SystemTimer:
    """The real timer: ``time.monotonic`` and ``asyncio.sleep``."""

    def monotonic(self) -> float:
        """Seconds on the system's monotonic clock."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on the event loop."""
        await asyncio.sleep(seconds)


class FakeTimer:
    """A timer for tests: it moves only when told to (:meth:`advance`) or when something sleeps.

    A sleep returns at once (after yielding to the event loop once), moves the timer on by the
    time asked for and is recorded in :attr:`slept`. Real I/O does not move it.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []
        """Every sleep asked for, in order."""

    def monotonic(self) -> float:
        """The fake time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record the sleep and move the fake time on by it, without waiting."""
        self.slept.append(seconds)
        self.advance(max(seconds, 0.0))
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Move the fake time forward by ``seconds``."""
        if seconds < 0:
            raise ValueError("a monotonic timer never goes back")
        self.now += seconds


def to_stockholm(moment: datetime) -> datetime:
    """Convert an aware datetime to Europe/Stockholm; refuse naive ones."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: tidbok needs aware datetimes (with a UTC offset)")
    return moment.astimezone(STOCKHOLM)


def instant(moment: datetime) -> datetime:
    """The same moment in UTC, for comparing and sorting.

    Two datetimes that share a ``ZoneInfo`` compare by wall clock, ignoring ``fold``: in the
    repeated hour of the autumn change, 02:30 CEST and 02:30 CET would compare equal. Compare
    ``instant(a) < instant(b)`` instead.
    """
    return moment.astimezone(UTC)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Elapsed time from ``start`` to ``end``, computed on UTC instants.

    Subtracting two datetimes that share a ``ZoneInfo`` compares wall-clock times, which is wrong
    across a daylight-saving change; this function never is.
    """
    return end.astimezone(UTC) - start.astimezone(UTC)
