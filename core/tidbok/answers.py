"""What the citizen is answered after a write: the booking with its flags, and INFO when due."""

from __future__ import annotations

from tidbok.models import Booking, BookingResult, OutcomeKind, WriteOutcome


def answered(result: BookingResult, booking: Booking) -> BookingResult:
    """The result as the citizen gets it: the booking with its permission flags, and INFO.

    crm:scheduling answers INFO when a text must be shown to the citizen (e.g. "kom fastande").
    The backend's own INFO is kept; otherwise the unit's instructions for the visit (the booking's
    purpose text) make the answer INFO, so 1177 shows them right after the booking.
    """
    outcome = result.outcome
    if outcome.kind is OutcomeKind.OK and booking.purpose:
        outcome = WriteOutcome(kind=OutcomeKind.INFO, text=booking.purpose)
    return result.model_copy(update={"booking": booking, "outcome": outcome})
