"""Slots on the two daylight-saving nights, offered and booked over crm:scheduling.

The wire carries 14-digit local times without a zone. In the repeated autumn hour two different
instants write the same start text; a slot is then told apart by its end, and MakeBooking books
the slot whose local start *and* end the consumer sent. In spring the skipped hour never appears.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest_asyncio

from tests.riv.conftest import CITIZEN, RINKEBY, RivWorld, open_world
from tidbok.clock import STOCKHOLM
from tidbok.crm.messages import GetAvailableTimeslots, MakeBooking, ResultCode
from tidbok.crm.times import format_timestamp
from tidbok.crm.types import SubjectOfCareType, TimeslotType

NAMES = SubjectOfCareType(firstName="Tolvan", lastName="Tolvansson")


async def add_slot(world: RivWorld, start_utc: datetime, minutes: int) -> None:
    slot = {
        "unit": RINKEBY,
        "time_type": "bt-provtagning",
        "start": start_utc.isoformat(),
        "end": (start_utc + timedelta(minutes=minutes)).isoformat(),
        "performer": "Nattsköterska",
        "resource": "Nattmottagningen",
    }
    response = await world.http.post(f"{world.pmo.admin_url}/slots", json=slot)
    response.raise_for_status()


async def night_slots(world: RivWorld, night: date) -> list[TimeslotType]:
    answer = await world.call(
        "GetAvailableTimeslots",
        RINKEBY,
        GetAvailableTimeslots(
            healthcare_facility=RINKEBY,
            startDateInclusive=night,
            endDateInclusive=night,
            subject_of_care=CITIZEN,
        ),
    )
    return [s for s in answer.timeslotDetail if s.resourceName == "Nattmottagningen"]


@pytest_asyncio.fixture
async def autumn(tmp_path: Path) -> AsyncIterator[RivWorld]:
    """Frozen on Friday before the autumn change (Sunday 31 October 2027, 03:00 CEST -> 02:00)."""
    async with AsyncExitStack() as stack:
        now = datetime(2027, 10, 29, 10, 0, tzinfo=STOCKHOLM)
        yield await open_world(stack, tmp_path, now=now)


@pytest_asyncio.fixture
async def spring(tmp_path: Path) -> AsyncIterator[RivWorld]:
    """Frozen on Friday before the spring change (Sunday 26 March 2028, 02:00 CET -> 03:00)."""
    async with AsyncExitStack() as stack:
        now = datetime(2028, 3, 24, 10, 0, tzinfo=STOCKHOLM)
        yield await open_world(stack, tmp_path, now=now)


async def test_the_repeated_autumn_hour_is_told_apart_by_the_end(autumn: RivWorld) -> None:
    summer = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST
    winter = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later
    await add_slot(autumn, summer, 30)
    await add_slot(autumn, winter, 30)
    slots = await night_slots(autumn, date(2027, 10, 31))
    texts = [(s.startTimeInclusive, s.endTimeExclusive) for s in slots]
    assert [(format_timestamp(a), format_timestamp(b)) for a, b in texts if a and b] == [
        ("20271031023000", "20271031020000"),  # ends at 02:00 CET, after the clocks went back
        ("20271031023000", "20271031030000"),
    ]
    second = slots[1]
    booked = await autumn.call(
        "MakeBooking",
        RINKEBY,
        MakeBooking(
            healthcare_facility_med=RINKEBY,
            requestedTimeslot=TimeslotType(
                startTimeInclusive=second.startTimeInclusive,
                endTimeExclusive=second.endTimeExclusive,
                healthcare_facility=RINKEBY,
                subject_of_care=CITIZEN,
                timeTypeID=second.timeTypeID,
            ),
            subject_of_care_info=NAMES,
        ),
    )
    assert booked.resultCode in (ResultCode.OK, ResultCode.INFO)
    entry = next(
        e for e in await autumn.appointment_book(RINKEBY) if e["booking_id"] == booked.bookingId
    )
    assert datetime.fromisoformat(entry["start"]).astimezone(UTC) == winter


async def test_the_skipped_spring_hour_never_appears(spring: RivWorld) -> None:
    before = datetime(2028, 3, 26, 0, 30, tzinfo=UTC)  # 01:30 CET, ends 03:00 CEST
    await add_slot(spring, before, 30)
    slots = await night_slots(spring, date(2028, 3, 26))
    assert [
        (format_timestamp(s.startTimeInclusive), format_timestamp(s.endTimeExclusive))
        for s in slots
        if s.startTimeInclusive and s.endTimeExclusive
    ] == [("20280326013000", "20280326030000")]
    booked = await spring.call(
        "MakeBooking",
        RINKEBY,
        MakeBooking(
            healthcare_facility_med=RINKEBY,
            requestedTimeslot=TimeslotType(
                startTimeInclusive=slots[0].startTimeInclusive,
                endTimeExclusive=slots[0].endTimeExclusive,
                healthcare_facility=RINKEBY,
                subject_of_care=CITIZEN,
            ),
            subject_of_care_info=NAMES,
        ),
    )
    assert booked.resultCode in (ResultCode.OK, ResultCode.INFO)
    entry = next(
        e for e in await spring.appointment_book(RINKEBY) if e["booking_id"] == booked.bookingId
    )
    assert datetime.fromisoformat(entry["start"]).astimezone(UTC) == before
