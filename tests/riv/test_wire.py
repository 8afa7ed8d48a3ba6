"""The crm:scheduling wire layer on its own: order, namespaces, no empty elements, field rules,
timestamps across both daylight-saving changes, liberal reading.

The expected orders below are copied from the fact sheet's tables (shared/crm-scheduling.md §4,
§5), not from the models, so a model that drifts from the contract fails here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import xmlschema
from lxml import etree

from tidbok.clock import STOCKHOLM
from tidbok.crm.envelope import read_request, write_request, write_response
from tidbok.crm.fields import check_timeslot, timeslot_problems
from tidbok.crm.messages import (
    MESSAGES,
    CancelBooking,
    GetAllCareTypes,
    GetAllHealthcareFacilities,
    GetAllPerformers,
    GetAllTimeTypes,
    GetAvailableDates,
    GetAvailableTimeslots,
    GetAvailableTimeslotsResponse,
    GetBookingDetails,
    GetSubjectOfCareSchedule,
    MakeBooking,
    UpdateBooking,
)
from tidbok.crm.namespaces import OPERATIONS, SOAP_ENV
from tidbok.crm.times import TimestampError, format_timestamp, parse_date, parse_timestamp
from tidbok.crm.types import Actor, ActorType, SubjectOfCareType, TimeslotType
from tidbok.crm.wsdl import SCHEMA_DIR
from tidbok.crm.xml import WireError, XmlType

CORE = "urn:riv:crm:scheduling:1"
CORE_11 = "urn:riv:crm:scheduling:1.1"
UNIT = "SE2321000016-1001"
CITIZEN = "191212121212"

TIMESLOT_ORDER = [
    (CORE, "startTimeInclusive"),
    (CORE, "endTimeExclusive"),
    (CORE, "healthcare_facility"),
    (CORE, "performer"),
    (CORE, "bookingId"),
    (CORE, "subject_of_care"),
    (CORE, "purpose"),
    (CORE, "reason"),
    (CORE, "resourceName"),
    (CORE, "healthcare_facility_name"),
    (CORE, "performerName"),
    (CORE, "resourceID"),
    (CORE, "timeTypeName"),
    (CORE, "timeTypeID"),
    (CORE, "careTypeName"),
    (CORE, "careTypeID"),
    (CORE, "cancel_booking_allowed"),
    (CORE, "rebooking_allowed"),
    (CORE, "message_allowed"),
    (CORE_11, "isInvitation"),
]

FULL_TIMESLOT = TimeslotType(
    startTimeInclusive=datetime(2026, 12, 8, 9, 0, tzinfo=STOCKHOLM),
    endTimeExclusive=datetime(2026, 12, 8, 9, 30, tzinfo=STOCKHOLM),
    healthcare_facility="SE2321000016-1001",
    performer="SE2321000016-P1",
    bookingId="B1",
    subject_of_care="191212121212",
    purpose="Kom fastande",
    reason="Ont",
    resourceName="Rum 4",
    healthcare_facility_name="Vårdcentralen Tensta",
    performerName="Dr Anna Berg",
    resourceID="R4",
    timeTypeName="Provtagning",
    timeTypeID="TT-PROV",
    careTypeName="Prov",
    careTypeID="C1",
    cancel_booking_allowed=True,
    rebooking_allowed=False,
    message_allowed=True,
    isInvitation=False,
)


def qualified(element: etree._Element) -> list[tuple[str, str]]:
    return [(etree.QName(child).namespace or "", etree.QName(child).localname) for child in element]


def body_of(envelope: bytes) -> etree._Element:
    root = etree.fromstring(envelope)
    body = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    assert body is not None
    return body[0]


def test_a_timeslot_is_written_in_the_contract_order_and_namespaces() -> None:
    response = GetAvailableTimeslotsResponse(timeslotDetail=(FULL_TIMESLOT,))
    element = body_of(write_response(OPERATIONS["GetAvailableTimeslots"], response))
    responder = "urn:riv:crm:scheduling:GetAvailableTimeslotsResponder:1"
    assert qualified(element) == [(responder, "timeslotDetail")]
    assert qualified(element[0]) == TIMESLOT_ORDER
    texts = {etree.QName(child).localname: child.text for child in element[0]}
    assert texts["startTimeInclusive"] == "20261208090000"
    assert texts["cancel_booking_allowed"] == "true"
    assert texts["rebooking_allowed"] == "false"


def test_absent_values_write_no_element_at_all() -> None:
    sparse = TimeslotType(
        startTimeInclusive=FULL_TIMESLOT.startTimeInclusive,
        endTimeExclusive=FULL_TIMESLOT.endTimeExclusive,
        healthcare_facility="SE2321000016-1001",
        purpose="",
    )
    envelope = write_response(
        OPERATIONS["GetAvailableTimeslots"], GetAvailableTimeslotsResponse(timeslotDetail=(sparse,))
    )
    element = body_of(envelope)[0]
    assert [etree.QName(child).localname for child in element] == [
        "startTimeInclusive",
        "endTimeExclusive",
        "healthcare_facility",
    ]
    for node in etree.fromstring(envelope).iter():
        assert len(node) or (node.text or "").strip(), f"empty element {node.tag}"


def test_make_booking_puts_contact_details_before_the_11_names() -> None:
    message = MakeBooking(
        healthcare_facility_med="SE2321000016-1001",
        requestedTimeslot=TimeslotType(
            startTimeInclusive=FULL_TIMESLOT.startTimeInclusive,
            endTimeExclusive=FULL_TIMESLOT.endTimeExclusive,
            healthcare_facility="SE2321000016-1001",
            subject_of_care="191212121212",
        ),
        subject_of_care_info=SubjectOfCareType(
            phone="070-1234567", firstName="Tolvan", middleName="Mellan", lastName="Tolvansson"
        ),
        notification="SMS",
    )
    actor = Actor(actorId="191212121212", actorType=ActorType.SUBJECT_OF_CARE)
    envelope = write_request(OPERATIONS["MakeBooking"], "SE2321000016-1001", actor, message)
    element = body_of(envelope)
    responder = "urn:riv:crm:scheduling:MakeBookingResponder:1"
    assert qualified(element) == [
        (responder, "healthcare_facility_med"),
        (responder, "requestedTimeslot"),
        (responder, "subject_of_care_info"),
        (responder, "notification"),
    ]
    assert qualified(element[2]) == [
        (CORE, "phone"),
        (CORE_11, "firstName"),
        (CORE_11, "middleName"),
        (CORE_11, "lastName"),
    ]
    header = etree.fromstring(envelope)[0]
    assert qualified(header) == [
        ("urn:riv:itintegration:registry:1", "LogicalAddress"),
        ("urn:riv:interoperability:headers:1", "Actor"),
    ]
    assert qualified(header[1]) == [
        ("urn:riv:interoperability:headers:1", "actorId"),
        ("urn:riv:interoperability:headers:1", "actorType"),
    ]
    assert read_request(envelope).body == message


def test_get_available_dates_puts_the_11_subject_of_care_last() -> None:
    message = GetAvailableDates(
        healthcare_facility="SE2321000016-1001",
        bookingId="B1",
        startDateInclusive=date(2026, 12, 1),
        endDateInclusive=date(2026, 12, 14),
        performer=("SE2321000016-P1", "SE2321000016-P2"),
        timeTypeID="TT-PROV",
        subject_of_care="191212121212",
    )
    actor = Actor(actorId="191212121212", actorType=ActorType.SUBJECT_OF_CARE)
    element = body_of(
        write_request(OPERATIONS["GetAvailableDates"], "SE2321000016-1001", actor, message)
    )
    responder = "urn:riv:crm:scheduling:GetAvailableDatesResponder:1"
    assert qualified(element) == [
        (responder, "healthcare_facility"),
        (responder, "bookingId"),
        (responder, "startDateInclusive"),
        (responder, "endDateInclusive"),
        (responder, "performer"),
        (responder, "performer"),
        (responder, "timeTypeID"),
        ("urn:riv:crm:scheduling:GetAvailableDatesResponder:1.1", "subject_of_care"),
    ]
    assert element[2].text == "20261201"


def test_every_message_type_declares_exactly_its_fields() -> None:
    for pair in MESSAGES.values():
        for kind in pair:
            kind.check_children()
    assert set(MESSAGES) == set(OPERATIONS)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("20261208090000", datetime(2026, 12, 8, 8, 0, tzinfo=UTC)),  # winter, CET
        ("20260615090000", datetime(2026, 6, 15, 7, 0, tzinfo=UTC)),  # summer, CEST
        ("20270328013000", datetime(2027, 3, 28, 0, 30, tzinfo=UTC)),  # before the spring gap
        ("20270328030000", datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),  # right after it
        ("20261025023000", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),  # repeated: first (CEST)
        ("20261025033000", datetime(2026, 10, 25, 2, 30, tzinfo=UTC)),  # after the change, CET
    ],
)
def test_timestamps_are_swedish_local_time(text: str, utc: datetime) -> None:
    assert parse_timestamp(text).astimezone(UTC) == utc
    assert format_timestamp(utc) == text


def test_both_instants_of_the_repeated_autumn_hour_write_the_same_local_text() -> None:
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert format_timestamp(first) == format_timestamp(second) == "20261025023000"
    assert parse_timestamp("20261025023000").astimezone(UTC) == first


@pytest.mark.parametrize(
    "text",
    ["20270328023000", "2026120809000", "2026-12-08T09:00", "20261308090000", "20261232090000"],
)
def test_impossible_timestamps_are_refused(text: str) -> None:
    with pytest.raises(TimestampError):
        parse_timestamp(text)


def test_a_naive_datetime_cannot_be_written() -> None:
    with pytest.raises(TimestampError):
        format_timestamp(datetime(2026, 12, 8, 9, 0))


def test_dates_are_eight_digits() -> None:
    assert parse_date("20261201") == date(2026, 12, 1)
    with pytest.raises(TimestampError):
        parse_date("20260230")


def test_reading_ignores_order_prefixes_and_unknown_elements() -> None:
    xml = (
        '<z:timeslotDetail xmlns:z="urn:x" xmlns:a="urn:riv:crm:scheduling:1" '
        'xmlns:b="urn:riv:crm:scheduling:1.1" xmlns:o="urn:other">'
        "<b:isInvitation>1</b:isInvitation><a:healthcare_facility>SE1-A</a:healthcare_facility>"
        "<o:extension>x</o:extension><a:purpose>  </a:purpose>"
        "<a:startTimeInclusive>20261208090000</a:startTimeInclusive></z:timeslotDetail>"
    )
    slot = TimeslotType.read(etree.fromstring(xml))
    assert slot.isInvitation is True
    assert slot.healthcare_facility == "SE1-A"
    assert slot.purpose is None  # an empty element reads as absent
    assert slot.startTimeInclusive == datetime(2026, 12, 8, 9, 0, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("inner", "problem"),
    [
        ("<a:purpose>x</a:purpose>", "healthcare_facility is missing"),
        (
            "<a:healthcare_facility>U</a:healthcare_facility><a:subject_of_care>19121212-1212"
            "</a:subject_of_care>",
            "subject_of_care: not a SubjectOfCareIdType",
        ),
        (
            "<a:healthcare_facility>U</a:healthcare_facility>"
            "<a:cancel_booking_allowed>yes</a:cancel_booking_allowed>",
            "cancel_booking_allowed: not an xs:boolean",
        ),
    ],
)
def test_reading_refuses_what_breaks_the_schema(inner: str, problem: str) -> None:
    xml = f'<t xmlns:a="urn:riv:crm:scheduling:1">{inner}</t>'
    with pytest.raises(WireError, match=problem):
        TimeslotType.read(etree.fromstring(xml))


def test_the_field_rules_per_operation() -> None:
    free = TimeslotType(
        startTimeInclusive=FULL_TIMESLOT.startTimeInclusive,
        endTimeExclusive=FULL_TIMESLOT.endTimeExclusive,
        healthcare_facility="U",
    )
    assert timeslot_problems(free, "GetAvailableTimeslots") == []
    assert timeslot_problems(FULL_TIMESLOT, "GetAvailableTimeslots") == [
        "subject_of_care is not allowed in GetAvailableTimeslots",
        "isInvitation is not allowed in GetAvailableTimeslots",
    ]
    assert "bookingId is required in GetSubjectOfCareSchedule" in timeslot_problems(
        free, "GetSubjectOfCareSchedule"
    )
    details = timeslot_problems(free, "GetBookingDetails")
    assert "cancel_booking_allowed is required in GetBookingDetails" in details
    assert "subject_of_care is required in GetBookingDetails" in details
    open_invitation = TimeslotType(
        healthcare_facility="U",
        subject_of_care="191212121212",
        cancel_booking_allowed=False,
        rebooking_allowed=False,
        message_allowed=False,
        isInvitation=True,
    )
    assert timeslot_problems(open_invitation, "GetBookingDetails") == [
        "purpose is required for an invitation"
    ]
    with pytest.raises(WireError, match="endTimeExclusive is required in MakeBooking"):
        check_timeslot(
            TimeslotType(healthcare_facility="U", startTimeInclusive=free.startTimeInclusive),
            "MakeBooking",
            required_only=True,
        )


SAMPLE_REQUESTS: dict[str, XmlType] = {
    "GetSubjectOfCareSchedule": GetSubjectOfCareSchedule(
        healthcare_facility=UNIT, subject_of_care=CITIZEN
    ),
    "GetBookingDetails": GetBookingDetails(healthcare_facility=UNIT, bookingId="B1"),
    "GetAllTimeTypes": GetAllTimeTypes(
        healthcare_facility=UNIT, careTypeIDs=("C1", "C2"), subject_of_care=CITIZEN
    ),
    "GetAllCareTypes": GetAllCareTypes(
        healthcare_facility=UNIT, timeTypeIDs=("T1",), performer=("P1",), subject_of_care=CITIZEN
    ),
    "GetAllHealthcareFacilities": GetAllHealthcareFacilities(
        healthcare_facility=UNIT, subject_of_care=CITIZEN, bookingId="B1"
    ),
    "GetAllPerformers": GetAllPerformers(
        healthcare_facility=UNIT, timeTypeIDs=("T1",), careTypeIDs=("C1",), subject_of_care=CITIZEN
    ),
    "GetAvailableDates": GetAvailableDates(
        healthcare_facility=UNIT,
        startDateInclusive=date(2026, 12, 1),
        endDateInclusive=date(2026, 12, 31),
        careTypeID="C1",
        subject_of_care=CITIZEN,
    ),
    "GetAvailableTimeslots": GetAvailableTimeslots(
        healthcare_facility=UNIT,
        bookingId="B1",
        startDateInclusive=date(2026, 12, 1),
        endDateInclusive=date(2026, 12, 31),
        performer=("P1",),
        timeTypeName="Provtagning",
        subject_of_care=CITIZEN,
    ),
    "MakeBooking": MakeBooking(
        healthcare_facility_med=UNIT,
        requestedTimeslot=TimeslotType(
            startTimeInclusive=FULL_TIMESLOT.startTimeInclusive,
            endTimeExclusive=FULL_TIMESLOT.endTimeExclusive,
            healthcare_facility=UNIT,
            subject_of_care=CITIZEN,
            reason="Ont",
        ),
        subject_of_care_info=SubjectOfCareType(firstName="Tolvan", lastName="Tolvansson"),
    ),
    "UpdateBooking": UpdateBooking(
        requestedTimeslot=TimeslotType(
            startTimeInclusive=FULL_TIMESLOT.startTimeInclusive,
            endTimeExclusive=FULL_TIMESLOT.endTimeExclusive,
            healthcare_facility=UNIT,
            bookingId="B1",
            subject_of_care=CITIZEN,
        ),
        notification="SMS",
    ),
    "CancelBooking": CancelBooking(healthcare_facility=UNIT, bookingId="B1", message="Förhindrad"),
}


@pytest.mark.parametrize("operation", sorted(SAMPLE_REQUESTS))
def test_requests_we_write_validate_against_our_schemas(operation: str) -> None:
    """What the riv consumer sends must be valid for any strict producer."""
    actor = Actor(actorId=CITIZEN, actorType=ActorType.SUBJECT_OF_CARE)
    envelope = write_request(OPERATIONS[operation], UNIT, actor, SAMPLE_REQUESTS[operation])
    root = etree.fromstring(envelope)
    responder = xmlschema.XMLSchema(str(SCHEMA_DIR / f"{operation}Responder_1.1.xsd"))
    responder.validate(body_of(envelope))
    headers = root.find(f"{{{SOAP_ENV}}}Header")
    assert headers is not None
    registry = xmlschema.XMLSchema(str(SCHEMA_DIR / "itintegration_registry_1.0.xsd"))
    interop = xmlschema.XMLSchema(str(SCHEMA_DIR / "interoperability_headers_1.0.xsd"))
    registry.validate(headers[0])
    interop.validate(headers[1])
    assert read_request(envelope).body == SAMPLE_REQUESTS[operation]
