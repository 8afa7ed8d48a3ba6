"""The riv mock's read operations over raw SOAP: content, order, namespaces, schema validity."""

from __future__ import annotations

import httpx
import pytest

from .conftest import seed, set_clock
from .riv_soap import (
    CORE,
    CORE_11,
    call,
    fault,
    header,
    payload,
    responder,
    riv_scenario,
    tags,
    texts,
    valid,
)
from .scenarios import OTHER_PNR12, PNR12, UNIT

EXT = "urn3"

AVAILABLE = (
    f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
    "<urn:startDateInclusive>20261123</urn:startDateInclusive>"
    "<urn:endDateInclusive>20261125</urn:endDateInclusive>"
    "{filters}"
    f"<urn3:subject_of_care>{PNR12}</urn3:subject_of_care>"
)


def available(filters: str = "") -> str:
    return AVAILABLE.format(filters=filters)


async def test_get_all_time_types_lists_the_bookable_ones(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    body = (
        f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
        f"<urn3:subject_of_care>{PNR12}</urn3:subject_of_care>"
    )
    answer = payload(await call(riv, "GetAllTimeTypes", body))
    valid("GetAllTimeTypes", answer)
    items = [texts(item) for item in answer]
    assert items == [
        {"timeTypeName": "Provtagning", "timeTypeId": "TT-OPEN"},
        {"timeTypeName": "Sjuksköterskebesök", "timeTypeId": "TT-PLAIN"},
    ]
    assert tags(answer) == [f"{{{responder('GetAllTimeTypes')}}}ListOfTimeTypes"] * 2
    assert tags(answer[0]) == [f"{{{CORE}}}timeTypeName", f"{{{CORE}}}timeTypeId"]


@pytest.mark.parametrize("operation", ["GetAllCareTypes", "GetAllPerformers"])
async def test_care_types_and_performers_are_empty(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient, operation: str
) -> None:
    await seed(riv_admin, riv_scenario())
    body = (
        f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
        f"<urn:subject_of_care>{PNR12}</urn:subject_of_care>"
    )
    answer = payload(await call(riv, operation, body))
    assert answer.tag == f"{{{responder(operation)}}}{operation}Response"
    assert len(answer) == 0
    valid(operation, answer)


@pytest.mark.parametrize(
    ("booking", "units"),
    [("", [UNIT]), ("B-TUE", [UNIT]), ("K1", [UNIT]), ("B-OTHER", []), ("NOPE", [])],
)
async def test_get_all_healthcare_facilities(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient, booking: str, units: list[str]
) -> None:
    await seed(riv_admin, riv_scenario())
    body = (
        f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
        f"<urn:subject_of_care>{PNR12}</urn:subject_of_care>"
        + (f"<urn:bookingId>{booking}</urn:bookingId>" if booking else "")
    )
    answer = payload(await call(riv, "GetAllHealthcareFacilities", body))
    valid("GetAllHealthcareFacilities", answer)
    assert [texts(info) for info in answer] == [
        {"healthcare_facility": unit, "healthcare_facility_name": "Vårdcentralen Test"}
        for unit in units
    ]


async def test_available_timeslots_in_order_without_citizen_or_invitation_flag(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    answer = payload(await call(riv, "GetAvailableTimeslots", available()))
    valid("GetAvailableTimeslots", answer)
    # never the past one, never unbookable, hidden or invitation-reserved slots
    assert [texts(item)["resourceID"] for item in answer] == [
        "S-TODAY",
        "S-TUE-1",
        "S-TUE-2",
        "S-WED",
        "S-PLAIN",
    ]
    first = answer[1]
    assert tags(first) == [
        f"{{{CORE}}}{name}"
        for name in (
            "startTimeInclusive",
            "endTimeExclusive",
            "healthcare_facility",
            "resourceName",
            "healthcare_facility_name",
            "performerName",
            "resourceID",
            "timeTypeName",
            "timeTypeID",
        )
    ]
    assert texts(first) == {
        "startTimeInclusive": "20261124100000",
        "endTimeExclusive": "20261124101500",
        "healthcare_facility": UNIT,
        "resourceName": "Rum 4",
        "healthcare_facility_name": "Vårdcentralen Test",
        "performerName": "Dr Anna Berg",
        "resourceID": "S-TUE-1",
        "timeTypeName": "Provtagning",
        "timeTypeID": "TT-OPEN",
    }


async def test_available_timeslots_filters(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    by_type = payload(
        await call(
            riv, "GetAvailableTimeslots", available("<urn:timeTypeID>TT-PLAIN</urn:timeTypeID>")
        )
    )
    assert [texts(item)["resourceID"] for item in by_type] == ["S-PLAIN"]
    rebook = payload(await call(riv, "GetAvailableTimeslots", available_with_booking("B-TUE")))
    assert [texts(item)["resourceID"] for item in rebook] == [
        "S-TODAY",
        "S-TUE-1",
        "S-TUE-2",
        "S-WED",
    ]
    invitation = payload(await call(riv, "GetAvailableTimeslots", invitation_search("K1")))
    assert [texts(item)["resourceID"] for item in invitation] == ["S-INV-1", "S-INV-2"]
    stranger = payload(await call(riv, "GetAvailableTimeslots", available_with_booking("B-OTHER")))
    assert len(stranger) == 0


def available_with_booking(booking: str) -> str:
    return (
        f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
        f"<urn:bookingId>{booking}</urn:bookingId>"
        "<urn:startDateInclusive>20261123</urn:startDateInclusive>"
        "<urn:endDateInclusive>20261125</urn:endDateInclusive>"
        f"<urn3:subject_of_care>{PNR12}</urn3:subject_of_care>"
    )


def invitation_search(invitation: str) -> str:
    return (
        f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
        f"<urn:bookingId>{invitation}</urn:bookingId>"
        "<urn:startDateInclusive>20261123</urn:startDateInclusive>"
        "<urn:endDateInclusive>20261130</urn:endDateInclusive>"
        f"<urn3:subject_of_care>{PNR12}</urn3:subject_of_care>"
    )


async def test_available_timeslots_need_subject_of_care_in_the_ext_namespace(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    wrong = available().replace("urn3:subject_of_care", "urn:subject_of_care")
    code, text = fault(await call(riv, "GetAvailableTimeslots", wrong))
    assert (code, text) == ("soap:Client", "subject_of_care is missing")


async def test_available_dates_one_per_date_and_time_type(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    answer = payload(await call(riv, "GetAvailableDates", available()))
    valid("GetAvailableDates", answer)
    ns = responder("GetAvailableDates")
    assert tags(answer[0]) == [
        f"{{{ns}}}{name}" for name in ("healthcare_facility", "date", "timeTypeName", "timeTypeID")
    ]
    assert [(texts(i)["date"], texts(i)["timeTypeID"]) for i in answer] == [
        ("20261123", "TT-OPEN"),
        ("20261124", "TT-OPEN"),
        ("20261125", "TT-OPEN"),
        ("20261125", "TT-PLAIN"),
    ]


async def test_subject_of_care_schedule_with_flags(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    body = (
        f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
        f"<urn:subject_of_care>{PNR12}</urn:subject_of_care>"
    )
    answer = payload(await call(riv, "GetSubjectOfCareSchedule", body))
    valid("GetSubjectOfCareSchedule", answer)
    entries = [texts(item) for item in answer]
    # not the hidden booking, not the other citizen's, never the open invitation
    assert [e["bookingId"] for e in entries] == ["B-TUE", "B-FIXED"]
    assert entries[0] == {
        "startTimeInclusive": "20261124093000",
        "endTimeExclusive": "20261124094500",
        "healthcare_facility": UNIT,
        "bookingId": "B-TUE",
        "subject_of_care": PNR12,
        "purpose": "Kom fastande.",
        "reason": "Ont i halsen",
        "resourceName": "Rum 4",
        "healthcare_facility_name": "Vårdcentralen Test",
        "performerName": "Dr Anna Berg",
        "resourceID": "S-B-TUE",
        "timeTypeName": "Provtagning",
        "timeTypeID": "TT-OPEN",
        "cancel_booking_allowed": "true",
        "rebooking_allowed": "true",
        "message_allowed": "true",
    }
    assert [entries[1][flag] for flag in ("cancel_booking_allowed", "rebooking_allowed")] == [
        "false",
        "false",
    ]
    # 24 h before B-TUE has passed: no longer changeable
    await set_clock(riv_admin, "2026-11-23T09:31:00+01:00")
    later = [texts(i) for i in payload(await call(riv, "GetSubjectOfCareSchedule", body))]
    assert later[0]["cancel_booking_allowed"] == "false"
    assert later[0]["message_allowed"] == "false"


async def test_an_actor_sees_only_their_own_schedule(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    body = (
        f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
        f"<urn:subject_of_care>{OTHER_PNR12}</urn:subject_of_care>"
    )
    assert len(payload(await call(riv, "GetSubjectOfCareSchedule", body))) == 0
    agent = header(actor="SE2321000016-A1B2", actor_type="subject_of_care_agent")
    assert len(payload(await call(riv, "GetSubjectOfCareSchedule", body, agent))) == 1


async def test_booking_details_of_a_booking_and_an_open_invitation(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    fixed = payload(
        await call(
            riv,
            "GetBookingDetails",
            f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility><urn:bookingId>B-FIXED</urn:bookingId>",
        )
    )
    valid("GetBookingDetails", fixed)
    detail = texts(fixed[0])
    assert detail["bookingId"] == "B-FIXED"
    assert (detail["cancel_booking_allowed"], detail["rebooking_allowed"]) == ("false", "false")
    assert detail["message_allowed"] == "false"
    invitation = payload(
        await call(
            riv,
            "GetBookingDetails",
            f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility><urn:bookingId>K1</urn:bookingId>",
        )
    )
    valid("GetBookingDetails", invitation)
    slot = invitation[0]
    assert tags(slot)[-1] == f"{{{CORE_11}}}isInvitation"
    found = texts(slot)
    assert "startTimeInclusive" not in found
    assert found["isInvitation"] == "true"
    assert found["purpose"] == "Kallelse till årskontroll."
    assert found["cancel_booking_allowed"] == "false"
    code, text = fault(
        await call(
            riv,
            "GetBookingDetails",
            f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility><urn:bookingId>B-HIDDEN</urn:bookingId>",
        )
    )
    assert code == "soap:Client"
    assert "B-HIDDEN" in text
