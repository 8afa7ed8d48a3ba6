"""PMO's wire records (``/api/v1``), as small pydantic models.

They describe exactly what the PMO API sends and accepts (docs/mocks/pmo-api.md): English camelCase
names, UTC timestamps with ``Z``, 12-digit ``patientId``, ``{"items", "nextCursor"}`` pages and
RFC 9457 problem details. Answers are read tolerantly (unknown fields are ignored, so a newer PMO
version does not break the plugin); request bodies are strict, because PMO refuses unknown fields.
Parse answers with :func:`tidbok.wire.parse_model`, so a record that does not fit is a
:class:`~tidbok.errors.BackendProtocolError`.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from tidbok import HsaId, PersonalIdentityNumber, UtcTimestamp

ItemT = TypeVar("ItemT")


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


class Scheduled(Answer):
    """What slots and appointments share: where, which booking type, when, with whom."""

    id: str = Field(min_length=1)
    facilityId: HsaId
    bookingTypeId: str
    start: UtcTimestamp
    end: UtcTimestamp
    practitioner: Named | None = None
    location: Named | None = None

    @property
    def performer(self) -> str | None:
        """The practitioner's name."""
        return self.practitioner.name if self.practitioner else None

    @property
    def resource(self) -> str | None:
        """The location's name."""
        return self.location.name if self.location else None


class PmoSlot(Scheduled):
    """A slot: start inclusive, end exclusive."""

    status: Literal["free", "busy"] = "free"


class Appointment(Scheduled):
    """An appointment, booked or cancelled; ``note`` is the patient's text."""

    slotId: str
    patientId: PersonalIdentityNumber
    status: Literal["booked", "cancelled"]
    purpose: str | None = None
    note: str | None = None
    bookedBy: Literal["staff", "patient"]
    hiddenInEServices: bool = False
    cancellationReason: str | None = None


class SearchedAppointment(Appointment):
    """An appointment as ``POST /appointments/search`` answers it: its booking type embedded."""

    bookingType: BookingType


class AppointmentSearch(Body):
    """``POST /appointments/search``: one page of a patient's appointments at many facilities
    (``facilityIds`` left out: every facility); paging lives in the body."""

    patientId: str
    facilityIds: list[str] | None = None
    pageSize: int
    cursor: str | None = None


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
