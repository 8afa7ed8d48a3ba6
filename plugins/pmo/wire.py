"""PMO's wire records (``/api/v1``), as small pydantic models.

They describe exactly what the PMO API sends and accepts (docs/mocks/pmo-api.md): English camelCase
names, UTC timestamps with ``Z``, 12-digit ``patientId``, ``{"items", "nextCursor"}`` pages and
RFC 9457 problem details. Answers are read tolerantly (unknown fields are ignored, so a newer PMO
version does not break the plugin); request bodies are strict, because PMO refuses unknown fields.
Parse answers with :func:`tidbok.wire.parse_model`, so a record that does not fit is a
:class:`~tidbok.errors.BackendProtocolError`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tidbok.identity import HsaId, PersonalIdentityNumber
from tidbok.wire import utc_to_stockholm

ItemT = TypeVar("ItemT")


def _utc(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("a timestamp must be an RFC 3339 string")
    return utc_to_stockholm(value)


#: An RFC 3339 timestamp (``2026-11-27T09:00:00Z``), read as an aware Stockholm datetime.
UtcTime = Annotated[datetime, BeforeValidator(_utc)]


class Answer(BaseModel):
    """A record PMO sends: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Body(BaseModel):
    """A request body PMO accepts: no unknown fields; ``None`` fields are left out when sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def wire(self) -> dict[str, Any]:
        """The JSON body to send."""
        return self.model_dump(exclude_none=True)


class Page(Answer, Generic[ItemT]):
    """One page of a list; ``nextCursor`` is None on the last page."""

    items: list[ItemT]
    nextCursor: str | None = None


class Problem(Answer):
    """An RFC 9457 problem answer; PMO's own error code is ``code``."""

    code: str | None = None
    title: str | None = None
    status: int | None = None


class Named(Answer):
    """A practitioner or location: only the name is used."""

    name: str | None = None


class Facility(Answer):
    """A facility (care unit); its id is the HSA-id."""

    id: HsaId
    name: str


class BookingType(Answer):
    """A booking type with its e-service flags; ``cancellable`` covers rescheduling too."""

    id: str = Field(min_length=1)
    facilityId: HsaId
    name: str
    defaultPurpose: str | None = None
    visibleInEServices: bool
    bookable: bool
    cancellable: bool


class PmoSlot(Answer):
    """A slot: start inclusive, end exclusive."""

    id: str = Field(min_length=1)
    facilityId: HsaId
    bookingTypeId: str
    start: UtcTime
    end: UtcTime
    practitioner: Named | None = None
    location: Named | None = None
    status: Literal["free", "busy"] = "free"


class Appointment(Answer):
    """An appointment, booked or cancelled; ``note`` is the patient's text."""

    id: str = Field(min_length=1)
    facilityId: HsaId
    slotId: str
    bookingTypeId: str
    patientId: PersonalIdentityNumber
    start: UtcTime
    end: UtcTime
    practitioner: Named | None = None
    location: Named | None = None
    status: Literal["booked", "cancelled"]
    purpose: str | None = None
    note: str | None = None
    bookedBy: Literal["staff", "patient"]
    hiddenInEServices: bool = False
    cancellationReason: str | None = None


class CreateAppointment(Body):
    """``POST /appointments``."""

    slotId: str
    patientId: str
    note: str | None = None


class Reschedule(Body):
    """``POST /appointments/{id}/reschedule``."""

    slotId: str


class Cancel(Body):
    """``POST /appointments/{id}/cancel``; ``reason`` is a message to the facility."""

    reason: str | None = None
