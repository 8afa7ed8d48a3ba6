"""Checking what a citizen asks for before any backend is called.

A search period, a new booking and a message with a cancellation are validated here and refused
with :class:`~tidbok.errors.InvalidInput`, whatever unit or system they are meant for.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError

from tidbok.clock import elapsed, to_stockholm
from tidbok.errors import InvalidInput, describe_validation_error
from tidbok.models import Caller, NewBooking

#: The longest period one slot search may cover.
MAX_SEARCH_PERIOD = timedelta(days=93)

#: The earliest and latest (exclusive) moment a search period may touch; outside: refused (400).
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC)

#: The longest message a citizen may send the unit with a cancellation.
MAX_CANCEL_MESSAGE = 1000


def moment(value: datetime, name: str = "time") -> datetime:
    """``value`` in Stockholm time; refused unless it has an offset and lies in
    ``[EARLIEST_TIME, LATEST_TIME)`` (year 1 or 9999 with an offset would overflow)."""
    try:
        stockholm = to_stockholm(value)
    except ValueError:
        raise InvalidInput(f"{name}: times must carry a UTC offset") from None
    except OverflowError:
        stockholm = None
    if stockholm is None or not EARLIEST_TIME <= stockholm < LATEST_TIME:
        raise InvalidInput(
            f"{name}: times must lie from {EARLIEST_TIME.year} up to {LATEST_TIME.year} (UTC)"
        )
    return stockholm


def period_end(start: datetime, length: timedelta) -> datetime:
    """``length`` after ``start``, refused (not overflowing) if ``start`` is out of range."""
    return moment(start, "from") + length


def search_period(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` in Stockholm time; refused unless it has offsets, lies within the supported
    years, is non-empty and at most :data:`MAX_SEARCH_PERIOD` long."""
    start, end = moment(start, "from"), moment(end, "to")
    if elapsed(start, end) <= timedelta(0):
        raise InvalidInput("the end of the period must be after its start")
    if elapsed(start, end) > MAX_SEARCH_PERIOD:
        raise InvalidInput(f"a search may cover at most {MAX_SEARCH_PERIOD.days} days")
    return start, end


#: Bidirectional-text controls (Trojan Source): refused in free text like control characters.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def plain_text(value: str | None, name: str) -> str | None:
    """``value`` unchanged, refused if it holds a control character other than tab and line
    breaks (NUL, ESC, DEL, C1 controls), a bidi override or isolate, or a lone surrogate: free
    text the citizen sends reaches the unit and the citizen's inbox verbatim."""
    if value is None:
        return None
    for char in value:
        category = unicodedata.category(char)
        if (category == "Cc" and char not in "\t\n\r") or category == "Cs" or char in BIDI_CONTROLS:
            raise InvalidInput(f"{name}: control characters are not allowed")
    return value


def new_booking(slot_id: str, caller: Caller, reason: str | None) -> NewBooking:
    """The citizen's booking request for the adapter; refused if a field is out of bounds or
    the reason holds control characters (:func:`plain_text`)."""
    plain_text(reason, "reason")
    try:
        return NewBooking(slot_id=slot_id, subject_of_care=caller.subject_of_care, reason=reason)
    except ValidationError as error:
        raise InvalidInput(describe_validation_error(error)) from None


def cancel_message(message: str | None) -> str | None:
    """The citizen's message with a cancellation, stripped (None if blank); refused if too long
    or if it holds control characters (:func:`plain_text`)."""
    plain_text(message, "message")
    if message is not None:
        message = message.strip() or None
    if message is not None and len(message) > MAX_CANCEL_MESSAGE:
        raise InvalidInput(
            f"the message to the unit is longer than {MAX_CANCEL_MESSAGE} characters"
        )
    return message
