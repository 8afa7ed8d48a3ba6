"""tidbok's models as crm:scheduling timeslots, and a requested timeslot back to a free slot.

Every timeslot written here is checked against its operation's field rules
(:mod:`tidbok.crm.fields`), so a missing mandatory or a forbidden field fails our tests, never
1177's parser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from tidbok.clock import STOCKHOLM, to_stockholm
from tidbok.crm.fields import check_timeslot
from tidbok.crm.times import format_timestamp
from tidbok.crm.types import PerformerAvailabilityByDateType, TimeslotType
from tidbok.models import Booking, Invitation, Slot


def booking_timeslot(booking: Booking, unit_name: str, operation: str) -> TimeslotType:
    """A booking (or timed invitation) as GetSubjectOfCareSchedule or GetBookingDetails show it.

    The three permission flags are always written: the contract reads an absent flag as "not
    allowed", and GetBookingDetails requires them.
    """
    permissions = booking.permissions
    timeslot = TimeslotType(
        startTimeInclusive=booking.start,
        endTimeExclusive=booking.end,
        healthcare_facility=booking.unit,
        performer=None,
        bookingId=booking.id,
        subject_of_care=booking.subject_of_care.value,
        purpose=booking.purpose or None,
        reason=booking.reason or None,
        resourceName=booking.resource or None,
        healthcare_facility_name=unit_name or None,
        performerName=booking.performer or None,
        timeTypeName=booking.time_type_name or None,
        timeTypeID=booking.time_type_id or None,
        cancel_booking_allowed=permissions.cancel_booking_allowed,
        rebooking_allowed=permissions.rebooking_allowed,
        message_allowed=permissions.message_allowed,
        isInvitation=True if booking.is_invitation else None,
    )
    return check_timeslot(timeslot, operation)


def invitation_timeslot(invitation: Invitation, unit_name: str) -> TimeslotType:
    """An open invitation for GetBookingDetails: no start or end, ``isInvitation`` and purpose."""
    timeslot = TimeslotType(
        healthcare_facility=invitation.unit,
        bookingId=invitation.id,
        subject_of_care=invitation.subject_of_care.value,
        purpose=invitation.purpose or invitation.title,
        healthcare_facility_name=unit_name or None,
        cancel_booking_allowed=False,
        rebooking_allowed=False,
        message_allowed=False,
        isInvitation=True,
    )
    return check_timeslot(timeslot, "GetBookingDetails")


def free_timeslot(slot: Slot, unit_name: str) -> TimeslotType:
    """A free slot as GetAvailableTimeslots offers it (no citizen, no invitation flag)."""
    return TimeslotType(
        startTimeInclusive=slot.start,
        endTimeExclusive=slot.end,
        healthcare_facility=slot.unit,
        resourceName=slot.resource or None,
        healthcare_facility_name=unit_name or None,
        performerName=slot.performer or None,
        timeTypeName=slot.time_type_name or None,
        timeTypeID=slot.time_type_id or None,
    )


def available_days(slots: Iterable[Slot]) -> list[PerformerAvailabilityByDateType]:
    """One entry per Stockholm day and time type that has a free slot, in date order."""
    days: dict[tuple[date, str], PerformerAvailabilityByDateType] = {}
    for slot in slots:
        day = to_stockholm(slot.start).date()
        key = (day, slot.time_type_id)
        if key not in days:
            days[key] = PerformerAvailabilityByDateType(
                healthcare_facility=slot.unit,
                date=day,
                timeTypeName=slot.time_type_name or None,
                timeTypeID=slot.time_type_id or None,
            )
    return [days[key] for key in sorted(days)]


def day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """``[first 00:00, the day after last 00:00)`` in Stockholm (inclusive dates on the wire)."""
    start = datetime(first.year, first.month, first.day, tzinfo=STOCKHOLM)
    after = last + timedelta(days=1)
    return start, datetime(after.year, after.month, after.day, tzinfo=STOCKHOLM)


def slot_filter(
    slots: Iterable[Slot],
    performers: Sequence[str] = (),
    time_type_name: str | None = None,
    care_type: bool = False,
) -> list[Slot]:
    """The slots matching a GetAvailable* request's filters.

    tidbok's models have no care types: a request that filters by one matches nothing (the
    producer answers GetAllCareTypes with an empty list, so 1177 never sends one).
    """
    if care_type:
        return []
    wanted = {performer.casefold() for performer in performers}
    return [
        slot
        for slot in slots
        if (not wanted or (slot.performer or "").casefold() in wanted)
        and (time_type_name is None or slot.time_type_name == time_type_name)
    ]


def requested_slot(requested: TimeslotType, offered: Iterable[Slot]) -> Slot | None:
    """The offered slot a MakeBooking or UpdateBooking request names, or None.

    The contract carries no slot id: the consumer sends back the times (and, when it has them,
    the time type, resource and performer) it got from GetAvailableTimeslots. Times compare as
    their 14-digit local text, so a slot in the repeated autumn hour is found whichever of the
    two instants it is (the wire cannot tell them apart; the earlier one wins).
    """
    for slot in sorted(offered, key=lambda slot: (slot.start.timestamp(), slot.id)):
        if same_time(requested, slot.start, slot.end) and _same_details(requested, slot):
            return slot
    return None


def same_time(requested: TimeslotType, start: datetime, end: datetime) -> bool:
    """Whether ``requested`` names ``[start, end)`` in local wall-clock time."""
    if requested.startTimeInclusive is None or requested.endTimeExclusive is None:
        return False
    return format_timestamp(requested.startTimeInclusive) == format_timestamp(
        start
    ) and format_timestamp(requested.endTimeExclusive) == format_timestamp(end)


def _same_details(requested: TimeslotType, slot: Slot) -> bool:
    return (
        (requested.timeTypeID is None or requested.timeTypeID == slot.time_type_id)
        and (requested.resourceName is None or requested.resourceName == slot.resource)
        and (requested.performerName is None or requested.performerName == slot.performer)
    )
