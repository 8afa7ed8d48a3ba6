"""Checking what a citizen asks for before any backend is called.

A search period, a new booking and a message with a cancellation are validated here and refused
with :class:`~tidbok.errors.InvalidInput`, whatever unit or system they are meant for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import ValidationError

from tidbok.clock import elapsed, to_stockholm
from tidbok.errors import InvalidInput, describe_validation_error
from tidbok.models import Caller, NewBooking

#: The longest period one slot search may cover.
MAX_SEARCH_PERIOD = timedelta(days=93)

#: The longest message a citizen may send the unit with a cancellation.
MAX_CANCEL_MESSAGE = 1000


def search_period(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` in Stockholm time; refused unless it has offsets, is non-empty and short."""
    try:
        start, end = to_stockholm(start), to_stockholm(end)
    except ValueError:
        raise InvalidInput("times must carry a UTC offset") from None
    if elapsed(start, end) <= timedelta(0):
        raise InvalidInput("the end of the period must be after its start")
    if elapsed(start, end) > MAX_SEARCH_PERIOD:
        raise InvalidInput(f"a search may cover at most {MAX_SEARCH_PERIOD.days} days")
    return start, end


def new_booking(slot_id: str, caller: Caller, reason: str | None) -> NewBooking:
    """The citizen's booking request for the adapter; refused if a field is out of bounds."""
    try:
        return NewBooking(slot_id=slot_id, subject_of_care=caller.subject_of_care, reason=reason)
    except ValidationError as error:
        raise InvalidInput(describe_validation_error(error)) from None


def cancel_message(message: str | None) -> str | None:
    """The citizen's message with a cancellation, stripped (None if blank); refused if too long."""
    if message is not None:
        message = message.strip() or None
    if message is not None and len(message) > MAX_CANCEL_MESSAGE:
        raise InvalidInput(
            f"the message to the unit is longer than {MAX_CANCEL_MESSAGE} characters"
        )
    return message
