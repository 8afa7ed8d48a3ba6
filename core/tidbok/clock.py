"""Time: the Stockholm time zone and an injectable clock.

Everything in tidbok is aware and in Europe/Stockholm. Logic never calls ``datetime.now()``; it asks
the :class:`Clock` it was given. Tests use :class:`FrozenClock`.
"""

from __future__ import annotations

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
