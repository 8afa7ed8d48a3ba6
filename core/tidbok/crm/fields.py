"""Which TimeslotType fields each operation requires, allows or forbids (fact sheet §4).

The schema makes almost every TimeslotType field optional; the service description (TKB §6)
is stricter per operation. ``1``: must be present; ``O``: optional; ``-``: must be omitted.
The producer checks every timeslot it writes; a consumer checks what it sends.
"""

from __future__ import annotations

from typing import Literal

from tidbok.crm.types import TimeslotType
from tidbok.crm.xml import WireError

Presence = Literal["1", "O", "-"]

_FIELDS = tuple(child.attr for child in TimeslotType.CHILDREN)


def _rules(**special: Presence) -> dict[str, Presence]:
    rules: dict[str, Presence] = dict.fromkeys(_FIELDS, "O")
    rules.update(special)
    return rules


_FLAGS_REQUIRED: dict[str, Presence] = {
    "cancel_booking_allowed": "1",
    "rebooking_allowed": "1",
    "message_allowed": "1",
}
_NO_FLAGS: dict[str, Presence] = {
    "cancel_booking_allowed": "-",
    "rebooking_allowed": "-",
    "message_allowed": "-",
    "isInvitation": "-",
}
_TIMED: dict[str, Presence] = {
    "startTimeInclusive": "1",
    "endTimeExclusive": "1",
    "healthcare_facility": "1",
}

TIMESLOT_RULES: dict[str, dict[str, Presence]] = {
    "GetSubjectOfCareSchedule": _rules(**_TIMED, bookingId="1", subject_of_care="1"),
    "GetBookingDetails": _rules(healthcare_facility="1", subject_of_care="1", **_FLAGS_REQUIRED),
    "GetAvailableTimeslots": _rules(**_TIMED, subject_of_care="-", isInvitation="-"),
    "MakeBooking": _rules(**_TIMED, subject_of_care="1", **_NO_FLAGS),
    "UpdateBooking": _rules(**_TIMED, bookingId="1", subject_of_care="1", **_NO_FLAGS),
}
"""Presence of each TimeslotType field, by the operation (and direction) that carries it."""


def timeslot_problems(
    timeslot: TimeslotType, operation: str, required_only: bool = False
) -> list[str]:
    """What breaks ``operation``'s field rules in ``timeslot`` (names only, never values).

    ``required_only`` checks only what must be present: reading is liberal about extra fields.
    """
    problems: list[str] = []
    for field, presence in TIMESLOT_RULES[operation].items():
        present = getattr(timeslot, field) not in (None, "")
        if presence == "1" and not present:
            problems.append(f"{field} is required in {operation}")
        elif presence == "-" and present and not required_only:
            problems.append(f"{field} is not allowed in {operation}")
    if operation == "GetBookingDetails":
        if timeslot.isInvitation and not timeslot.purpose:
            problems.append("purpose is required for an invitation")
        timed = timeslot.startTimeInclusive is not None, timeslot.endTimeExclusive is not None
        if timed[0] != timed[1]:
            problems.append("start and end are given together or not at all")
        if not any(timed) and not timeslot.isInvitation:
            problems.append("only an open invitation may lack start and end")
    return problems


def check_timeslot(
    timeslot: TimeslotType, operation: str, required_only: bool = False
) -> TimeslotType:
    """``timeslot`` if it follows ``operation``'s field rules, else :class:`WireError`."""
    problems = timeslot_problems(timeslot, operation, required_only)
    if problems:
        raise WireError("; ".join(problems))
    return timeslot
