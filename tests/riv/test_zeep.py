"""zeep, a SOAP client nobody here wrote, calls all 11 operations of the producer.

Each client is built from the WSDL the gateway serves (``?wsdl``, its schemas by ``?xsd=``).
Every raw answer zeep receives is also validated against our own XSDs with xmlschema, and the
backend's appointment book (the mock's admin API) is checked after each write.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import httpx
import pytest
import pytest_asyncio
import xmlschema
import zeep
from lxml import etree
from zeep.exceptions import Fault
from zeep.transports import AsyncTransport

from tests.riv.conftest import CITIZEN, NOW, RINKEBY, TENSTA, RivWorld
from tidbok.crm.namespaces import OPERATIONS, SOAP_ENV
from tidbok.crm.wsdl import SCHEMA_DIR
from tidbok.errors import InvitationAlreadyUsed, SlotTaken

FIRST = NOW.strftime("%Y%m%d")
LAST = (NOW + timedelta(days=13)).strftime("%Y%m%d")
NAMES = {"phone": "070-1234567", "firstName": "Tolvan", "lastName": "Tolvansson"}
UNITS = [pytest.param(TENSTA, id="pasis"), pytest.param(RINKEBY, id="pmo")]


@cache
def responder_schema(operation: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_DIR / f"{operation}Responder_1.1.xsd"))


class SchemaCheck(zeep.Plugin):
    """Validates each answer's body against the operation's responder XSD, before zeep reads it."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> tuple[Any, Any]:
        body = envelope.find(f"{{{SOAP_ENV}}}Body")[0]
        if etree.QName(body).localname != "Fault":
            errors = [
                str(error.reason) for error in responder_schema(operation.name).iter_errors(body)
            ]
            assert errors == [], f"{operation.name}: {errors}"
            self.checked.append(operation.name)
        return envelope, http_headers


class Zeep:
    """One zeep client per operation, built from the gateway's WSDLs; calls carry both headers."""

    def __init__(self, world: RivWorld, http: httpx.AsyncClient, wsdl_http: httpx.Client) -> None:
        self.world = world
        self.http = http
        self.wsdl_http = wsdl_http
        self.clients: dict[str, Any] = {}
        self.schemas = SchemaCheck()

    async def client(self, operation: str) -> Any:
        if operation not in self.clients:
            transport = AsyncTransport(client=self.http, wsdl_client=self.wsdl_http)
            url = self.world.url(operation) + "?wsdl"
            # zeep loads the WSDL synchronously: in a thread, so this loop keeps serving it.
            self.clients[operation] = await asyncio.to_thread(
                zeep.AsyncClient, url, transport=transport, plugins=[self.schemas]
            )
        return self.clients[operation]

    async def call(
        self,
        operation: str,
        unit: str,
        *,
        actor: tuple[str, str] = (CITIZEN, "subject_of_care"),
        **body: Any,
    ) -> Any:
        client = await self.client(operation)
        headers = {"LogicalAddress": unit, "actor": {"actorId": actor[0], "actorType": actor[1]}}
        return await getattr(client.service, operation)(**body, _soapheaders=headers)


@pytest_asyncio.fixture
async def soap(world: RivWorld) -> AsyncIterator[Zeep]:
    async with httpx.AsyncClient(timeout=10) as http:
        with httpx.Client(timeout=10) as wsdl_http:
            yield Zeep(world, http, wsdl_http)


def as_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M%S")  # noqa: DTZ007 - local wall-clock text


def book_starts(entries: list[dict[str, Any]]) -> set[str]:
    """The appointment book's start times as the wire's 14-digit local text."""
    return {datetime.fromisoformat(e["start"]).strftime("%Y%m%d%H%M%S") for e in entries}


def requested(slot: Any, **more: Any) -> dict[str, Any]:
    return {
        "startTimeInclusive": slot.startTimeInclusive,
        "endTimeExclusive": slot.endTimeExclusive,
        "healthcare_facility": slot.healthcare_facility,
        "subject_of_care": CITIZEN,
        "timeTypeID": slot.timeTypeID,
        **more,
    }


async def free_slots(soap: Zeep, unit: str, booking_id: str | None = None) -> list[Any]:
    answer = await soap.call(
        "GetAvailableTimeslots",
        unit,
        healthcare_facility=unit,
        bookingId=booking_id,
        startDateInclusive=FIRST,
        endDateInclusive=LAST,
        subject_of_care=CITIZEN,
    )
    return list(answer.timeslotDetail)


def later(slots: list[Any], days: int = 2) -> list[Any]:
    """Slots at least ``days`` ahead, so a booking of them may still be changed."""
    limit = NOW.replace(tzinfo=None) + timedelta(days=days)
    return [slot for slot in slots if as_time(slot.startTimeInclusive) > limit]


@pytest.mark.parametrize("unit", UNITS)
async def test_zeep_calls_all_eleven_operations(world: RivWorld, soap: Zeep, unit: str) -> None:
    lookups: dict[str, Any] = {"healthcare_facility": unit, "subject_of_care": CITIZEN}
    time_types = await soap.call("GetAllTimeTypes", unit, **lookups)
    assert len(time_types.ListOfTimeTypes) >= 3
    assert (await soap.call("GetAllCareTypes", unit, **lookups)).careTypes == []
    assert (await soap.call("GetAllPerformers", unit, **lookups)).performerInfos == []
    facilities = await soap.call("GetAllHealthcareFacilities", unit, **lookups)
    assert [f.healthcare_facility for f in facilities.healthcareFacilityInfos] == [unit]
    dates = await soap.call(
        "GetAvailableDates",
        unit,
        healthcare_facility=unit,
        startDateInclusive=FIRST,
        endDateInclusive=LAST,
        subject_of_care=CITIZEN,
    )
    slots = await free_slots(soap, unit)
    assert {d.date for d in dates.performerAvailabilityByDate} == {
        s.startTimeInclusive[:8] for s in slots
    }
    assert {s.timeTypeID for s in slots} <= {t.timeTypeId for t in time_types.ListOfTimeTypes}

    first = later(slots)[0]
    booked = await soap.call(
        "MakeBooking",
        unit,
        healthcare_facility_med=unit,
        requestedTimeslot=requested(first),
        subject_of_care_info=NAMES,
    )
    assert booked.resultCode in ("OK", "INFO")
    book = await world.appointment_book(unit)
    assert first.startTimeInclusive in book_starts(book)
    assert booked.bookingId in {e["booking_id"] for e in book}

    schedule = await soap.call("GetSubjectOfCareSchedule", unit, **lookups)
    mine = [t for t in schedule.timeslotDetail if t.bookingId == booked.bookingId]
    assert [t.startTimeInclusive for t in mine] == [first.startTimeInclusive]
    details = await soap.call(
        "GetBookingDetails", unit, healthcare_facility=unit, bookingId=booked.bookingId
    )
    flags = details.timeslotDetail
    assert (flags.cancel_booking_allowed, flags.rebooking_allowed) == (True, True)
    assert flags.message_allowed in (True, False)  # always present

    targets = later(await free_slots(soap, unit, booking_id=booked.bookingId))
    target = next(t for t in targets if t.startTimeInclusive != first.startTimeInclusive)
    moved = await soap.call(
        "UpdateBooking",
        unit,
        requestedTimeslot=requested(target, bookingId=booked.bookingId),
        subject_of_care_info=NAMES,
    )
    assert moved.resultCode in ("OK", "INFO"), moved.resultText
    starts = book_starts(await world.appointment_book(unit))
    assert target.startTimeInclusive in starts
    assert first.startTimeInclusive not in starts

    schedule = await soap.call("GetSubjectOfCareSchedule", unit, **lookups)
    moved_id = next(
        t.bookingId
        for t in schedule.timeslotDetail
        if t.startTimeInclusive == target.startTimeInclusive
    )
    cancelled = await soap.call("CancelBooking", unit, healthcare_facility=unit, bookingId=moved_id)
    assert cancelled.resultCode == "OK"
    assert target.startTimeInclusive not in book_starts(await world.appointment_book(unit))
    assert set(soap.schemas.checked) == set(OPERATIONS)


async def test_zeep_books_an_open_invitation_once(world: RivWorld, soap: Zeep) -> None:
    details = await soap.call(
        "GetBookingDetails", TENSTA, healthcare_facility=TENSTA, bookingId="K-DEMO-1"
    )
    invitation = details.timeslotDetail
    assert invitation.isInvitation is True
    assert invitation.startTimeInclusive is None
    assert invitation.purpose
    schedule = await soap.call(
        "GetSubjectOfCareSchedule", TENSTA, healthcare_facility=TENSTA, subject_of_care=CITIZEN
    )
    assert "K-DEMO-1" not in {t.bookingId for t in schedule.timeslotDetail}
    offered = await free_slots(soap, TENSTA, booking_id="K-DEMO-1")
    assert len(offered) == 3
    first = await soap.call(
        "MakeBooking",
        TENSTA,
        healthcare_facility_med=TENSTA,
        requestedTimeslot=requested(offered[0], bookingId="K-DEMO-1"),
        subject_of_care_info=NAMES,
    )
    assert first.resultCode in ("OK", "INFO")
    second = await soap.call(
        "MakeBooking",
        TENSTA,
        healthcare_facility_med=TENSTA,
        requestedTimeslot=requested(offered[1], bookingId="K-DEMO-1"),
        subject_of_care_info=NAMES,
    )
    assert second.resultCode == "ERROR"
    assert second.resultText == InvitationAlreadyUsed.citizen_text
    assert second.bookingId is None
    from_invitation = [
        e for e in await world.appointment_book(TENSTA) if e["invitation_id"] == "K-DEMO-1"
    ]
    assert [e["booking_id"] for e in from_invitation] == [first.bookingId]


@pytest.mark.parametrize("unit", UNITS)
async def test_zeep_sees_error_for_a_slot_taken(world: RivWorld, soap: Zeep, unit: str) -> None:
    slot = later(await free_slots(soap, unit))[0]
    other = "199001012385"
    taken = await soap.call(
        "MakeBooking",
        unit,
        actor=(other, "subject_of_care"),
        healthcare_facility_med=unit,
        requestedTimeslot=requested(slot, subject_of_care=other),
        subject_of_care_info=NAMES,
    )
    assert taken.resultCode in ("OK", "INFO")
    refused = await soap.call(
        "MakeBooking",
        unit,
        healthcare_facility_med=unit,
        requestedTimeslot=requested(slot),
        subject_of_care_info=NAMES,
    )
    assert (refused.resultCode, refused.resultText) == ("ERROR", SlotTaken.citizen_text)
    assert slot.startTimeInclusive not in book_starts(await world.appointment_book(unit))
    assert slot.startTimeInclusive in book_starts(await world.appointment_book(unit, other))


async def test_zeep_gets_a_fault_for_an_unknown_logical_address(soap: Zeep) -> None:
    with pytest.raises(Fault) as caught:
        await soap.call(
            "GetAllTimeTypes",
            "SE2321000016-NONE",
            healthcare_facility="SE2321000016-NONE",
            subject_of_care=CITIZEN,
        )
    assert caught.value.message.startswith("VP004 No Logical Adress found")
    assert caught.value.code.endswith("Server")
