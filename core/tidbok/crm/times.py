"""crm:scheduling's timestamps and dates: digit strings in Swedish local time (fact sheet §3).

A ``TS`` is ``YYYYMMDDhhmmss`` and a ``DT`` ``YYYYMMDD``, both without zone: the time is whatever
the clocks in Sweden showed (CET or CEST at that instant).

Two local times are special:

- **the spring gap** (last Sunday of March, 02:00-02:59:59 do not exist): never emitted (no
  aware datetime formats to one); parsing one is refused with :class:`TimestampError`;
- **the repeated autumn hour** (last Sunday of October, 02:00-02:59:59 happen twice): the wire
  cannot say which. Both instants format to the same text; parsing resolves it to the *first*
  occurrence (summer time, CEST, ``fold=0``), as Python's zoneinfo does. The producer therefore
  matches a requested slot by its local wall-clock text, never by the instant (docs/riv.md).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from tidbok.clock import STOCKHOLM

_TS = re.compile(r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})", re.ASCII)
_DT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)


class TimestampError(ValueError):
    """A TS or DT text that is malformed or names no local time in Sweden."""


def format_timestamp(moment: datetime) -> str:
    """The 14-digit Swedish local time of an aware datetime."""
    zone = moment.tzinfo
    if zone is None or (zone is not STOCKHOLM and moment.utcoffset() is None):
        raise TimestampError("naive datetime: a crm:scheduling timestamp needs an aware one")
    local = moment.astimezone(STOCKHOLM)
    # What strftime("%Y%m%d%H%M%S") gives (for years 1000-9999), at a sixth of its cost (an
    # answer of 70 timeslots formats 140): %-formatting costs half an f-string's here.
    return "%04d%02d%02d%02d%02d%02d" % (  # noqa: UP031
        local.year,
        local.month,
        local.day,
        local.hour,
        local.minute,
        local.second,
    )


def parse_timestamp(text: str) -> datetime:
    """The aware Europe/Stockholm datetime of a 14-digit local time (see the module notes)."""
    match = _TS.fullmatch(text.strip())
    if match is None:
        raise TimestampError("a timestamp must be 14 digits, YYYYMMDDhhmmss")
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=STOCKHOLM)
    except ValueError:
        raise TimestampError("the timestamp names no real date and time") from None
    # A time in the spring gap does not survive a round trip through UTC.
    if local.astimezone(UTC).astimezone(STOCKHOLM).replace(fold=0) != local:
        raise TimestampError("the timestamp falls in the hour skipped by daylight saving time")
    return local


def format_date(day: date) -> str:
    """The 8-digit ``YYYYMMDD`` form of a date."""
    return day.strftime("%Y%m%d")


def parse_date(text: str) -> date:
    """The date of an 8-digit ``YYYYMMDD`` text."""
    match = _DT.fullmatch(text.strip())
    if match is None:
        raise TimestampError("a date must be 8 digits, YYYYMMDD")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise TimestampError("the date does not exist") from None
