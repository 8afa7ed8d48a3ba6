"""The producer's door: the Actor and LogicalAddress headers, liberal reading, and faults.

Requests here are written by hand, as another consumer's stack would write them, so that reading
does not depend on tidbok's own envelope writer.
"""

from __future__ import annotations

import re
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path

import pytest

from tests.riv.conftest import CITIZEN, NOW, RINKEBY, TENSTA, RivWorld, open_world
from tidbok.crm.envelope import SoapFault, read_response
from tidbok.crm.messages import (
    CancelBooking,
    GetAllTimeTypesResponse,
    GetAvailableTimeslots,
    GetBookingDetails,
    GetSubjectOfCareSchedule,
    MakeBooking,
    ResultCode,
)
from tidbok.crm.namespaces import OPERATIONS
from tidbok.crm.types import Actor, ActorType, SubjectOfCareType, TimeslotType
from tidbok.errors import NotFound

AGENT = Actor(actorId="SE2321000016-NURSE1", actorType=ActorType.SUBJECT_OF_CARE_AGENT)
DAY = NOW.date()


def envelope(header: str, body: str, **prefixes: str) -> bytes:
    """A SOAP 1.1 envelope with the given header and body (prefixes declared on the root)."""
    declared = " ".join(f'xmlns:{name}="{uri}"' for name, uri in prefixes.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" {declared}>'
        f"<S:Header>{header}</S:Header><S:Body>{body}</S:Body></S:Envelope>"
    ).encode()


def time_types_body(unit: str = TENSTA, citizen: str = CITIZEN, extra: str = "") -> str:
    return (
        '<q:GetAllTimeTypes xmlns:q="urn:riv:crm:scheduling:GetAllTimeTypesResponder:1" '
        'xmlns:q11="urn:riv:crm:scheduling:GetAllTimeTypesResponder:1.1">'
        f"<q:healthcare_facility>{unit}</q:healthcare_facility>{extra}"
        f"<q11:subject_of_care>{citizen}</q11:subject_of_care></q:GetAllTimeTypes>"
    )


def headers(
    unit: str = TENSTA, actor_id: str = CITIZEN, actor_type: str = "subject_of_care"
) -> str:
    return (
        f'<a:Actor xmlns:a="urn:riv:interoperability:headers:1"><a:actorId>{actor_id}</a:actorId>'
        f"<a:actorType>{actor_type}</a:actorType></a:Actor>"
        f'<la:LogicalAddress xmlns:la="urn:riv:itintegration:registry:1">{unit}</la:LogicalAddress>'
    )


async def fault_of(
    world: RivWorld, operation: str, body: bytes, action: str | None = None
) -> SoapFault:
    response = await world.post(operation, body, action)
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/xml")
    with pytest.raises(SoapFault) as caught:
        read_response(OPERATIONS[operation], response.content)
    return caught.value


async def test_any_prefixes_reversed_headers_and_unknown_content_are_read(world: RivWorld) -> None:
    extra = '<x:note xmlns:x="urn:example:extension">ignored</x:note>'
    body = envelope(
        headers() + '<x:Trace xmlns:x="urn:example">1</x:Trace>', time_types_body(extra=extra)
    )
    response = await world.post("GetAllTimeTypes", body)
    assert response.status_code == 200
    answer = read_response(OPERATIONS["GetAllTimeTypes"], response.content)
    assert isinstance(answer, GetAllTimeTypesResponse)
    assert answer.ListOfTimeTypes


async def test_a_missing_actor_is_a_client_fault(world: RivWorld) -> None:
    header = (
        '<la:LogicalAddress xmlns:la="urn:riv:itintegration:registry:1">'
        f"{TENSTA}</la:LogicalAddress>"
    )
    fault = await fault_of(world, "GetAllTimeTypes", envelope(header, time_types_body()))
    assert (fault.code, fault.text) == ("Client", "the Actor header is missing")


@pytest.mark.parametrize(
    ("actor_id", "actor_type", "expected"),
    [
        ("191212121212", "patient", "actorType"),
        (
            "191212121213",
            "subject_of_care",
            "Actor/actorId is not a valid personal identity number",
        ),
        (
            "1912121212",
            "subject_of_care",
            "Actor/actorId is not a valid personal identity number",
        ),
        ("", "subject_of_care", "actorId is missing"),
        ("nurse", "subject_of_care_agent", "Actor/actorId of an agent must be an HSA-id"),
    ],
)
async def test_a_malformed_actor_is_a_client_fault(
    world: RivWorld, actor_id: str, actor_type: str, expected: str
) -> None:
    body = envelope(headers(actor_id=actor_id, actor_type=actor_type), time_types_body())
    fault = await fault_of(world, "GetAllTimeTypes", body)
    assert fault.code == "Client"
    assert expected in fault.text
    assert "191212121213" not in fault.text  # the offending value is never echoed


async def test_a_body_naming_another_citizen_is_refused(world: RivWorld) -> None:
    body = envelope(headers(), time_types_body(citizen="199001012385"))
    fault = await fault_of(world, "GetAllTimeTypes", body)
    assert fault.text == "subject_of_care is not the citizen in the Actor header"


async def test_a_missing_logical_address_is_a_platform_style_fault(world: RivWorld) -> None:
    actor = (
        '<a:Actor xmlns:a="urn:riv:interoperability:headers:1">'
        f"<a:actorId>{CITIZEN}</a:actorId><a:actorType>subject_of_care</a:actorType></a:Actor>"
    )
    fault = await fault_of(world, "GetAllTimeTypes", envelope(actor, time_types_body()))
    assert fault.code == "Server"
    assert fault.text.startswith("VP003 ")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"not xml at all", "invalid request: the body is not well-formed XML"),
        (b"<a/>", "invalid request: not a SOAP 1.1 Envelope"),
        (envelope(headers(), ""), "invalid request: the Body is empty"),
        (
            envelope(headers(), time_types_body().replace('GetAllTimeTypesResponder:1"', 'X"')),
            "invalid request: the Body holds no crm:scheduling 1.1 request",
        ),
        (
            envelope(
                headers(), time_types_body(extra="<q:healthcare_facility>x</q:healthcare_facility>")
            ),
            "invalid request: healthcare_facility may occur only once",
        ),
    ],
    ids=["not-xml", "not-soap", "empty-body", "wrong-namespace", "twice"],
)
async def test_malformed_requests_are_client_faults(
    world: RivWorld, body: bytes, expected: str
) -> None:
    fault = await fault_of(world, "GetAllTimeTypes", body)
    assert (fault.code, fault.text) == ("Client", expected)


async def test_entities_are_never_expanded(world: RivWorld) -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE S:Envelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + envelope(headers(unit="&x;"), time_types_body()).split(b"?>", 1)[1]
    )
    response = await world.post("GetAllTimeTypes", evil)
    assert response.status_code == 500
    assert b"root:" not in response.content


async def test_the_wrong_soap_action_or_endpoint_is_refused(world: RivWorld) -> None:
    body = envelope(headers(), time_types_body())
    wrong_action = OPERATIONS["MakeBooking"].soap_action
    fault = await fault_of(world, "GetAllTimeTypes", body, action=wrong_action)
    assert fault.text == f"SOAPAction must be {OPERATIONS['GetAllTimeTypes'].soap_action}"
    fault = await fault_of(world, "MakeBooking", body, action=OPERATIONS["MakeBooking"].soap_action)
    assert fault.text == "this endpoint serves MakeBooking only"


async def test_an_agent_may_search_and_book_for_the_citizen(world: RivWorld) -> None:
    search = GetAvailableTimeslots(
        healthcare_facility=RINKEBY,
        startDateInclusive=DAY + timedelta(days=2),
        endDateInclusive=DAY + timedelta(days=6),
        subject_of_care=CITIZEN,
    )
    slots = (await world.call("GetAvailableTimeslots", RINKEBY, search, actor=AGENT)).timeslotDetail
    slot = slots[0]
    booking = MakeBooking(
        healthcare_facility_med=RINKEBY,
        requestedTimeslot=TimeslotType(
            startTimeInclusive=slot.startTimeInclusive,
            endTimeExclusive=slot.endTimeExclusive,
            healthcare_facility=RINKEBY,
            subject_of_care=CITIZEN,
            timeTypeID=slot.timeTypeID,
        ),
        subject_of_care_info=SubjectOfCareType(firstName="Tolvan", lastName="Tolvansson"),
    )
    booked = await world.call("MakeBooking", RINKEBY, booking, actor=AGENT)
    assert booked.resultCode in (ResultCode.OK, ResultCode.INFO)
    assert booked.bookingId in {e["booking_id"] for e in await world.appointment_book(RINKEBY)}


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (
            "GetSubjectOfCareSchedule",
            GetSubjectOfCareSchedule(healthcare_facility=RINKEBY, subject_of_care=CITIZEN),
        ),
        ("CancelBooking", CancelBooking(healthcare_facility=RINKEBY, bookingId="b1")),
        (
            "GetAvailableTimeslots",
            GetAvailableTimeslots(
                healthcare_facility=RINKEBY,
                bookingId="b1",
                startDateInclusive=DAY,
                endDateInclusive=DAY,
                subject_of_care=CITIZEN,
            ),
        ),
    ],
    ids=["schedule", "cancel", "rebook-search"],
)
async def test_an_agent_may_only_book_new_times(
    world: RivWorld, operation: str, message: object
) -> None:
    answer = await world.call(operation, RINKEBY, message, actor=AGENT)  # type: ignore[arg-type]
    assert isinstance(answer, SoapFault)
    assert answer.text == "an agent (subject_of_care_agent) may only book new times (flow 1)"


async def test_a_technical_fault_leaks_nothing(world: RivWorld) -> None:
    spec = {"match": {"path": "."}, "kind": "http_500"}
    (await world.http.post(f"{world.pmo.admin_url}/faults", json=spec)).raise_for_status()
    answer = await world.call(
        "GetSubjectOfCareSchedule",
        RINKEBY,
        GetSubjectOfCareSchedule(healthcare_facility=RINKEBY, subject_of_care=CITIZEN),
    )
    assert isinstance(answer, SoapFault)
    assert answer.code == "Server"
    assert re.fullmatch(r"[a-z_]+: [^/]+", answer.text), answer.text
    assert CITIZEN not in answer.text
    assert "127.0.0.1" not in answer.text
    assert "Traceback" not in answer.text


async def test_the_wsdl_get_without_a_query_says_what_to_ask(world: RivWorld) -> None:
    response = await world.http.get(world.url("MakeBooking"))
    assert response.status_code == 404
    assert "?wsdl" in response.text


async def test_the_producer_is_off_unless_enabled(tmp_path: Path) -> None:
    async with AsyncExitStack() as stack:
        world = await open_world(stack, tmp_path, enabled=False)
        response = await world.post("GetAllTimeTypes", envelope(headers(), time_types_body()))
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("application/problem+json")


async def test_a_make_booking_without_an_end_is_a_client_fault(world: RivWorld) -> None:
    message = MakeBooking(
        healthcare_facility_med=RINKEBY,
        requestedTimeslot=TimeslotType(
            startTimeInclusive=NOW + timedelta(days=3),
            healthcare_facility=RINKEBY,
            subject_of_care=CITIZEN,
        ),
        subject_of_care_info=SubjectOfCareType(firstName="Tolvan", lastName="Tolvansson"),
    )
    answer = await world.call("MakeBooking", RINKEBY, message)
    assert isinstance(answer, SoapFault)
    assert answer.text == "invalid request: endTimeExclusive is required in MakeBooking"


async def test_a_timeslot_at_another_unit_than_the_address_is_refused(world: RivWorld) -> None:
    message = MakeBooking(
        healthcare_facility_med=RINKEBY,
        requestedTimeslot=TimeslotType(
            startTimeInclusive=NOW + timedelta(days=3),
            endTimeExclusive=NOW + timedelta(days=3, minutes=15),
            healthcare_facility=TENSTA,
            subject_of_care=CITIZEN,
        ),
        subject_of_care_info=SubjectOfCareType(firstName="Tolvan", lastName="Tolvansson"),
    )
    answer = await world.call("MakeBooking", RINKEBY, message)
    assert isinstance(answer, SoapFault)
    assert answer.text == "requestedTimeslot/healthcare_facility must be the LogicalAddress unit"


async def test_details_of_an_unknown_booking_are_a_client_fault(world: RivWorld) -> None:
    answer = await world.call(
        "GetBookingDetails", RINKEBY, GetBookingDetails(healthcare_facility=RINKEBY, bookingId="x")
    )
    assert isinstance(answer, SoapFault)
    assert (answer.code, answer.text) == ("Client", f"not_found: {NotFound.citizen_text}")


async def test_cancelling_someone_elses_booking_answers_error(world: RivWorld) -> None:
    others = await world.appointment_book(RINKEBY, person="198505152382")
    assert others
    answer = await world.call(
        "CancelBooking",
        RINKEBY,
        CancelBooking(healthcare_facility=RINKEBY, bookingId=others[0]["booking_id"]),
    )
    assert (answer.resultCode, answer.resultText) == (ResultCode.ERROR, NotFound.citizen_text)
    assert await world.appointment_book(RINKEBY, person="198505152382") == others
