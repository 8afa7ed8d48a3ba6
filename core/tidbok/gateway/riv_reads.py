"""crm:scheduling's eight reading operations, each served by the same BookingService calls as
REST v1 (docs/riv.md has the table).

A :class:`RivCall` carries what the envelope established: the unit its ``LogicalAddress`` names
and the caller its ``Actor`` names. Refusals raise the core's typed errors; the endpoint turns
them into SOAP faults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tidbok.clock import instant
from tidbok.crm.messages import (
    AvailabilityQuery,
    GetAllCareTypes,
    GetAllCareTypesResponse,
    GetAllHealthcareFacilities,
    GetAllHealthcareFacilitiesResponse,
    GetAllPerformers,
    GetAllPerformersResponse,
    GetAllTimeTypes,
    GetAllTimeTypesResponse,
    GetAvailableDates,
    GetAvailableDatesResponse,
    GetAvailableTimeslots,
    GetAvailableTimeslotsResponse,
    GetBookingDetails,
    GetBookingDetailsResponse,
    GetSubjectOfCareSchedule,
    GetSubjectOfCareScheduleResponse,
)
from tidbok.crm.types import HealthcareFacilityInfoType, TimeTypeType
from tidbok.errors import NotFound
from tidbok.gateway.riv_timeslots import (
    available_days,
    booking_timeslot,
    day_range,
    free_timeslot,
    invitation_timeslot,
    slot_filter,
)
from tidbok.models import ActiveUnit, Caller, CaseTypeKind, Invitation, Slot
from tidbok.service import BookingService


@dataclass(frozen=True)
class RivCall:
    """One crm:scheduling call: the service, the addressed unit and who calls."""

    service: BookingService
    unit: ActiveUnit
    caller: Caller

    @property
    def hsa_id(self) -> str:
        """The addressed unit's HSA-id."""
        return self.unit.hsa_id


async def get_subject_of_care_schedule(
    call: RivCall, request: GetSubjectOfCareSchedule
) -> GetSubjectOfCareScheduleResponse:
    """The citizen's visible bookings at the unit (``unit_bookings``); never open invitations."""
    bookings = await call.service.unit_bookings(call.caller, call.hsa_id)
    return GetSubjectOfCareScheduleResponse(
        timeslotDetail=tuple(
            booking_timeslot(booking, call.unit.name, "GetSubjectOfCareSchedule")
            for booking in bookings
        )
    )


async def get_booking_details(
    call: RivCall, request: GetBookingDetails
) -> GetBookingDetailsResponse:
    """One booking with its flags (``booking``), else the open invitation of that id."""
    try:
        booking = await call.service.booking(call.caller, call.hsa_id, request.bookingId)
    except NotFound:
        invitation = await _open_invitation(call, request.bookingId)
        return GetBookingDetailsResponse(
            timeslotDetail=invitation_timeslot(invitation, call.unit.name)
        )
    return GetBookingDetailsResponse(
        timeslotDetail=booking_timeslot(booking, call.unit.name, "GetBookingDetails")
    )


async def get_all_time_types(call: RivCall, request: GetAllTimeTypes) -> GetAllTimeTypesResponse:
    """Time types bookable on 1177 (``time_types``); none when care types are asked for."""
    if request.careTypeIDs:
        return GetAllTimeTypesResponse()
    time_types = await call.service.time_types(call.hsa_id, call.caller)
    return GetAllTimeTypesResponse(
        ListOfTimeTypes=tuple(
            TimeTypeType(timeTypeName=time_type.name or time_type.id, timeTypeId=time_type.id)
            for time_type in time_types
        )
    )


async def get_all_care_types(call: RivCall, request: GetAllCareTypes) -> GetAllCareTypesResponse:
    """Always empty: tidbok's models have no care types (the operation is optional)."""
    call.service.unit(call.hsa_id)
    return GetAllCareTypesResponse()


async def get_all_performers(call: RivCall, request: GetAllPerformers) -> GetAllPerformersResponse:
    """Always empty: citizens do not choose staff through tidbok (mandatory only if they may)."""
    call.service.unit(call.hsa_id)
    return GetAllPerformersResponse()


async def get_all_healthcare_facilities(
    call: RivCall, request: GetAllHealthcareFacilities
) -> GetAllHealthcareFacilitiesResponse:
    """The unit itself, where it offers booking; with ``bookingId``, where that booking (or open
    invitation) may be moved or booked: the unit itself, or nothing for an unknown id."""
    itself = (
        HealthcareFacilityInfoType(
            healthcare_facility=call.hsa_id, healthcare_facility_name=call.unit.name or None
        ),
    )
    if request.bookingId is None:
        offers = call.unit.case_type(CaseTypeKind.BOOK) is not None
        return GetAllHealthcareFacilitiesResponse(healthcareFacilityInfos=itself if offers else ())
    try:
        await _invitation_or_booking(call, request.bookingId)
    except NotFound:
        return GetAllHealthcareFacilitiesResponse()
    return GetAllHealthcareFacilitiesResponse(healthcareFacilityInfos=itself)


async def get_available_dates(
    call: RivCall, request: GetAvailableDates
) -> GetAvailableDatesResponse:
    """Days with a slot the citizen may book now: the slots of GetAvailableTimeslots by day."""
    slots = await _offered(call, request)
    return GetAvailableDatesResponse(performerAvailabilityByDate=tuple(available_days(slots)))


async def get_available_timeslots(
    call: RivCall, request: GetAvailableTimeslots
) -> GetAvailableTimeslotsResponse:
    """Slots the citizen may book now (``available_slots``); with ``bookingId``, the slots that
    booking may move to, or the slots of that open invitation."""
    slots = await _offered(call, request)
    return GetAvailableTimeslotsResponse(
        timeslotDetail=tuple(free_timeslot(slot, call.unit.name) for slot in slots)
    )


async def offered_slots(
    call: RivCall, start: datetime, end: datetime, time_type: str | None, booking_id: str | None
) -> list[Slot]:
    """Free slots in ``[start, end)``: for a new booking, for moving ``booking_id``, or of the
    open invitation ``booking_id`` (what MakeBooking and UpdateBooking match against)."""
    service, caller = call.service, call.caller
    if booking_id is None:
        return await service.available_slots(caller, call.hsa_id, start, end, time_type)
    invitation = await invitation_or_none(call, booking_id)
    if invitation is None:
        return await service.available_slots(caller, call.hsa_id, start, end, time_type, booking_id)
    if invitation.used:
        return []
    return [
        slot
        for slot in invitation.slots
        if instant(start) <= instant(slot.start) < instant(end)
        and (time_type is None or slot.time_type_id == time_type)
    ]


async def _offered(call: RivCall, request: AvailabilityQuery) -> list[Slot]:
    start, end = day_range(request.startDateInclusive, request.endDateInclusive)
    slots = await offered_slots(call, start, end, request.timeTypeID, request.bookingId)
    return slot_filter(
        slots,
        request.performer,
        request.timeTypeName,
        care_type=request.careTypeID is not None or request.careTypeName is not None,
    )


async def _open_invitation(call: RivCall, invitation_id: str) -> Invitation:
    invitation = await invitation_or_none(call, invitation_id)
    if invitation is None or invitation.used:
        raise NotFound(f"no booking or invitation {invitation_id} for this citizen")
    return invitation


async def invitation_or_none(call: RivCall, invitation_id: str) -> Invitation | None:
    """The citizen's invitation ``invitation_id`` at the unit, used or not; None if none."""
    try:
        return await call.service.invitation(call.caller, call.hsa_id, invitation_id)
    except NotFound:
        return None


async def _invitation_or_booking(call: RivCall, booking_id: str) -> None:
    """NotFound unless ``booking_id`` is the citizen's open invitation or booking at the unit."""
    invitation = await invitation_or_none(call, booking_id)
    if invitation is None:
        await call.service.booking(call.caller, call.hsa_id, booking_id)
    elif invitation.used:
        raise NotFound(f"invitation {booking_id} has been booked already")
