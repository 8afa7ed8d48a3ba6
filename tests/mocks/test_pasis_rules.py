"""PASiS's server-side rules: 1177 levels, next-day earliest, 24-hour cut-off, across DST."""

from __future__ import annotations

import httpx
import pytest

from .conftest import seed, set_clock
from .scenarios import PNR, UNIT, pasis_scenario


async def book(pasis: httpx.AsyncClient, tid: str) -> httpx.Response:
    return await pasis.post(f"/enheter/{UNIT}/bokningar", json={"tidId": tid, "personnummer": PNR})


@pytest.mark.parametrize("tid", ["S-L3", "S-L2", "S-L1", "S-OVERRIDE"])
async def test_only_level_4_is_bookable(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient, tid: str
) -> None:
    await seed(pasis_admin, pasis_scenario())
    response = await book(pasis, tid)
    assert response.status_code == 422
    assert response.json()["felkod"] == "EJ_BOKNINGSBAR_VIA_1177"


async def test_level_4_override_on_a_level_3_type_is_bookable(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    assert (await book(pasis, "S-L3-THU")).status_code == 201


@pytest.mark.parametrize(
    ("slot", "hidden", "expected"),
    [
        ("S-L3", False, 200),
        ("S-TUE-1", False, 200),
        ("S-L2", False, 422),
        ("S-L1", False, 422),
        ("S-L3", True, 422),
    ],
)
async def test_cancel_needs_level_3_and_a_visible_booking(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient, slot: str, hidden: bool, expected: int
) -> None:
    await seed(pasis_admin, pasis_scenario())
    made = await pasis_admin.post("/bookings", json={"slot": slot, "person": PNR, "hidden": hidden})
    booking_id = made.json()["booking_id"]
    response = await pasis.post(f"/bokningar/{booking_id}/avboka", json={"personnummer": PNR})
    assert response.status_code == expected, response.text
    if expected == 422:
        assert response.json()["felkod"] == "EJ_AVBOKNINGSBAR_VIA_1177"


async def test_level_3_booking_can_be_rebooked_to_a_level_4_slot_of_its_type(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    made = await pasis_admin.post("/bookings", json={"slot": "S-L3", "person": PNR})
    response = await pasis.post(
        f"/bokningar/{made.json()['booking_id']}/omboka",
        json={"nyTidId": "S-L3-THU", "personnummer": PNR},
    )
    assert response.status_code == 200
    assert response.json()["tidId"] == "S-L3-THU"


async def test_same_day_booking_is_refused(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    response = await book(pasis, "S-TODAY")
    assert response.status_code == 422
    assert response.json() == {
        "felkod": "UTANFOR_BOKNINGSFONSTER",
        "meddelande": "Tider kan bokas tidigast dagen efter dagens datum.",
    }


@pytest.mark.parametrize(
    ("now", "tid", "expected"),
    [
        # 23:30 UTC on Monday is 00:30 on Tuesday in Stockholm: Tuesday is "today" already.
        ("2026-11-23T23:30:00Z", "S-TUE-1", 422),
        ("2026-11-23T23:30:00Z", "S-WED", 201),
        # 23:59:59 on Monday in Stockholm: Tuesday is still "tomorrow".
        ("2026-11-23T22:59:59Z", "S-TUE-1", 201),
    ],
)
async def test_next_day_is_a_stockholm_calendar_day(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient, now: str, tid: str, expected: int
) -> None:
    await seed(pasis_admin, pasis_scenario())
    await set_clock(pasis_admin, now)
    assert (await book(pasis, tid)).status_code == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-23T10:00:00+01:00", 200),  # exactly 24 h before 2026-11-24 10:00
        ("2026-11-23T10:00:01+01:00", 422),
        ("2026-11-23T10:01:00+01:00", 422),  # 23 h 59 min before
    ],
)
@pytest.mark.parametrize("operation", ["avboka", "omboka"])
async def test_24_hour_cutoff(
    pasis: httpx.AsyncClient,
    pasis_admin: httpx.AsyncClient,
    now: str,
    expected: int,
    operation: str,
) -> None:
    await seed(pasis_admin, pasis_scenario())
    booking_id = (await book(pasis, "S-TUE-1")).json()["bokningsId"]
    await set_clock(pasis_admin, now)
    body = {"personnummer": PNR, **({"nyTidId": "S-WED"} if operation == "omboka" else {})}
    response = await pasis.post(f"/bokningar/{booking_id}/{operation}", json=body)
    assert response.status_code == expected, response.text
    if expected == 422:
        assert response.json()["felkod"] == "UTANFOR_BOKNINGSFONSTER"


@pytest.mark.parametrize(
    ("booked_at", "start", "now", "expected"),
    [
        # Autumn: summer time ends 2026-10-25 03:00 -> 02:00; the day before has 25 hours.
        (
            "2026-10-23T12:00:00+02:00",
            "2026-10-25T10:00:00+01:00",
            "2026-10-24T10:30:00+02:00",
            200,
        ),
        (
            "2026-10-23T12:00:00+02:00",
            "2026-10-25T10:00:00+01:00",
            "2026-10-24T11:00:00+02:00",
            200,
        ),
        (
            "2026-10-23T12:00:00+02:00",
            "2026-10-25T10:00:00+01:00",
            "2026-10-24T11:01:00+02:00",
            422,
        ),
        # Spring: summer time starts 2027-03-28 02:00 -> 03:00; the day before has 23 hours.
        (
            "2027-03-26T12:00:00+01:00",
            "2027-03-28T10:00:00+02:00",
            "2027-03-27T09:00:00+01:00",
            200,
        ),
        (
            "2027-03-26T12:00:00+01:00",
            "2027-03-28T10:00:00+02:00",
            "2027-03-27T09:01:00+01:00",
            422,
        ),
        (
            "2027-03-26T12:00:00+01:00",
            "2027-03-28T10:00:00+02:00",
            "2027-03-27T09:30:00+01:00",
            422,
        ),
    ],
)
async def test_24_hours_are_elapsed_hours_across_dst(
    pasis: httpx.AsyncClient,
    pasis_admin: httpx.AsyncClient,
    booked_at: str,
    start: str,
    now: str,
    expected: int,
) -> None:
    slot = {"id": "S-DST", "unit": UNIT, "time_type": "TT4", "start": start}
    await seed(pasis_admin, pasis_scenario(now=booked_at, extra_slots=[slot]))
    booked = await book(pasis, "S-DST")
    assert booked.status_code == 201, booked.text
    await set_clock(pasis_admin, now)
    response = await pasis.post(
        f"/bokningar/{booked.json()['bokningsId']}/avboka", json={"personnummer": PNR}
    )
    assert response.status_code == expected, response.text


async def test_local_times_across_dst_are_shown_in_the_wall_clock(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    slot = {"id": "S-DST", "unit": UNIT, "time_type": "TT4", "start": "2026-10-25T09:00:00Z"}
    await seed(pasis_admin, pasis_scenario(now="2026-10-23T12:00:00+02:00", extra_slots=[slot]))
    found = await pasis.get(
        f"/enheter/{UNIT}/lediga-tider", params={"fran": "2026-10-25", "till": "2026-10-25"}
    )
    assert [(t["start"], t["slut"]) for t in found.json()["poster"]] == [
        ("2026-10-25T10:00:00", "2026-10-25T10:15:00")
    ]
