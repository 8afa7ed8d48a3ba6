"""PMO's server-side e-service rules (R6, R8) as pure checks that raise :class:`MockError`."""

from __future__ import annotations

from datetime import datetime

from ..kit import Booking, ErrorKind, MockError
from .model import PmoBookingType


def require_bookable(booking_type: PmoBookingType) -> None:
    """Only slots of a visible, bookable booking type can be booked via e-services."""
    if not (booking_type.visible and booking_type.bookable):
        raise MockError(
            ErrorKind.NOT_BOOKABLE,
            f"Booking type {booking_type.id} cannot be booked via e-services",
        )


def require_cancellable(appointment: Booking, booking_type: PmoBookingType) -> None:
    """Only visible appointments of a visible, cancellable booking type can be changed."""
    if appointment.hidden or not (booking_type.visible and booking_type.cancellable):
        raise MockError(
            ErrorKind.NOT_CANCELLABLE,
            f"Appointment {appointment.id} cannot be cancelled or rescheduled via e-services",
        )


def require_not_started(now: datetime, start: datetime) -> None:
    """Same-day is fine; a slot or appointment that has started (start <= now) is not."""
    if start <= now:
        raise MockError(ErrorKind.OUTSIDE_WINDOW, "The slot has already started")
