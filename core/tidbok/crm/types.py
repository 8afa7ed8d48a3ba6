"""The shared complex types of crm:scheduling 1.1, in the contract's order (fact sheet §4).

Every child is in the namespace of the schema that declares its parent type: core types'
children in ``urn:riv:crm:scheduling:1``, except ``isInvitation`` and the citizen's names, which
the 1.1 extension declares in ``urn:riv:crm:scheduling:1.1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from tidbok.crm.namespaces import CORE, CORE_11, HEADERS, OPERATIONS
from tidbok.crm.xml import BOOL, DT, SUBJECT, TEXT, TS, Child, Codec, XmlType


@dataclass(frozen=True, kw_only=True)
class TimeslotType(XmlType):
    """A time at a unit: a free slot, a booking or an invitation (20 elements)."""

    startTimeInclusive: datetime | None = None
    endTimeExclusive: datetime | None = None
    healthcare_facility: str = ""
    performer: str | None = None
    bookingId: str | None = None
    subject_of_care: str | None = None
    purpose: str | None = None
    reason: str | None = None
    resourceName: str | None = None
    healthcare_facility_name: str | None = None
    performerName: str | None = None
    resourceID: str | None = None
    timeTypeName: str | None = None
    timeTypeID: str | None = None
    careTypeName: str | None = None
    careTypeID: str | None = None
    cancel_booking_allowed: bool | None = None
    rebooking_allowed: bool | None = None
    message_allowed: bool | None = None
    isInvitation: bool | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        Child("startTimeInclusive", "startTimeInclusive", CORE, TS),
        Child("endTimeExclusive", "endTimeExclusive", CORE, TS),
        Child("healthcare_facility", "healthcare_facility", CORE, TEXT, required=True),
        Child("performer", "performer", CORE, TEXT),
        Child("bookingId", "bookingId", CORE, TEXT),
        Child("subject_of_care", "subject_of_care", CORE, SUBJECT),
        Child("purpose", "purpose", CORE, TEXT),
        Child("reason", "reason", CORE, TEXT),
        Child("resourceName", "resourceName", CORE, TEXT),
        Child("healthcare_facility_name", "healthcare_facility_name", CORE, TEXT),
        Child("performerName", "performerName", CORE, TEXT),
        Child("resourceID", "resourceID", CORE, TEXT),
        Child("timeTypeName", "timeTypeName", CORE, TEXT),
        Child("timeTypeID", "timeTypeID", CORE, TEXT),
        Child("careTypeName", "careTypeName", CORE, TEXT),
        Child("careTypeID", "careTypeID", CORE, TEXT),
        Child("cancel_booking_allowed", "cancel_booking_allowed", CORE, BOOL),
        Child("rebooking_allowed", "rebooking_allowed", CORE, BOOL),
        Child("message_allowed", "message_allowed", CORE, BOOL),
        Child("isInvitation", "isInvitation", CORE_11, BOOL),
    )


@dataclass(frozen=True, kw_only=True)
class SubjectOfCareType(XmlType):
    """The citizen's contact details and register names (contact fields first)."""

    phone: str | None = None
    email: str | None = None
    address: str | None = None
    coaddress: str | None = None
    firstName: str = ""
    middleName: str | None = None
    lastName: str = ""

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        Child("phone", "phone", CORE, TEXT),
        Child("email", "email", CORE, TEXT),
        Child("address", "address", CORE, TEXT),
        Child("coaddress", "coaddress", CORE, TEXT),
        Child("firstName", "firstName", CORE_11, TEXT, required=True),
        Child("middleName", "middleName", CORE_11, TEXT),
        Child("lastName", "lastName", CORE_11, TEXT, required=True),
    )


@dataclass(frozen=True, kw_only=True)
class TimeTypeType(XmlType):
    """A time type bookable online (note the lower-case ``Id``)."""

    timeTypeName: str
    timeTypeId: str

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        Child("timeTypeName", "timeTypeName", CORE, TEXT, required=True),
        Child("timeTypeId", "timeTypeId", CORE, TEXT, required=True),
    )


@dataclass(frozen=True, kw_only=True)
class CareTypeType(XmlType):
    """A care type (e.g. vaccination) bookable at the unit."""

    careTypeName: str
    careTypeId: str

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        Child("careTypeName", "careTypeName", CORE, TEXT, required=True),
        Child("careTypeId", "careTypeId", CORE, TEXT, required=True),
    )


@dataclass(frozen=True, kw_only=True)
class PerformerInfoType(XmlType):
    """A member of staff bookable online; ``perfomer`` is misspelt in the schema itself."""

    perfomer: str
    firstName: str
    lastName: str
    title: str | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        Child("perfomer", "perfomer", CORE, TEXT, required=True),
        Child("firstName", "firstName", CORE, TEXT, required=True),
        Child("lastName", "lastName", CORE, TEXT, required=True),
        Child("title", "title", CORE, TEXT),
    )


@dataclass(frozen=True, kw_only=True)
class HealthcareFacilityInfoType(XmlType):
    """A unit where the citizen may book, with its preferred display name."""

    healthcare_facility: str
    healthcare_facility_name: str | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        Child("healthcare_facility", "healthcare_facility", CORE, TEXT, required=True),
        Child("healthcare_facility_name", "healthcare_facility_name", CORE, TEXT),
    )


_DATES = OPERATIONS["GetAvailableDates"].responder


@dataclass(frozen=True, kw_only=True)
class PerformerAvailabilityByDateType(XmlType):
    """A day with free slots (declared in the GetAvailableDates responder namespace)."""

    healthcare_facility: str
    performer: str | None = None
    date: date
    resourceName: str | None = None
    resourceID: str | None = None
    timeTypeName: str | None = None
    timeTypeID: str | None = None
    careTypeName: str | None = None
    careTypeID: str | None = None

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        Child("healthcare_facility", "healthcare_facility", _DATES, TEXT, required=True),
        Child("performer", "performer", _DATES, TEXT),
        Child("date", "date", _DATES, DT, required=True),
        Child("resourceName", "resourceName", _DATES, TEXT),
        Child("resourceID", "resourceID", _DATES, TEXT),
        Child("timeTypeName", "timeTypeName", _DATES, TEXT),
        Child("timeTypeID", "timeTypeID", _DATES, TEXT),
        Child("careTypeName", "careTypeName", _DATES, TEXT),
        Child("careTypeID", "careTypeID", _DATES, TEXT),
    )


class ActorType(StrEnum):
    """Who calls: the citizen, or staff acting for the citizen."""

    SUBJECT_OF_CARE = "subject_of_care"
    SUBJECT_OF_CARE_AGENT = "subject_of_care_agent"


def _decode_actor_type(text: str) -> ActorType:
    return ActorType(text)


ACTOR_TYPE: Codec[ActorType] = Codec("ActorTypeEnum", str, _decode_actor_type)
"""``subject_of_care`` or ``subject_of_care_agent``."""


@dataclass(frozen=True, kw_only=True)
class Actor(XmlType):
    """The ``Actor`` header: a citizen's personal identity number or an agent's HSA-id."""

    actorId: str
    actorType: ActorType

    CHILDREN: ClassVar[tuple[Child, ...]] = (
        Child("actorId", "actorId", HEADERS, TEXT, required=True),
        Child("actorType", "actorType", HEADERS, ACTOR_TYPE, required=True),
    )
