"""crm:scheduling's three updating operations: MakeBooking, UpdateBooking, CancelBooking.

Served by ``book``/``book_invitation``, ``rebook`` and ``cancel`` of the BookingService, so every
1177 rule, the activity intents, the inbox message and the outbox apply as for REST v1. A
business refusal answers ``resultCode`` ERROR with the refusal's Swedish text for the citizen;
a unit's instructions answer INFO; technical faults propagate (the endpoint sends a SOAP fault).

The contract has no idempotency key, so a consumer that lost an answer may send the same request
again. Before refusing a MakeBooking or UpdateBooking because the requested time is no longer
free, the producer looks at the citizen's own bookings: if one already is at exactly that time,
the retry answers as the first answer did (OK, or INFO with the unit's instructions) instead of
a false "slot taken", and nothing is booked twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from tidbok.answers import answered
from tidbok.crm.envelope import SoapFault
from tidbok.crm.fields import check_timeslot
from tidbok.crm.messages import (
    CancelBooking,
    CancelBookingResponse,
    MakeBooking,
    MakeBookingResponse,
    ResultCode,
    UpdateBooking,
    UpdateBookingResponse,
)
from tidbok.crm.types import TimeslotType
from tidbok.errors import (
    BookingRefused,
    InvitationAlreadyUsed,
    NotAvailableVia1177,
    NotFound,
    SlotTaken,
)
from tidbok.gateway.riv_reads import RivCall, invitation_or_none
from tidbok.gateway.riv_timeslots import requested_slot, same_time
from tidbok.identity import normalize_hsa_id
from tidbok.models import Booking, BookingResult, OutcomeKind, WriteOutcome

_NOT_FREE = "the requested time is not among the free times offered to this citizen"


async def make_booking(call: RivCall, request: MakeBooking) -> MakeBookingResponse:
    """Book the requested free slot, or a slot of the open invitation in ``bookingId``."""
    requested = _requested(call, request.requestedTimeslot, "MakeBooking")
    try:
        result = await _book(call, requested)
    except BookingRefused as refusal:
        return MakeBookingResponse(resultCode=ResultCode.ERROR, resultText=refusal.citizen_text)
    if isinstance(result, Booking):  # a retry: answered as the first answer was
        result = answered(BookingResult(booking=result), result)
    code, text = _outcome(result.outcome)
    return MakeBookingResponse(bookingId=result.booking.id, resultCode=code, resultText=text)


async def update_booking(call: RivCall, request: UpdateBooking) -> UpdateBookingResponse:
    """Move the booking ``requestedTimeslot.bookingId`` to the requested time (never an open
    invitation: those are booked with MakeBooking)."""
    requested = _requested(call, request.requestedTimeslot, "UpdateBooking")
    booking_id = requested.bookingId or ""
    service, caller = call.service, call.caller
    start, end = _period(requested)
    try:
        slots = await service.available_slots(
            caller, call.hsa_id, start, end, requested.timeTypeID, rebook=booking_id
        )
        slot = requested_slot(requested, slots)
        if slot is None:
            current = await service.booking(caller, call.hsa_id, booking_id)
            if same_time(requested, current.start, current.end):  # a retry
                code, text = _outcome(answered(BookingResult(booking=current), current).outcome)
                return UpdateBookingResponse(resultCode=code, resultText=text)
            await _refuse_unoffered(call, requested)
        result = await service.rebook(caller, call.hsa_id, booking_id, slot.id)
    except BookingRefused as refusal:
        return UpdateBookingResponse(resultCode=ResultCode.ERROR, resultText=refusal.citizen_text)
    code, text = _outcome(result.outcome)
    return UpdateBookingResponse(resultCode=code, resultText=text)


async def cancel_booking(call: RivCall, request: CancelBooking) -> CancelBookingResponse:
    """Cancel the booking, passing ``message`` to the unit where its system takes one."""
    try:
        outcome = await call.service.cancel(
            call.caller, call.hsa_id, request.bookingId, request.message
        )
    except BookingRefused as refusal:
        return CancelBookingResponse(resultCode=ResultCode.ERROR, resultText=refusal.citizen_text)
    code, text = _outcome(outcome)
    return CancelBookingResponse(resultCode=code, resultText=text)


def _requested(call: RivCall, requested: TimeslotType, operation: str) -> TimeslotType:
    """The requested timeslot, its mandatory fields present and at the addressed unit."""
    check_timeslot(requested, operation, required_only=True)
    try:
        unit = normalize_hsa_id(requested.healthcare_facility)
    except ValueError:
        unit = ""
    if unit != call.hsa_id:
        raise SoapFault(
            "Client", "requestedTimeslot/healthcare_facility must be the LogicalAddress unit"
        )
    return requested


async def _book(call: RivCall, requested: TimeslotType) -> BookingResult | Booking:
    service, caller = call.service, call.caller
    start, end = _period(requested)
    reason = requested.reason
    if requested.bookingId is not None:
        invitation = await invitation_or_none(call, requested.bookingId)
        if invitation is None:
            raise NotFound("no such open invitation for this citizen")
        slot = None if invitation.used else requested_slot(requested, invitation.slots)
        if slot is not None:
            return await service.book_invitation(
                caller, call.hsa_id, invitation.id, slot.id, accept_terms=True
            )
        held = await _already_booked(call, requested)
        if held is not None:
            return held
        if invitation.used:
            raise InvitationAlreadyUsed("the invitation has been booked already")
        raise SlotTaken(_NOT_FREE)
    slots = await service.available_slots(caller, call.hsa_id, start, end, requested.timeTypeID)
    slot = requested_slot(requested, slots)
    if slot is None:
        held = await _already_booked(call, requested)
        if held is not None:
            return held
        raise SlotTaken(_NOT_FREE)
    return await service.book(caller, call.hsa_id, slot.id, accept_terms=True, reason=reason)


async def _already_booked(call: RivCall, requested: TimeslotType) -> Booking | None:
    """The citizen's booking at the unit at exactly the requested time, if any (a retry)."""
    bookings = await call.service.unit_bookings(call.caller, call.hsa_id)
    return next(
        (
            booking
            for booking in bookings
            if same_time(requested, booking.start, booking.end)
            and (requested.timeTypeID is None or requested.timeTypeID == booking.time_type_id)
        ),
        None,
    )


def _period(requested: TimeslotType) -> tuple[datetime, datetime]:
    """The requested ``[start, end)``; :func:`_requested` made sure both are there."""
    if requested.startTimeInclusive is None or requested.endTimeExclusive is None:
        raise SoapFault("Client", "requestedTimeslot needs startTimeInclusive and endTimeExclusive")
    return requested.startTimeInclusive, requested.endTimeExclusive


async def _refuse_unoffered(call: RivCall, requested: TimeslotType) -> NoReturn:
    """Why a booking cannot move to the requested time: free, but not a time this booking may
    move to (another time type, say), or not free at all."""
    start, end = _period(requested)
    free = await call.service.available_slots(
        call.caller, call.hsa_id, start, end, requested.timeTypeID
    )
    if requested_slot(requested, free) is not None:
        raise NotAvailableVia1177("the booking may not move to the requested time")
    raise SlotTaken(_NOT_FREE)


def _outcome(outcome: WriteOutcome) -> tuple[ResultCode, str | None]:
    if outcome.kind is OutcomeKind.INFO:
        return ResultCode.INFO, outcome.text
    return ResultCode.OK, None
