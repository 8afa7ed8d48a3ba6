"""Typed errors: every failure a caller can meet, with a stable code and a Swedish citizen text.

Two families, kept apart:

* :class:`BookingRefused` — a business outcome the citizen may see (the slot was taken, it is too
  late to cancel, ...). ``citizen_text`` is written for the citizen.
* :class:`TechnicalFault` — the backend is down, slow or talking nonsense. ``detail`` is for the
  logs only; the citizen sees a generic text, never the detail.

Codes are stable API: the gateway puts them in problem+json ``code`` and clients switch on them.
"""

from __future__ import annotations

from typing import ClassVar


class TidbokError(Exception):
    """Base of every error tidbok raises on purpose."""

    code: ClassVar[str] = "error"
    citizen_text: str = "Något gick fel. Försök igen senare."
    """The short Swedish text a citizen may be shown (a class's own, or an instance's)."""

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.__class__.__doc__ or self.code
        super().__init__(self.detail)

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class BookingRefused(TidbokError):
    """A business outcome that the citizen may see, with a text written for the citizen."""


class SlotTaken(BookingRefused):
    """The slot was booked by someone else."""

    code = "slot_taken"
    citizen_text = "Tiden hann bokas av någon annan. Välj en annan tid."


class OutsideBookingWindow(BookingRefused):
    """The booking, cancellation or rebooking is too early or too late for the unit's rules."""

    code = "outside_booking_window"
    citizen_text = (
        "Det går inte att boka, av- eller omboka den här tiden via 1177 just nu. "
        "Kontakta mottagningen."
    )


class NotAvailableVia1177(BookingRefused):
    """The slot or booking cannot be booked, cancelled or rebooked via 1177."""

    code = "not_available_via_1177"
    citizen_text = "Den här tiden går inte att hantera via 1177. Kontakta mottagningen."


class CaseTypeNotActive(BookingRefused):
    """The unit has not activated the case type (e-service) the operation needs."""

    code = "case_type_not_active"
    citizen_text = "Mottagningen erbjuder inte den här tjänsten via 1177."


class NotFound(BookingRefused):
    """No such unit, slot, booking or invitation for this citizen."""

    code = "not_found"
    citizen_text = "Vi hittade inte det du söker. Den kan ha ändrats eller tagits bort."


class InvitationAlreadyUsed(BookingRefused):
    """The open invitation has already been used to book a slot."""

    code = "invitation_already_used"
    citizen_text = "Du har redan bokat en tid från den här kallelsen."


class TermsNotAccepted(BookingRefused):
    """The citizen has not accepted the unit's terms text for the service."""

    code = "terms_not_accepted"
    citizen_text = "Du behöver godkänna villkoren för att kunna boka."


class InvalidInput(BookingRefused):
    """The request is malformed or has a value out of range."""

    code = "invalid_input"
    citizen_text = "Uppgifterna är inte giltiga. Kontrollera och försök igen."


class RefusedByUnit(BookingRefused):
    """The unit's system refused with a text of its own for the citizen (a crm:scheduling
    ``resultText`` tidbok does not recognise): the text is passed on as it came."""

    code = "refused_by_unit"

    def __init__(self, citizen_text: str, detail: str | None = None) -> None:
        super().__init__(detail or "the unit's system refused the request")
        self.citizen_text = citizen_text.strip()[:500] or BookingRefused.citizen_text


class TechnicalFault(TidbokError):
    """A technical fault; logged with detail, shown to the citizen only as a generic text."""

    code = "technical_fault"
    citizen_text = "Tjänsten fungerar inte just nu. Försök igen om en stund."


class BackendUnavailable(TechnicalFault):
    """The scheduling system could not be reached or refused service."""

    code = "backend_unavailable"

    def __init__(self, detail: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ActivityNotRecorded(TechnicalFault):
    """The write could not be announced (``tidbok_activity_intent`` failed), so it was not sent.

    Nothing was booked, cancelled or rebooked: the backend was not called.
    """

    code = "activity_not_recorded"
    citizen_text = "Det går inte att boka, av- eller omboka just nu. Försök igen om en stund."


class StoreDown(TechnicalFault):
    """The gateway's store cannot be reached right now (the database is down or restarting).

    Raised before any backend is called, so nothing was booked, cancelled or rebooked; the
    gateway answers 503 with Retry-After and recovers on its own when the database is back.
    """

    code = "store_unavailable"
    citizen_text = "Det går inte att boka, av- eller omboka just nu. Försök igen om en stund."


class BackendTimeout(TechnicalFault):
    """The scheduling system did not answer in time; a write may or may not have happened."""

    code = "backend_timeout"


class BackendProtocolError(TechnicalFault):
    """The scheduling system answered something the plugin cannot understand."""

    code = "backend_protocol_error"


class OutcomeUnknown(TechnicalFault):
    """A write was sent, its answer was lost or ambiguous, and reading back found nothing.

    The write may still have happened (a timeout, a cut connection or a 5xx other than 503 after
    the request was sent): the citizen is asked to look at Bokade tider before trying again.
    """

    code = "outcome_unknown"
    citizen_text = (
        "Vi vet inte om ändringen gick igenom hos mottagningen. Kontrollera under Bokade tider "
        "innan du försöker igen."
    )


def describe_validation_error(error: Exception) -> str:
    """A log-safe summary of a pydantic ValidationError: fields and problems, never input."""
    from pydantic import ValidationError

    if not isinstance(error, ValidationError):
        return type(error).__name__
    parts = [
        f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False)
    ]
    return "; ".join(parts)


def all_error_types() -> list[type[TidbokError]]:
    """Every concrete error type, for documentation and exhaustive tests."""
    found: list[type[TidbokError]] = []
    pending: list[type[TidbokError]] = [TidbokError]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.code not in {"error", "technical_fault"} and sub.code != cls.code:
                found.append(sub)
    return sorted(found, key=lambda cls: cls.code)
