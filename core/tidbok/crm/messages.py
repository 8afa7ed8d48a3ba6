"""The request and response of each of the 11 operations, elements in order (fact sheet §5).

The wrappers' own children are in the operation's responder namespace; the 1.1 request
additions of GetAllTimeTypes, GetAvailableDates and GetAvailableTimeslots in its
``…Responder:1.1`` namespace. :data:`MESSAGES` maps each operation to its two types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar, NamedTuple

from tidbok.crm.namespaces import OPERATIONS
from tidbok.crm.types import (
    CareTypeType,
    HealthcareFacilityInfoType,
    PerformerAvailabilityByDateType,
    PerformerInfoType,
    SubjectOfCareType,
    TimeslotType,
    TimeTypeType,
)
from tidbok.crm.xml import DT, SUBJECT, TEXT, Child, Codec, XmlType


class ResultCode(StrEnum):
    """The outcome of an updating operation: OK, ERROR (refused, show the text) or INFO."""

    OK = "OK"
    ERROR = "ERROR"
    INFO = "INFO"


def _decode_result(text: str) -> ResultCode:
    return ResultCode(text)


RESULT_CODE: Codec[ResultCode] = Codec("ResultCodeEnum", str, _decode_result)
"""``OK``, ``ERROR`` or ``INFO``."""


def _r(operation: str, attr: str, kind: Any, **more: bool) -> Child:
    """A child of ``operation``'s wrapper, in its responder namespace."""
    return Child(attr, attr, OPERATIONS[operation].responder, kind, **more)


def _r11(operation: str, attr: str, kind: Any, **more: bool) -> Child:
    """A 1.1 request addition, in ``operation``'s ``…Responder:1.1`` namespace."""
    return Child(attr, attr, OPERATIONS[operation].responder_11, kind, **more)


# -- reading a citizen's times -----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GetSubjectOfCareSchedule(XmlType):
    """The citizen's booked times (and timed invitations) at a unit."""

    healthcare_facility: str
    subject_of_care: str

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetSubjectOfCareSchedule", "healthcare_facility", TEXT, required=True),
        _r("GetSubjectOfCareSchedule", "subject_of_care", SUBJECT, required=True),
    )


@dataclass(frozen=True, kw_only=True)
class GetSubjectOfCareScheduleResponse(XmlType):
    """The times, each with bookingId and subject_of_care."""

    timeslotDetail: tuple[TimeslotType, ...] = ()

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetSubjectOfCareSchedule", "timeslotDetail", TimeslotType, many=True),
    )


@dataclass(frozen=True, kw_only=True)
class GetBookingDetails(XmlType):
    """One booking or invitation by id."""

    healthcare_facility: str
    bookingId: str

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetBookingDetails", "healthcare_facility", TEXT, required=True),
        _r("GetBookingDetails", "bookingId", TEXT, required=True),
    )


@dataclass(frozen=True, kw_only=True)
class GetBookingDetailsResponse(XmlType):
    """Exactly one timeslot, the three permission flags always present."""

    timeslotDetail: TimeslotType

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetBookingDetails", "timeslotDetail", TimeslotType, required=True),
    )


# -- what a unit offers --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GetAllTimeTypes(XmlType):
    """Time types bookable online at a unit."""

    healthcare_facility: str
    careTypeIDs: tuple[str, ...] = ()
    subject_of_care: str

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetAllTimeTypes", "healthcare_facility", TEXT, required=True),
        _r11("GetAllTimeTypes", "careTypeIDs", TEXT, many=True),
        _r11("GetAllTimeTypes", "subject_of_care", SUBJECT, required=True),
    )


@dataclass(frozen=True, kw_only=True)
class GetAllTimeTypesResponse(XmlType):
    """The time types (``ListOfTimeTypes``, capital L)."""

    ListOfTimeTypes: tuple[TimeTypeType, ...] = ()

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetAllTimeTypes", "ListOfTimeTypes", TimeTypeType, many=True),
    )


@dataclass(frozen=True, kw_only=True)
class GetAllCareTypes(XmlType):
    """Care types bookable at a unit (optional operation)."""

    healthcare_facility: str
    timeTypeIDs: tuple[str, ...] = ()
    performer: tuple[str, ...] = ()
    subject_of_care: str

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetAllCareTypes", "healthcare_facility", TEXT, required=True),
        _r("GetAllCareTypes", "timeTypeIDs", TEXT, many=True),
        _r("GetAllCareTypes", "performer", TEXT, many=True),
        _r("GetAllCareTypes", "subject_of_care", SUBJECT, required=True),
    )


@dataclass(frozen=True, kw_only=True)
class GetAllCareTypesResponse(XmlType):
    """The care types."""

    careTypes: tuple[CareTypeType, ...] = ()

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetAllCareTypes", "careTypes", CareTypeType, many=True),
    )


@dataclass(frozen=True, kw_only=True)
class GetAllHealthcareFacilities(XmlType):
    """Units where the citizen may book, or move the booking ``bookingId`` to."""

    healthcare_facility: str
    subject_of_care: str
    bookingId: str | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetAllHealthcareFacilities", "healthcare_facility", TEXT, required=True),
        _r("GetAllHealthcareFacilities", "subject_of_care", SUBJECT, required=True),
        _r("GetAllHealthcareFacilities", "bookingId", TEXT),
    )


@dataclass(frozen=True, kw_only=True)
class GetAllHealthcareFacilitiesResponse(XmlType):
    """The units."""

    healthcareFacilityInfos: tuple[HealthcareFacilityInfoType, ...] = ()

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r(
            "GetAllHealthcareFacilities",
            "healthcareFacilityInfos",
            HealthcareFacilityInfoType,
            many=True,
        ),
    )


@dataclass(frozen=True, kw_only=True)
class GetAllPerformers(XmlType):
    """Staff bookable online."""

    healthcare_facility: str
    timeTypeIDs: tuple[str, ...] = ()
    careTypeIDs: tuple[str, ...] = ()
    subject_of_care: str

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetAllPerformers", "healthcare_facility", TEXT, required=True),
        _r("GetAllPerformers", "timeTypeIDs", TEXT, many=True),
        _r("GetAllPerformers", "careTypeIDs", TEXT, many=True),
        _r("GetAllPerformers", "subject_of_care", SUBJECT, required=True),
    )


@dataclass(frozen=True, kw_only=True)
class GetAllPerformersResponse(XmlType):
    """The staff."""

    performerInfos: tuple[PerformerInfoType, ...] = ()

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetAllPerformers", "performerInfos", PerformerInfoType, many=True),
    )


# -- free times ------------------------------------------------------------------------------


def _availability(operation: str) -> tuple[Child, ...]:
    return (
        _r(operation, "healthcare_facility", TEXT, required=True),
        _r(operation, "bookingId", TEXT),
        _r(operation, "startDateInclusive", DT, required=True),
        _r(operation, "endDateInclusive", DT, required=True),
        _r(operation, "performer", TEXT, many=True),
        _r(operation, "timeTypeName", TEXT),
        _r(operation, "timeTypeID", TEXT),
        _r(operation, "careTypeName", TEXT),
        _r(operation, "careTypeID", TEXT),
        _r11(operation, "subject_of_care", SUBJECT, required=True),
    )


@dataclass(frozen=True, kw_only=True)
class AvailabilityQuery(XmlType):
    """The ten elements GetAvailableDates and GetAvailableTimeslots share, in order."""

    healthcare_facility: str
    bookingId: str | None = None
    startDateInclusive: date
    endDateInclusive: date
    performer: tuple[str, ...] = ()
    timeTypeName: str | None = None
    timeTypeID: str | None = None
    careTypeName: str | None = None
    careTypeID: str | None = None
    subject_of_care: str


@dataclass(frozen=True, kw_only=True)
class GetAvailableDates(AvailabilityQuery):
    """Days with free slots in a date range (``bookingId``: for moving that booking)."""

    CHILDREN: ClassVar[tuple[Child, ...]] = _availability("GetAvailableDates")


@dataclass(frozen=True, kw_only=True)
class GetAvailableDatesResponse(XmlType):
    """The days."""

    performerAvailabilityByDate: tuple[PerformerAvailabilityByDateType, ...] = ()

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r(
            "GetAvailableDates",
            "performerAvailabilityByDate",
            PerformerAvailabilityByDateType,
            many=True,
        ),
    )


@dataclass(frozen=True, kw_only=True)
class GetAvailableTimeslots(AvailabilityQuery):
    """Free slots in a date range (``bookingId``: for moving that booking or an invitation)."""

    CHILDREN: ClassVar[tuple[Child, ...]] = _availability("GetAvailableTimeslots")


@dataclass(frozen=True, kw_only=True)
class GetAvailableTimeslotsResponse(XmlType):
    """The free slots (no subject_of_care, no isInvitation)."""

    timeslotDetail: tuple[TimeslotType, ...] = ()

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("GetAvailableTimeslots", "timeslotDetail", TimeslotType, many=True),
    )


# -- writes ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MakeBooking(XmlType):
    """Book a free slot, or a slot of the open invitation named by ``bookingId``."""

    healthcare_facility_med: str
    requestedTimeslot: TimeslotType
    subject_of_care_info: SubjectOfCareType
    notification: str | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("MakeBooking", "healthcare_facility_med", TEXT, required=True),
        _r("MakeBooking", "requestedTimeslot", TimeslotType, required=True),
        _r("MakeBooking", "subject_of_care_info", SubjectOfCareType, required=True),
        _r("MakeBooking", "notification", TEXT),
    )


@dataclass(frozen=True, kw_only=True)
class MakeBookingResponse(XmlType):
    """The booking's id (OK or INFO) and the outcome."""

    bookingId: str | None = None
    resultCode: ResultCode
    resultText: str | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("MakeBooking", "bookingId", TEXT),
        _r("MakeBooking", "resultCode", RESULT_CODE, required=True),
        _r("MakeBooking", "resultText", TEXT),
    )


@dataclass(frozen=True, kw_only=True)
class UpdateBooking(XmlType):
    """Move the booking ``requestedTimeslot.bookingId`` to the requested time."""

    requestedTimeslot: TimeslotType
    subject_of_care_info: SubjectOfCareType | None = None
    notification: str | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("UpdateBooking", "requestedTimeslot", TimeslotType, required=True),
        _r("UpdateBooking", "subject_of_care_info", SubjectOfCareType),
        _r("UpdateBooking", "notification", TEXT),
    )


@dataclass(frozen=True, kw_only=True)
class UpdateBookingResponse(XmlType):
    """The outcome."""

    resultCode: ResultCode
    resultText: str | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("UpdateBooking", "resultCode", RESULT_CODE, required=True),
        _r("UpdateBooking", "resultText", TEXT),
    )


@dataclass(frozen=True, kw_only=True)
class CancelBooking(XmlType):
    """Cancel a booking, with a message to the unit when ``message_allowed``."""

    healthcare_facility: str
    bookingId: str
    message: str | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("CancelBooking", "healthcare_facility", TEXT, required=True),
        _r("CancelBooking", "bookingId", TEXT, required=True),
        _r("CancelBooking", "message", TEXT),
    )


@dataclass(frozen=True, kw_only=True)
class CancelBookingResponse(XmlType):
    """The outcome."""

    resultCode: ResultCode
    resultText: str | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        _r("CancelBooking", "resultCode", RESULT_CODE, required=True),
        _r("CancelBooking", "resultText", TEXT),
    )


class MessagePair(NamedTuple):
    """An operation's request and response types."""

    request: type[XmlType]
    response: type[XmlType]


MESSAGES: dict[str, MessagePair] = {
    name: MessagePair(globals()[name], globals()[f"{name}Response"]) for name in OPERATIONS
}
"""Each operation's request and response types, by operation name."""
