"""The crm:scheduling producer over the PASiS and PMO mocks, driven with tidbok's own envelopes.

What 1177 would see for each operation, and what the backend's appointment book and the
citizen's inbox hold afterwards. tests/riv/test_zeep.py drives the same operations with zeep;
this file covers the refusals and faults in detail.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.riv.conftest import CITIZEN, KISTA, NOW, RINKEBY, TENSTA, RivWorld
from tidbok.crm.envelope import SoapFault
from tidbok.crm.messages import (
    CancelBooking,
    GetAllCareTypes,
    GetAllHealthcareFacilities,
    GetAllPerformers,
    GetAllTimeTypes,
    GetAvailableDates,
    GetAvailableTimeslots,
    GetBookingDetails,
    GetSubjectOfCareSchedule,
    MakeBooking,
    ResultCode,
    UpdateBooking,
)
from tidbok.crm.types import Actor, ActorType, SubjectOfCareType, TimeslotType
from tidbok.errors import InvitationAlreadyUsed, SlotTaken

OTHER_CITIZEN = "199001012385"
NAMES = SubjectOfCareType(firstName="Tolvan", lastName="Tolvansson")
FIRST_DAY = NOW.date()
LAST_DAY = FIRST_DAY + timedelta(days=13)
UNITS = [pytest.param(TENSTA, id="pasis"), pytest.param(RINKEBY, id="pmo")]


async def free_slots(world: RivWorld, unit: str, booking_id: str | None = None) -> list[Any]:
    answer = await world.call(
        "GetAvailableTimeslots",
        unit,
        GetAvailableTimeslots(
            healthcare_facility=unit,
            bookingId=booking_id,
            startDateInclusive=FIRST_DAY,
            endDateInclusive=LAST_DAY,
            subject_of_care=CITIZEN,
        ),
    )
    assert not isinstance(answer, SoapFault), answer
    return list(answer.timeslotDetail)


def requested(slot: TimeslotType, citizen: str = CITIZEN, **more: Any) -> TimeslotType:
    """The timeslot a consumer sends back to book ``slot`` (from GetAvailableTimeslots)."""
    return TimeslotType(
        startTimeInclusive=slot.startTimeInclusive,
        endTimeExclusive=slot.endTimeExclusive,
        healthcare_facility=slot.healthcare_facility,
        subject_of_care=citizen,
        timeTypeID=slot.timeTypeID,
        **more,
    )


def changeable(slots: list[TimeslotType]) -> list[TimeslotType]:
    """Slots far enough ahead that a booking of them may still be changed (both systems)."""
    later = NOW + timedelta(days=2)
    return [s for s in slots if s.startTimeInclusive is not None and s.startTimeInclusive > later]


async def inbox_subjects(world: RivWorld, count: int) -> list[str]:
    """The subjects of the citizen's inbox messages once ``count`` have arrived (bounded wait)."""
    for _ in range(200):
        stored = [m for m in world.inbox.state.store.all() if m.content.citizen == CITIZEN]
        if len(stored) >= count:
            return [m.content.subject for m in stored]
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} inbox messages")


@pytest.mark.parametrize("unit", UNITS)
async def test_book_rebook_cancel_reach_the_appointment_book_and_the_inbox(
    world: RivWorld, unit: str
) -> None:
    slots = changeable(await free_slots(world, unit))
    first = slots[0]
    booked = await world.call(
        "MakeBooking",
        unit,
        MakeBooking(
            healthcare_facility_med=unit,
            requestedTimeslot=requested(first, reason="Ont i ryggen"),
            subject_of_care_info=NAMES,
        ),
    )
    assert booked.resultCode in (ResultCode.OK, ResultCode.INFO)
    assert booked.bookingId
    book = {entry["booking_id"]: entry for entry in await world.appointment_book(unit)}
    assert datetime.fromisoformat(book[booked.bookingId]["start"]) == first.startTimeInclusive

    schedule = await world.call(
        "GetSubjectOfCareSchedule",
        unit,
        GetSubjectOfCareSchedule(healthcare_facility=unit, subject_of_care=CITIZEN),
    )
    mine = [t for t in schedule.timeslotDetail if t.bookingId == booked.bookingId]
    assert len(mine) == 1
    assert mine[0].startTimeInclusive == first.startTimeInclusive
    assert mine[0].subject_of_care == CITIZEN

    details = await world.call(
        "GetBookingDetails",
        unit,
        GetBookingDetails(healthcare_facility=unit, bookingId=booked.bookingId),
    )
    assert details.timeslotDetail.rebooking_allowed is True
    assert details.timeslotDetail.cancel_booking_allowed is True

    targets = changeable(await free_slots(world, unit, booking_id=booked.bookingId))
    target = next(s for s in targets if s.startTimeInclusive != first.startTimeInclusive)
    moved = await world.call(
        "UpdateBooking",
        unit,
        UpdateBooking(requestedTimeslot=requested(target, bookingId=booked.bookingId)),
    )
    assert moved.resultCode in (ResultCode.OK, ResultCode.INFO), moved.resultText
    starts_in_book = {
        datetime.fromisoformat(e["start"]) for e in await world.appointment_book(unit)
    }
    assert target.startTimeInclusive in starts_in_book
    assert first.startTimeInclusive not in starts_in_book
    schedule = await world.call(
        "GetSubjectOfCareSchedule",
        unit,
        GetSubjectOfCareSchedule(healthcare_facility=unit, subject_of_care=CITIZEN),
    )
    starts = {t.startTimeInclusive for t in schedule.timeslotDetail}
    assert target.startTimeInclusive in starts
    assert first.startTimeInclusive not in starts

    moved_id = next(
        t.bookingId
        for t in schedule.timeslotDetail
        if t.startTimeInclusive == target.startTimeInclusive
    )
    cancelled = await world.call(
        "CancelBooking", unit, CancelBooking(healthcare_facility=unit, bookingId=moved_id)
    )
    assert cancelled.resultCode is ResultCode.OK
    assert moved_id not in {e["booking_id"] for e in await world.appointment_book(unit)}
    subjects = await inbox_subjects(world, 3)
    assert [s.split(":")[0] for s in subjects] == ["Bokad tid", "Ombokad tid", "Avbokad tid"]


@pytest.mark.parametrize("unit", UNITS)
async def test_a_slot_taken_by_another_citizen_answers_error(world: RivWorld, unit: str) -> None:
    slot = changeable(await free_slots(world, unit))[0]
    other = Actor(actorId=OTHER_CITIZEN, actorType=ActorType.SUBJECT_OF_CARE)
    first = await world.call(
        "MakeBooking",
        unit,
        MakeBooking(
            healthcare_facility_med=unit,
            requestedTimeslot=requested(slot, citizen=OTHER_CITIZEN),
            subject_of_care_info=NAMES,
        ),
        actor=other,
    )
    assert first.resultCode in (ResultCode.OK, ResultCode.INFO)
    second = await world.call(
        "MakeBooking",
        unit,
        MakeBooking(
            healthcare_facility_med=unit,
            requestedTimeslot=requested(slot),
            subject_of_care_info=NAMES,
        ),
    )
    assert second.resultCode is ResultCode.ERROR
    assert second.resultText == SlotTaken.citizen_text
    assert second.bookingId is None
    at_slot = [
        e
        for e in await world.appointment_book(unit, person=OTHER_CITIZEN)
        + await world.appointment_book(unit)
        if datetime.fromisoformat(e["start"]) == slot.startTimeInclusive
    ]
    assert [e["person"] for e in at_slot] == [OTHER_CITIZEN]


@pytest.mark.parametrize("unit", UNITS)
async def test_a_retried_make_booking_answers_the_same_booking(world: RivWorld, unit: str) -> None:
    slots = changeable(await free_slots(world, unit))
    slot = next(s for s in slots if s.timeTypeID in ("TT-PROV", "bt-provtagning"))  # has INFO
    message = MakeBooking(
        healthcare_facility_med=unit, requestedTimeslot=requested(slot), subject_of_care_info=NAMES
    )
    first = await world.call("MakeBooking", unit, message)
    assert first.resultCode is ResultCode.INFO
    again = await world.call("MakeBooking", unit, message)
    assert (again.resultCode, again.resultText) == (first.resultCode, first.resultText)
    assert again.bookingId == first.bookingId
    at_that_time = [
        e
        for e in await world.appointment_book(unit)
        if datetime.fromisoformat(e["start"]) == slot.startTimeInclusive
    ]
    assert [e["booking_id"] for e in at_that_time] == [first.bookingId]
    assert await inbox_subjects(world, 1)
    await asyncio.sleep(0.2)
    assert len([m for m in world.inbox.state.store.all() if m.content.citizen == CITIZEN]) == 1


async def test_an_open_invitation_is_booked_once_and_refused_the_second_time(
    world: RivWorld,
) -> None:
    schedule = await world.call(
        "GetSubjectOfCareSchedule",
        TENSTA,
        GetSubjectOfCareSchedule(healthcare_facility=TENSTA, subject_of_care=CITIZEN),
    )
    assert "K-DEMO-1" not in {t.bookingId for t in schedule.timeslotDetail}
    details = await world.call(
        "GetBookingDetails",
        TENSTA,
        GetBookingDetails(healthcare_facility=TENSTA, bookingId="K-DEMO-1"),
    )
    invitation = details.timeslotDetail
    assert invitation.isInvitation is True
    assert invitation.startTimeInclusive is None
    assert invitation.purpose == "Årlig hälsokontroll. Välj en av tiderna."
    assert (invitation.cancel_booking_allowed, invitation.rebooking_allowed) == (False, False)
    facilities = await world.call(
        "GetAllHealthcareFacilities",
        TENSTA,
        GetAllHealthcareFacilities(
            healthcare_facility=TENSTA, subject_of_care=CITIZEN, bookingId="K-DEMO-1"
        ),
    )
    assert [f.healthcare_facility for f in facilities.healthcareFacilityInfos] == [TENSTA]

    offered = await free_slots(world, TENSTA, booking_id="K-DEMO-1")
    assert len(offered) == 3
    booked = await world.call(
        "MakeBooking",
        TENSTA,
        MakeBooking(
            healthcare_facility_med=TENSTA,
            requestedTimeslot=requested(offered[0], bookingId="K-DEMO-1"),
            subject_of_care_info=NAMES,
        ),
    )
    assert booked.resultCode in (ResultCode.OK, ResultCode.INFO)
    assert booked.bookingId in {e["booking_id"] for e in await world.appointment_book(TENSTA)}
    again = await world.call(
        "MakeBooking",
        TENSTA,
        MakeBooking(
            healthcare_facility_med=TENSTA,
            requestedTimeslot=requested(offered[1], bookingId="K-DEMO-1"),
            subject_of_care_info=NAMES,
        ),
    )
    assert again.resultCode is ResultCode.ERROR
    assert again.resultText == InvitationAlreadyUsed.citizen_text
    used = await world.call(
        "GetAllHealthcareFacilities",
        TENSTA,
        GetAllHealthcareFacilities(
            healthcare_facility=TENSTA, subject_of_care=CITIZEN, bookingId="K-DEMO-1"
        ),
    )
    assert used.healthcareFacilityInfos == ()
    from_invitation = [
        e for e in await world.appointment_book(TENSTA) if e["invitation_id"] == "K-DEMO-1"
    ]
    assert [e["booking_id"] for e in from_invitation] == [booked.bookingId]
    subjects = await inbox_subjects(world, 1)
    assert subjects[0].startswith("Bokad tid från kallelse")


async def test_a_booking_with_instructions_answers_info(world: RivWorld) -> None:
    slots = await free_slots(world, TENSTA)
    fasting = next(s for s in slots if s.timeTypeID == "TT-PROV")
    booked = await world.call(
        "MakeBooking",
        TENSTA,
        MakeBooking(
            healthcare_facility_med=TENSTA,
            requestedTimeslot=requested(fasting),
            subject_of_care_info=NAMES,
        ),
    )
    assert booked.resultCode is ResultCode.INFO
    assert "fastande" in (booked.resultText or "")


@pytest.mark.parametrize("unit", UNITS)
async def test_the_lookups_answer_for_each_system(world: RivWorld, unit: str) -> None:
    time_types = await world.call(
        "GetAllTimeTypes", unit, GetAllTimeTypes(healthcare_facility=unit, subject_of_care=CITIZEN)
    )
    assert time_types.ListOfTimeTypes
    ids = {t.timeTypeId for t in time_types.ListOfTimeTypes}
    slots = await free_slots(world, unit)
    assert {s.timeTypeID for s in slots} <= ids
    assert all(s.subject_of_care is None and s.isInvitation is None for s in slots)
    dates = await world.call(
        "GetAvailableDates",
        unit,
        GetAvailableDates(
            healthcare_facility=unit,
            startDateInclusive=FIRST_DAY,
            endDateInclusive=LAST_DAY,
            subject_of_care=CITIZEN,
        ),
    )
    days = {d.date for d in dates.performerAvailabilityByDate}
    assert days == {s.startTimeInclusive.date() for s in slots if s.startTimeInclusive}
    assert all(day >= FIRST_DAY for day in days)
    care = await world.call(
        "GetAllCareTypes", unit, GetAllCareTypes(healthcare_facility=unit, subject_of_care=CITIZEN)
    )
    assert care.careTypes == ()
    performers = await world.call(
        "GetAllPerformers",
        unit,
        GetAllPerformers(healthcare_facility=unit, subject_of_care=CITIZEN),
    )
    assert performers.performerInfos == ()
    facilities = await world.call(
        "GetAllHealthcareFacilities",
        unit,
        GetAllHealthcareFacilities(healthcare_facility=unit, subject_of_care=CITIZEN),
    )
    assert [f.healthcare_facility for f in facilities.healthcareFacilityInfos] == [unit]


async def test_a_view_only_unit_lists_bookings_but_offers_no_booking(world: RivWorld) -> None:
    schedule = await world.call(
        "GetSubjectOfCareSchedule",
        KISTA,
        GetSubjectOfCareSchedule(healthcare_facility=KISTA, subject_of_care=CITIZEN),
    )
    assert not isinstance(schedule, SoapFault)
    assert all(t.cancel_booking_allowed is False for t in schedule.timeslotDetail)
    refused = await world.call(
        "GetAvailableTimeslots",
        KISTA,
        GetAvailableTimeslots(
            healthcare_facility=KISTA,
            startDateInclusive=FIRST_DAY,
            endDateInclusive=LAST_DAY,
            subject_of_care=CITIZEN,
        ),
    )
    assert isinstance(refused, SoapFault)
    assert refused.code == "Client"
    assert refused.text.startswith("case_type_not_active: ")


async def test_dates_in_the_past_are_never_offered(world: RivWorld) -> None:
    dates = await world.call(
        "GetAvailableDates",
        RINKEBY,
        GetAvailableDates(
            healthcare_facility=RINKEBY,
            startDateInclusive=date(2026, 11, 20),
            endDateInclusive=FIRST_DAY,
            subject_of_care=CITIZEN,
        ),
    )
    assert all(d.date >= FIRST_DAY for d in dates.performerAvailabilityByDate)


@pytest.mark.parametrize(
    "address", ["SE2321000016-ZZZZ", "not-an-hsa-id", "se2321000016-1001 "], ids=str
)
async def test_unknown_logical_addresses_are_platform_style_faults(
    world: RivWorld, address: str
) -> None:
    answer = await world.call(
        "GetAllTimeTypes",
        address,
        GetAllTimeTypes(healthcare_facility=address, subject_of_care=CITIZEN),
    )
    if address.strip().upper() == TENSTA:  # HSA-ids compare case-insensitively
        assert not isinstance(answer, SoapFault)
        return
    assert isinstance(answer, SoapFault)
    assert answer.code == "Server"
    assert answer.text.startswith("VP004 No Logical Adress found for serviceNamespace:")
    assert "GetAllTimeTypesResponder:1" in answer.text


@pytest.mark.parametrize("unit", UNITS)
async def test_a_retried_update_booking_moves_nothing_twice(world: RivWorld, unit: str) -> None:
    first = changeable(await free_slots(world, unit))[0]
    booked = await world.call(
        "MakeBooking",
        unit,
        MakeBooking(
            healthcare_facility_med=unit,
            requestedTimeslot=requested(first),
            subject_of_care_info=NAMES,
        ),
    )
    targets = changeable(await free_slots(world, unit, booking_id=booked.bookingId))
    target = next(t for t in targets if t.startTimeInclusive != first.startTimeInclusive)
    update = UpdateBooking(requestedTimeslot=requested(target, bookingId=booked.bookingId))
    moved = await world.call("UpdateBooking", unit, update)
    assert moved.resultCode in (ResultCode.OK, ResultCode.INFO), moved.resultText
    # The consumer never heard the first answer: it sends the very same request again.
    again = await world.call("UpdateBooking", unit, update)
    assert (again.resultCode, again.resultText) == (moved.resultCode, moved.resultText)
    starts = [datetime.fromisoformat(e["start"]) for e in await world.appointment_book(unit)]
    assert [s for s in starts if s == target.startTimeInclusive] == [target.startTimeInclusive]
    assert first.startTimeInclusive not in starts
    assert len(await inbox_subjects(world, 2)) == 2
    await asyncio.sleep(0.2)
    assert len([m for m in world.inbox.state.store.all() if m.content.citizen == CITIZEN]) == 2
