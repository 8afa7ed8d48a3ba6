"""Time helpers: the model keeps aware UTC datetimes; Stockholm is only for calendars and display.

Python compares and subtracts two datetimes that share a ``ZoneInfo`` by wall-clock time, which is
wrong across a daylight-saving change. Keeping every stored instant in UTC avoids that trap.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

__all__ = [
    "STOCKHOLM",
    "UTC",
    "format_local",
    "format_offset",
    "format_utc",
    "local_datetime",
    "parse_aware",
    "parse_local",
    "stockholm_date",
    "to_utc",
]


def to_utc(moment: datetime) -> datetime:
    """Return ``moment`` as an aware UTC datetime; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: a UTC offset or zone is required")
    return moment.astimezone(UTC)


def stockholm_date(moment: datetime) -> date:
    """The calendar day in Stockholm on which ``moment`` falls."""
    return to_utc(moment).astimezone(STOCKHOLM).date()


def local_datetime(day: date, clock_time: time) -> datetime:
    """The UTC instant of a Stockholm wall-clock time on ``day`` (must exist on that day)."""
    local = datetime.combine(day, clock_time, tzinfo=STOCKHOLM)
    instant = local.astimezone(UTC)
    if instant.astimezone(STOCKHOLM).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError(f"{local.replace(tzinfo=None).isoformat()} does not exist in Stockholm")
    return instant


def format_offset(moment: datetime) -> str:
    """ISO 8601 in Stockholm local time with its offset, e.g. ``2026-11-27T10:00:00+01:00``."""
    return to_utc(moment).astimezone(STOCKHOLM).isoformat(timespec="seconds")


def format_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, e.g. ``2026-11-27T09:00:00Z``."""
    return to_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_local(moment: datetime) -> str:
    """Stockholm wall-clock time without an offset, e.g. ``2026-11-27T10:00:00``."""
    return to_utc(moment).astimezone(STOCKHOLM).replace(tzinfo=None).isoformat(timespec="seconds")


def parse_aware(text: str) -> datetime:
    """Parse an ISO 8601 timestamp that carries an offset or ``Z``; return it in UTC."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return parsed.astimezone(UTC)


def parse_local(text: str) -> datetime:
    """Parse a Stockholm wall-clock timestamp without offset; return it in UTC."""
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        raise ValueError(f"{text!r} must be local time without an offset")
    return local_datetime(parsed.date(), parsed.time())
