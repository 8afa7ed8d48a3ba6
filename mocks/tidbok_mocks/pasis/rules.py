"""PASiS's server-side 1177 rules (R6, R9), as pure checks that raise :class:`MockError`."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..kit import Booking, ErrorKind, MockError, stockholm_date
from .model import LEVEL_BOOKABLE, LEVEL_CHANGEABLE, PasisSlot

CHANGE_CUTOFF = timedelta(hours=24)
"""Cancel and rebook are allowed until 24 elapsed hours before the start (inclusive)."""


def require_bookable(slot: PasisSlot) -> None:
    """Only level-4 slots that no invitation reserves can be booked via 1177."""
    if slot.invitation_id is not None:
        raise MockError(ErrorKind.NOT_BOOKABLE, "Tiden är reserverad för en kallelse.")
    if slot.level < LEVEL_BOOKABLE:
        raise MockError(
            ErrorKind.NOT_BOOKABLE, f"Tiden har 1177-nivå {slot.level} och kan inte bokas via 1177."
        )


def require_changeable(booking: Booking, slot: PasisSlot) -> None:
    """Only visible bookings on slots of level 3 or 4 can be cancelled or rebooked via 1177."""
    if booking.hidden:
        raise MockError(ErrorKind.NOT_CANCELLABLE, "Bokningen kan inte ändras via 1177.")
    if slot.level < LEVEL_CHANGEABLE:
        raise MockError(
            ErrorKind.NOT_CANCELLABLE,
            f"Bokningen har 1177-nivå {slot.level} och kan inte av- eller ombokas via 1177.",
        )


def require_after_today(now: datetime, start: datetime) -> None:
    """New bookings and rebookings: at the earliest on the calendar day after today (Stockholm)."""
    if stockholm_date(start) <= stockholm_date(now):
        raise MockError(
            ErrorKind.OUTSIDE_WINDOW, "Tider kan bokas tidigast dagen efter dagens datum."
        )


def require_before_cutoff(now: datetime, start: datetime) -> None:
    """Cancel and rebook: until 24 elapsed hours before the booked start (exactly 24 h is OK)."""
    if now > start - CHANGE_CUTOFF:
        raise MockError(
            ErrorKind.OUTSIDE_WINDOW,
            "Bokningen kan av- eller ombokas senast 24 timmar före besöket.",
        )
