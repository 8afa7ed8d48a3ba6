"""The JSON shapes of API v1: request bodies and queries (unknown fields refused) and answers.

Every request body and query string is validated with one of the ``*In``/``*Query`` models; the
answers are built from the ``*Out`` models, which also feed the OpenAPI document.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool

from tidbok.gateway.ids import encode_id
from tidbok.identity import HsaId
from tidbok.models import (
    ActiveUnit,
    Booking,
    BookingResult,
    CaseTypeKind,
    Invitation,
    Slot,
    TimeType,
    UnitFailure,
    WriteOutcome,
)

ID_TEXT = Field(min_length=1, max_length=200)


class In(BaseModel):
    """Base of request models: strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Out(BaseModel):
    """Base of answer models."""

    model_config = ConfigDict(frozen=True)


# -- requests ------------------------------------------------------------------------------


class EmptyQuery(In):
    """Endpoints that take no query parameters refuse any."""


class SlotsQuery(In):
    """``GET /v1/units/{hsa_id}/slots``: the period (default: the next 14 days) and filters."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    from_: AwareDatetime | None = Field(
        default=None,
        alias="from",
        description="Start of the period, ISO 8601 with offset; from 2000-01-01 up to "
        "2100-01-01 UTC, else 400.",
    )
    to: AwareDatetime | None = Field(
        default=None,
        description="End of the period (exclusive), ISO 8601 with offset; at most 93 days after "
        "`from`, from 2000-01-01 up to 2100-01-01 UTC, else 400.",
    )
    time_type: str | None = Field(default=None, min_length=1, max_length=200)
    rebook: str | None = Field(
        default=None,
        min_length=1,
        max_length=600,
        description="A booking id: search for slots to move that booking to.",
    )


class BookIn(In):
    """``POST /v1/bookings``."""

    unit: HsaId = Field(description="HSA-id of the unit, e.g. SE2321000016-1234.")
    slot_id: str = ID_TEXT
    accept_terms: StrictBool = Field(
        description="The citizen accepted the unit's terms text: the JSON literal true."
    )
    reason: str | None = Field(default=None, max_length=1000)


class RebookIn(In):
    """``POST /v1/bookings/{booking_id}/rebook``."""

    slot_id: str = ID_TEXT


class CancelIn(In):
    """``POST /v1/bookings/{booking_id}/cancel`` (the body may be empty)."""

    message: str | None = Field(default=None, max_length=1000)


class InvitationBookIn(In):
    """``POST /v1/invitations/{invitation_id}/book``."""

    slot_id: str = ID_TEXT
    accept_terms: StrictBool = Field(description="The JSON literal true: the terms accepted.")


# -- answers ---------------------------------------------------------------------------------


class CaseTypeOut(Out):
    """An activated case type: its kind, the unit's name for it and its terms text."""

    kind: CaseTypeKind
    name: str
    terms: str


class UnitOut(Out):
    """A unit where 1177 tidbokning is active."""

    hsa_id: str
    name: str
    system: str
    case_types: list[CaseTypeOut]

    @classmethod
    def of(cls, unit: ActiveUnit) -> UnitOut:
        """From the core model."""
        return cls(
            hsa_id=unit.hsa_id,
            name=unit.name,
            system=unit.system,
            case_types=[
                CaseTypeOut(kind=case.kind, name=case.name, terms=case.terms)
                for case in unit.case_types
            ],
        )


class UnitListOut(Out):
    """``GET /v1/units``."""

    units: list[UnitOut]


class TimeTypeOut(Out):
    """A time type the citizen may see."""

    id: str
    name: str
    bookable: bool
    changeable: bool

    @classmethod
    def of(cls, time_type: TimeType) -> TimeTypeOut:
        """From the core model."""
        return cls(
            id=time_type.id,
            name=time_type.name,
            bookable=time_type.access.bookable,
            changeable=time_type.access.changeable,
        )


class TimeTypeListOut(Out):
    """``GET /v1/units/{hsa_id}/time-types``."""

    time_types: list[TimeTypeOut]


class TimeTypeRef(Out):
    """The time type of a slot or booking."""

    id: str
    name: str


class ScheduledOut(Out):
    """What slots and bookings share: where, when (start inclusive, end exclusive), which type."""

    id: str
    unit: str
    start: datetime
    end: datetime
    time_type: TimeTypeRef
    performer: str | None = None
    resource: str | None = None


def _scheduled(item: Slot | Booking, shown_id: str) -> dict[str, Any]:
    return {
        "id": shown_id,
        "unit": item.unit,
        "start": item.start,
        "end": item.end,
        "time_type": TimeTypeRef(id=item.time_type_id, name=item.time_type_name),
        "performer": item.performer,
        "resource": item.resource,
    }


class SlotOut(ScheduledOut):
    """A free slot: ``start`` inclusive, ``end`` exclusive."""

    @classmethod
    def of(cls, slot: Slot) -> SlotOut:
        """From the core model."""
        return cls(**_scheduled(slot, slot.id))


class SlotListOut(Out):
    """``GET /v1/units/{hsa_id}/slots``."""

    slots: list[SlotOut]


class PermissionsOut(Out):
    """What the citizen may do with the booking now."""

    cancel_booking_allowed: bool
    rebooking_allowed: bool
    message_allowed: bool


class BookingOut(ScheduledOut):
    """One of the citizen's bookings; ``id`` is opaque and names the unit too."""

    purpose: str | None = None
    reason: str | None = None
    booked_by: Literal["citizen", "staff"]
    is_invitation: bool
    permissions: PermissionsOut

    @classmethod
    def of(cls, booking: Booking) -> BookingOut:
        """From the core model (the citizen's identity number is never sent back)."""
        flags = booking.permissions
        return cls(
            **_scheduled(booking, encode_id(booking.unit, booking.id)),
            purpose=booking.purpose,
            reason=booking.reason,
            booked_by=booking.booked_by.value,
            is_invitation=booking.is_invitation,
            permissions=PermissionsOut(
                cancel_booking_allowed=flags.cancel_booking_allowed,
                rebooking_allowed=flags.rebooking_allowed,
                message_allowed=flags.message_allowed,
            ),
        )


class OutcomeOut(Out):
    """How a write went; ``info`` is a text the citizen must see when ``outcome`` is INFO."""

    outcome: Literal["OK", "INFO"]
    info: str | None = None

    @classmethod
    def of(cls, outcome: WriteOutcome) -> OutcomeOut:
        """From the core model."""
        return cls(outcome=outcome.kind.value, info=outcome.text)


class BookingResultOut(Out):
    """A booking made or moved, with the outcome of the write."""

    booking: BookingOut
    outcome: Literal["OK", "INFO"]
    info: str | None = None

    @classmethod
    def of(cls, result: BookingResult) -> BookingResultOut:
        """From the core model."""
        return cls(
            booking=BookingOut.of(result.booking),
            outcome=result.outcome.kind.value,
            info=result.outcome.text,
        )


class FailedUnitOut(Out):
    """A unit that could not answer; the rest of the answer is still valid (R7)."""

    unit: str
    unit_name: str
    code: str
    detail: str

    @classmethod
    def of(cls, failure: UnitFailure) -> FailedUnitOut:
        """From the core model."""
        return cls(
            unit=failure.unit,
            unit_name=failure.unit_name,
            code=failure.code,
            detail=failure.citizen_text,
        )


class BookingListOut(Out):
    """The citizen's bookings; ``failed_units`` lists units that could not answer."""

    bookings: list[BookingOut]
    failed_units: list[FailedUnitOut] = []


class InvitationOut(Out):
    """An open invitation (R15) with the slots it offers; ``id`` is opaque."""

    id: str
    unit: str
    title: str
    purpose: str | None = None
    slots: list[SlotOut]

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationOut:
        """From the core model."""
        return cls(
            id=encode_id(invitation.unit, invitation.id),
            unit=invitation.unit,
            title=invitation.title,
            purpose=invitation.purpose,
            slots=[SlotOut.of(slot) for slot in invitation.slots],
        )


class InvitationListOut(Out):
    """``GET /v1/invitations``."""

    invitations: list[InvitationOut]
    failed_units: list[FailedUnitOut] = []


class InboxMessageOut(Out):
    """A message in the citizen's 1177 inbox created by a booking activity (R10)."""

    id: str
    created_at: datetime
    kind: str
    unit: str
    unit_name: str
    subject: str
    body: str
    delivered: bool = Field(description="Whether the inbox service has stored it yet.")


class InboxOut(Out):
    """``GET /v1/inbox``: newest first."""

    messages: list[InboxMessageOut]


class HealthOut(Out):
    """``GET /healthz``."""

    status: Literal["ok"]


class BackendReadiness(Out):
    """One backend as seen by ``GET /readyz``."""

    backend: str
    system: str
    reachable: bool
    breaker: str | None = None
    code: str | None = None


class ReadyOut(Out):
    """``GET /readyz``: ready, degraded (some backends down) or unavailable."""

    status: Literal["ready", "degraded", "unavailable"]
    outbox: Literal["ok", "failed"]
    outbox_pending: int | None = None
    outbox_intents: int | None = None
    """Activity intents not settled yet (writes in flight, or waiting for reconciliation)."""
    backends: list[BackendReadiness]


class ProblemOut(Out):
    """An RFC 9457 problem document; ``detail`` is for the citizen, in Swedish."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[str] | None = Field(
        default=None, description="For invalid input: the fields and what is wrong with them."
    )
