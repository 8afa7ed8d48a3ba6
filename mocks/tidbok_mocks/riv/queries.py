"""The eight read operations: time types, care types, facilities, performers, free times,
the citizen's schedule and one booking's details. Each reads under the schedule lock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import time, timedelta

from lxml import etree

from ..kit import ReservableSlot, local_datetime, stockholm_date
from .call import Call, booking_fields, invitation_fields, slot_fields
from .names import CRM, responder, responder_ext
from .soap import (
    TIMESLOT_ORDER,
    Value,
    answer,
    client_fault,
    day_text,
    put,
    put_all,
    read_date,
    sub,
)

Operation = Callable[[Call], Awaitable[bytes]]

#: The widest date range GetAvailableDates/GetAvailableTimeslots search.
MAX_SEARCH_DAYS = 92


async def get_all_time_types(call: Call) -> bytes:
    """The unit's time types that are bookable online, as ``ListOfTimeTypes``."""
    call.body.subject_of_care(responder_ext(call.operation))
    async with call.state.schedule.lock:
        kinds = [k for k in call.state.schedule.time_types_of(call.unit.id) if k.bookable_online]

    def fill(element: etree._Element) -> None:
        for kind in kinds:
            item = sub(element, responder(call.operation), "ListOfTimeTypes")
            put(item, CRM, "timeTypeName", kind.name)
            put(item, CRM, "timeTypeId", kind.id)

    return answer(call.operation, fill)


async def empty_list(call: Call) -> bytes:
    """GetAllCareTypes and GetAllPerformers: the mock has neither (an empty list)."""
    call.body.subject_of_care(responder(call.operation))
    return answer(call.operation, lambda element: None)


async def get_all_healthcare_facilities(call: Call) -> bytes:
    """The addressed unit; with a ``bookingId``, the unit only if it knows that booking."""
    ns = responder(call.operation)
    person = call.body.subject_of_care(ns)
    booking_id = call.body.text(ns, "bookingId")
    async with call.state.schedule.lock:
        known = booking_id is None or (
            call.booking(booking_id, person) or call.open_invitation(booking_id, person)
        )

    def fill(element: etree._Element) -> None:
        if known:
            info = sub(element, ns, "healthcareFacilityInfos")
            put(info, CRM, "healthcare_facility", call.unit.id)
            put(info, CRM, "healthcare_facility_name", call.unit.name)

    return answer(call.operation, fill)


def _timeslots(call: Call, entries: list[dict[str, Value]]) -> Callable[[etree._Element], None]:
    """Fill a response with one ``timeslotDetail`` per entry."""
    ns = responder(call.operation)

    def fill(element: etree._Element) -> None:
        for entry in entries:
            put_all(sub(element, ns, "timeslotDetail"), TIMESLOT_ORDER, entry)

    return fill


async def _free_slots(call: Call) -> list[ReservableSlot]:
    """The slots a GetAvailable* request asks for (see docs/mocks/riv-api.md)."""
    ns = responder(call.operation)
    body = call.body
    person = body.subject_of_care(responder_ext(call.operation))
    first = read_date(body, ns, "startDateInclusive")
    last = read_date(body, ns, "endDateInclusive")
    if last < first:
        raise client_fault("endDateInclusive is before startDateInclusive")
    if (last - first).days >= MAX_SEARCH_DAYS:
        raise client_fault(f"the date range may span at most {MAX_SEARCH_DAYS} days")
    wanted_type = body.text(ns, "timeTypeID")
    booking_id = body.text(ns, "bookingId")
    schedule = call.state.schedule
    now = call.state.clock.now()
    start = max(local_datetime(first, time(0)), now)
    end = local_datetime(last + timedelta(days=1), time(0))
    async with schedule.lock:
        candidates = schedule.free_slots(call.unit.id, start, end, wanted_type)
        if booking_id is None:
            return [
                slot
                for slot in candidates
                if slot.invitation_id is None
                and schedule.time_type(slot.time_type_id).bookable_online
            ]
        booking = call.booking(booking_id, person)
        if booking is not None:
            return [
                slot
                for slot in candidates
                if slot.invitation_id is None
                and slot.time_type_id == booking.time_type_id
                and schedule.time_type(slot.time_type_id).bookable_online
            ]
        invitation = call.open_invitation(booking_id, person)
        if invitation is not None:
            return [slot for slot in candidates if slot.invitation_id == invitation.id]
        return []


async def get_available_timeslots(call: Call) -> bytes:
    """Free slots in the date range, never past ones; no citizen, no ``isInvitation``."""
    slots = await _free_slots(call)
    ns = responder(call.operation)

    def fill(element: etree._Element) -> None:
        for slot in slots:
            put_all(
                sub(element, ns, "timeslotDetail"), TIMESLOT_ORDER, slot_fields(call.state, slot)
            )

    return answer(call.operation, fill)


async def get_available_dates(call: Call) -> bytes:
    """One ``performerAvailabilityByDate`` per (date, time type) with a free slot."""
    slots = await _free_slots(call)
    ns = responder(call.operation)
    seen: dict[tuple[str, str], str] = {}
    for slot in slots:
        kind = call.state.schedule.time_type(slot.time_type_id)
        seen.setdefault((day_text(stockholm_date(slot.start)), kind.id), kind.name)

    def fill(element: etree._Element) -> None:
        for (day, kind_id), name in sorted(seen.items(), key=lambda i: (i[0][0], i[1], i[0][1])):
            item = sub(element, ns, "performerAvailabilityByDate")
            for local, value in (
                ("healthcare_facility", call.unit.id),
                ("date", day),
                ("timeTypeName", name),
                ("timeTypeID", kind_id),
            ):
                put(item, ns, local, value)

    return answer(call.operation, fill)


async def get_subject_of_care_schedule(call: Call) -> bytes:
    """The citizen's visible bookings at the unit (never open invitations), with the flags."""
    ns = responder(call.operation)
    person = call.body.subject_of_care(ns)
    assert person is not None
    schedule = call.state.schedule
    async with schedule.lock:
        bookings = [
            booking
            for booking in schedule.bookings_of(person=person, unit_id=call.unit.id)
            if call.booking(booking.id) is not None
        ]
        entries = [booking_fields(call.state, booking) for booking in bookings]
    return answer(call.operation, _timeslots(call, entries))


async def get_booking_details(call: Call) -> bytes:
    """One booking, or an open invitation; an unknown id is a ``soap:Client`` fault."""
    ns = responder(call.operation)
    booking_id = call.body.need(ns, "bookingId")
    async with call.state.schedule.lock:
        booking = call.booking(booking_id)
        invitation = None if booking is not None else call.open_invitation(booking_id)
        if booking is not None:
            entry = booking_fields(call.state, booking)
        elif invitation is not None:
            entry = invitation_fields(call.state, invitation)
        else:
            raise client_fault(f"Bokningen {booking_id} finns inte.")
    return answer(
        call.operation,
        lambda element: put_all(sub(element, ns, "timeslotDetail"), TIMESLOT_ORDER, entry),
    )


READS: dict[str, Operation] = {
    "GetAllTimeTypes": get_all_time_types,
    "GetAllCareTypes": empty_list,
    "GetAllPerformers": empty_list,
    "GetAllHealthcareFacilities": get_all_healthcare_facilities,
    "GetAvailableTimeslots": get_available_timeslots,
    "GetAvailableDates": get_available_dates,
    "GetSubjectOfCareSchedule": get_subject_of_care_schedule,
    "GetBookingDetails": get_booking_details,
}
"""The read operations by name."""
