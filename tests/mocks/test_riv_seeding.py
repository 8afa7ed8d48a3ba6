"""The contract kit's ``MockAdminSeeder`` seeds the riv mock unchanged; demo data; concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from tidbok import STOCKHOLM, Access1177, PersonalIdentityNumber
from tidbok_contract.mock_admin import MockAdminSeeder, Route
from tidbok_contract.seeding import FaultKind, FaultTarget
from tidbok_mocks import run_riv
from tidbok_mocks.riv import RivServer
from tidbok_mocks.riv import texts as riv_texts

from .conftest import seed
from .riv_soap import call, header, make_booking, payload, riv_scenario, texts
from .scenarios import PNR12, UNIT


class RivSeeder(MockAdminSeeder):
    """What a riv plugin's seeder would say: the flags are Access1177's, the routes the ops'."""

    def time_type_fields(self, access: Access1177) -> dict[str, Any]:
        return access.model_dump()

    def fault_routes(self) -> Mapping[FaultTarget, Route]:
        return {
            FaultTarget.BOOK: ("POST", r"^/MakeBooking/1/rivtabp21$"),
            FaultTarget.BOOK_INVITATION: ("POST", r"^/MakeBooking/1/rivtabp21$"),
            FaultTarget.REBOOK: ("POST", r"^/UpdateBooking/1/rivtabp21$"),
            FaultTarget.CANCEL: ("POST", r"^/CancelBooking/1/rivtabp21$"),
            FaultTarget.LIST_BOOKINGS: ("POST", r"^/GetSubjectOfCareSchedule/1/rivtabp21$"),
            FaultTarget.SEARCH: ("POST", r"^/GetAvailableTimeslots/1/rivtabp21$"),
            FaultTarget.ANY: (None, r"/rivtabp21$"),
        }


async def test_the_contract_seeder_seeds_the_riv_mock(riv_server: RivServer) -> None:
    seeder = RivSeeder(riv_server.url)
    citizen = PersonalIdentityNumber(PNR12)
    try:
        await seeder.reset()
        await seeder.set_clock(datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM))
        await seeder.add_unit(UNIT, "Vårdcentralen Test")
        open_type = await seeder.add_time_type(
            UNIT, "Provtagning", Access1177(visible=True, bookable=True, changeable=True)
        )
        shown = await seeder.add_time_type(UNIT, "Kontroll", Access1177(visible=True))
        await seeder.add_free_slot(UNIT, open_type, datetime(2026, 11, 25, 10, tzinfo=STOCKHOLM))
        await seeder.add_booking(UNIT, shown, citizen, datetime(2026, 11, 26, 10, tzinfo=STOCKHOLM))
        invitation = await seeder.add_invitation(
            UNIT, open_type, citizen, [datetime(2026, 11, 27, 9, tzinfo=STOCKHOLM)]
        )
        records = await seeder.appointment_book(UNIT)
        assert [r.subject_of_care.value for r in records] == [PNR12]
        async with httpx.AsyncClient(base_url=riv_server.url) as riv:
            schedule = payload(
                await call(
                    riv,
                    "GetSubjectOfCareSchedule",
                    f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
                    f"<urn:subject_of_care>{PNR12}</urn:subject_of_care>",
                )
            )
            entry = texts(schedule[0])
            assert entry["bookingId"] == records[0].booking_id
            assert entry["cancel_booking_allowed"] == "false"  # visible only
            details = payload(
                await call(
                    riv,
                    "GetBookingDetails",
                    f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
                    f"<urn:bookingId>{invitation.id}</urn:bookingId>",
                )
            )
            assert texts(details[0])["isInvitation"] == "true"
            await seeder.inject_fault(FaultKind.HTTP_503, FaultTarget.BOOK)
            refused = await call(
                riv, "MakeBooking", make_booking("20261125100000", "20261125103000")
            )
            assert refused.status_code == 503
            booked = await call(
                riv, "MakeBooking", make_booking("20261125100000", "20261125103000")
            )
            assert texts(payload(booked))["resultCode"] == "OK"
        await seeder.clear_faults()
    finally:
        await seeder.aclose()


async def test_the_demo_data(mock_now: datetime) -> None:
    async with (
        run_riv(now=mock_now, demo_data=True) as server,
        httpx.AsyncClient(base_url=server.url) as riv,
    ):
        unit = "SE2321000016-3001"
        head = header(unit=unit)
        schedule = payload(
            await call(
                riv,
                "GetSubjectOfCareSchedule",
                f"<urn:healthcare_facility>{unit}</urn:healthcare_facility>"
                f"<urn:subject_of_care>{PNR12}</urn:subject_of_care>",
                head,
            )
        )
        assert len(schedule) == 3
        details = payload(
            await call(
                riv,
                "GetBookingDetails",
                f"<urn:healthcare_facility>{unit}</urn:healthcare_facility>"
                "<urn:bookingId>RK-DEMO-1</urn:bookingId>",
                head,
            )
        )
        assert texts(details[0])["isInvitation"] == "true"


async def test_concurrent_make_bookings_of_one_slot_book_it_once(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    answers = await asyncio.gather(
        *(
            call(riv, "MakeBooking", make_booking("20261125100000", "20261125101500"))
            for _ in range(8)
        )
    )
    codes = sorted(texts(payload(answer))["resultCode"] for answer in answers)
    assert codes == ["ERROR"] * 7 + ["INFO"]
    refused = [texts(payload(a)) for a in answers if texts(payload(a))["resultCode"] == "ERROR"]
    assert {r["resultText"] for r in refused} == {riv_texts.SLOT_TAKEN}
