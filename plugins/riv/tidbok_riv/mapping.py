"""crm:scheduling to tidbok's models and back: slot ids, timeslots, refusals and faults.

The contract has no slot ids: a free time is named by its local start and end, its time type and
its resource. :func:`slot_id` packs those into an opaque id and :func:`slot_key` unpacks it, so
tidbok's ``get_slot``/``book`` by id work against any producer.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from tidbok import (
    Access1177,
    BackendProtocolError,
    BackendUnavailable,
    BookedBy,
    Booking,
    BookingRefused,
    CaseTypeNotActive,
    InvalidInput,
    InvitationAlreadyUsed,
    NotAvailableVia1177,
    NotFound,
    OutsideBookingWindow,
    Permissions,
    PersonalIdentityNumber,
    RefusedByUnit,
    Slot,
    SlotTaken,
    TechnicalFault,
    TermsNotAccepted,
    TimeType,
    local_span,
)
from tidbok.crm import (
    SoapFault,
    TimeslotType,
    TimeTypeType,
    format_timestamp,
    parse_timestamp,
)

#: tidbok's refusals by code: a producer's ERROR text or fault maps to one of these.
REFUSALS: dict[str, type[BookingRefused]] = {
    error.code: error
    for error in (
        SlotTaken,
        OutsideBookingWindow,
        NotAvailableVia1177,
        NotFound,
        InvitationAlreadyUsed,
        InvalidInput,
        CaseTypeNotActive,
        TermsNotAccepted,
    )
}

#: tidbok's own citizen texts (what tidbok's producer answers), by text.
OWN_TEXTS: dict[str, str] = {error.citizen_text: code for code, error in REFUSALS.items()}

_FAULT_CODE = re.compile(r"^([a-z0-9_]+): (.+)$", re.S)


@dataclass(frozen=True)
class SlotKey:
    """What names a free time on the wire: local start and end, time type, resource."""

    start: str
    end: str
    time_type: str | None
    resource: str | None


def slot_id(timeslot: TimeslotType) -> str:
    """The opaque id of a free timeslot (start, end, time type, resource)."""
    if timeslot.startTimeInclusive is None or timeslot.endTimeExclusive is None:
        raise BackendProtocolError("a free timeslot without start or end")
    packed = [
        format_timestamp(timeslot.startTimeInclusive),
        format_timestamp(timeslot.endTimeExclusive),
        timeslot.timeTypeID,
        timeslot.resourceID,
    ]
    raw = json.dumps(packed, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def slot_key(slot_id: str) -> SlotKey:
    """The key inside a slot id; NotFound for anything that is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(slot_id + "=" * (-len(slot_id) % 4))
        start, end, time_type, resource = json.loads(raw)
        parse_timestamp(start)
        parse_timestamp(end)
    except (ValueError, TypeError):
        raise NotFound("not a slot id of this backend") from None
    return SlotKey(start, end, time_type, resource)


def same_slot(key: SlotKey, timeslot: TimeslotType) -> bool:
    """Whether ``timeslot`` is the free time ``key`` names."""
    if timeslot.startTimeInclusive is None or timeslot.endTimeExclusive is None:
        return False
    return (
        format_timestamp(timeslot.startTimeInclusive) == key.start
        and format_timestamp(timeslot.endTimeExclusive) == key.end
        and (key.time_type is None or timeslot.timeTypeID == key.time_type)
        and (key.resource is None or timeslot.resourceID == key.resource)
    )


def to_time_type(item: TimeTypeType) -> TimeType:
    """A time type GetAllTimeTypes lists: bookable online, so visible, bookable, changeable."""
    return TimeType(
        id=item.timeTypeId,
        name=item.timeTypeName,
        access=Access1177(visible=True, bookable=True, changeable=True),
    )


def to_slot(timeslot: TimeslotType, unit: str) -> Slot:
    """A free timeslot as tidbok's :class:`Slot` (everything offered is bookable online)."""
    start, end = _times(timeslot)
    return Slot(
        id=slot_id(timeslot),
        unit=unit,
        start=start,
        end=end,
        time_type_id=timeslot.timeTypeID or "",
        time_type_name=timeslot.timeTypeName or timeslot.timeTypeID or "",
        performer=timeslot.performerName or timeslot.performer,
        resource=timeslot.resourceName or timeslot.resourceID,
        access=Access1177(visible=True, bookable=True, changeable=True),
    )


def to_booking(timeslot: TimeslotType, unit: str, citizen: PersonalIdentityNumber) -> Booking:
    """A booking from GetSubjectOfCareSchedule or GetBookingDetails; its flags cap tidbok's."""
    start, end = _times(timeslot)
    if not timeslot.bookingId:
        raise BackendProtocolError("a booking without bookingId")
    subject = timeslot.subject_of_care
    return Booking(
        id=timeslot.bookingId,
        unit=unit,
        subject_of_care=PersonalIdentityNumber(subject) if subject else citizen,
        start=start,
        end=end,
        time_type_id=timeslot.timeTypeID or "",
        time_type_name=timeslot.timeTypeName or timeslot.timeTypeID or "",
        performer=timeslot.performerName or timeslot.performer,
        resource=timeslot.resourceName or timeslot.resourceID,
        purpose=timeslot.purpose,
        reason=timeslot.reason,
        booked_by=BookedBy.STAFF,
        is_invitation=bool(timeslot.isInvitation),
        access=Access1177(visible=True, changeable=True),
        backend_permissions=Permissions(
            cancel_booking_allowed=bool(timeslot.cancel_booking_allowed),
            rebooking_allowed=bool(timeslot.rebooking_allowed),
            message_allowed=bool(timeslot.message_allowed),
        ),
    )


def requested_booking(
    booking_id: str, unit: str, citizen: PersonalIdentityNumber, key: SlotKey
) -> Booking:
    """A booking the producer confirmed, described from the request alone (its details could
    not be read right after the write)."""
    start, end = local_span(parse_timestamp(key.start), parse_timestamp(key.end))
    return Booking(
        id=booking_id,
        unit=unit,
        subject_of_care=citizen,
        start=start,
        end=end,
        time_type_id=key.time_type or "",
        time_type_name=key.time_type or "",
        resource=key.resource,
        booked_by=BookedBy.CITIZEN,
        access=Access1177(visible=True, changeable=True),
    )


def refusal(text: str | None, own_texts: Mapping[str, str]) -> BookingRefused:
    """The typed refusal of a ``resultCode`` ERROR: a known text maps to its error (tidbok's
    own texts, then the backend's ``result_texts``); any other keeps the producer's text."""
    text = (text or "").strip()
    code = own_texts.get(text) or OWN_TEXTS.get(text)
    if code is not None:
        return REFUSALS[code](f"the producer refused: {code}")
    return RefusedByUnit(text, "the producer refused with a text of its own")


def fault_error(fault: SoapFault, operation: str = "") -> TechnicalFault | BookingRefused:
    """The typed error of a SOAP fault: a refusal tidbok's producer names by code (``not_found:
    …``); a ``Client`` fault to GetBookingDetails is NotFound (for an unknown bookingId a fault is
    the contract's only schema-valid answer); else a technical fault (``Server``: the producer
    failed; ``Client``: it could not read our request)."""
    match = _FAULT_CODE.match(fault.text)
    if fault.code == "Client" and match is not None and match.group(1) in REFUSALS:
        return REFUSALS[match.group(1)](f"the producer refused: {match.group(1)}")
    if fault.code == "Client" and operation == "GetBookingDetails":
        return NotFound("the producer knows no such booking for this citizen")
    if fault.code == "Server":
        return BackendUnavailable(f"the producer answered a Server fault: {fault.text[:200]}")
    return BackendProtocolError(f"the producer refused the request: {fault.text[:200]}")


def _times(timeslot: TimeslotType) -> tuple[datetime, datetime]:
    if timeslot.startTimeInclusive is None or timeslot.endTimeExclusive is None:
        raise BackendProtocolError("a timeslot without start or end")
    return local_span(timeslot.startTimeInclusive, timeslot.endTimeExclusive)
