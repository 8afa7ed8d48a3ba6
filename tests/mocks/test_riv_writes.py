"""MakeBooking, UpdateBooking and CancelBooking on the riv mock: results, ERROR texts, rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tidbok_mocks.riv import texts as riv_texts

from .conftest import seed, set_clock
from .riv_soap import call, fault, make_booking, payload, riv_scenario, texts, timeslot, valid
from .scenarios import PNR12, UNIT


async def book(riv: httpx.AsyncClient, start: str, end: str, extra: str = "") -> dict[str, str]:
    answer = payload(await call(riv, "MakeBooking", make_booking(start, end, extra)))
    valid("MakeBooking", answer)
    return texts(answer)


async def entries(riv_admin: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    response = await riv_admin.get("/appointment-book", params={"unit": UNIT, **params})
    return list(response.json()["entries"])


async def test_make_booking_info_with_the_instructions(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    result = await book(
        riv, "20261124100000", "20261124101500", "<urn1:reason>Kontroll av järnvärde</urn1:reason>"
    )
    assert result["resultCode"] == "INFO"
    assert result["resultText"] == "Kom fastande."
    assert list(result) == ["bookingId", "resultCode", "resultText"]
    booked = [e for e in await entries(riv_admin) if e["booking_id"] == result["bookingId"]]
    assert booked[0]["slot_id"] == "S-TUE-1"
    assert booked[0]["booked_by"] == "citizen"
    assert booked[0]["reason"] == "Kontroll av järnvärde"


async def test_make_booking_ok_without_instructions(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    result = await book(
        riv, "20261125130000", "20261125133000", "<urn1:timeTypeID>TT-PLAIN</urn1:timeTypeID>"
    )
    assert result["resultCode"] == "OK"
    assert "resultText" not in result


@pytest.mark.parametrize(
    ("start", "end", "extra", "text"),
    [
        ("20261124093000", "20261124094500", "", riv_texts.SLOT_TAKEN),  # booked
        ("20261124100000", "20261124102000", "", riv_texts.SLOT_TAKEN),  # end differs
        (
            "20261124100000",
            "20261124101500",
            "<urn1:timeTypeID>TT-PLAIN</urn1:timeTypeID>",
            riv_texts.SLOT_TAKEN,
        ),
        ("20261127090000", "20261127093000", "", riv_texts.SLOT_TAKEN),  # invitation's
        ("20261123150000", "20261123151500", "", riv_texts.TOO_CLOSE),  # today
        ("20261125110000", "20261125113000", "", riv_texts.NOT_BOOKABLE),
    ],
)
async def test_make_booking_errors(
    riv: httpx.AsyncClient,
    riv_admin: httpx.AsyncClient,
    start: str,
    end: str,
    extra: str,
    text: str,
) -> None:
    await seed(riv_admin, riv_scenario())
    before = await entries(riv_admin)
    result = await book(riv, start, end, extra)
    assert result == {"resultCode": "ERROR", "resultText": text}
    assert await entries(riv_admin) == before


def test_the_error_texts() -> None:
    assert riv_texts.SLOT_TAKEN == "Tiden är redan bokad."
    assert riv_texts.TOO_CLOSE == "Tiden kan inte bokas så nära inpå."
    assert riv_texts.INVITATION_USED == "Kallelsen är redan bokad."
    assert riv_texts.UNKNOWN_BOOKING == "Bokningen finns inte."
    assert riv_texts.NOT_CHANGEABLE == "Bokningen kan inte ändras via nätet."


async def test_same_day_booking_when_the_rules_allow_it(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    changed = await riv_admin.post("/rules", json={"same_day_booking": True})
    assert changed.json() == {"change_cutoff_hours": 24.0, "same_day_booking": True}
    assert (await book(riv, "20261123150000", "20261123151500"))["resultCode"] == "INFO"
    past = await book(riv, "20261123080000", "20261123081500")
    assert past["resultText"] == riv_texts.TOO_CLOSE


async def test_a_duplicate_make_booking_finds_the_slot_taken(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    assert (await book(riv, "20261125100000", "20261125101500"))["resultCode"] == "INFO"
    again = await book(riv, "20261125100000", "20261125101500")
    assert again == {"resultCode": "ERROR", "resultText": riv_texts.SLOT_TAKEN}


async def test_booking_an_open_invitation_once(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    extra = "<urn1:bookingId>K1</urn1:bookingId>"
    result = await book(riv, "20261127093000", "20261127100000", extra)
    assert result["resultCode"] == "INFO"
    assert result["resultText"] == "Kallelse till årskontroll."
    again = await book(riv, "20261127090000", "20261127093000", extra)
    assert again == {"resultCode": "ERROR", "resultText": riv_texts.INVITATION_USED}
    unknown = await book(
        riv, "20261127090000", "20261127093000", "<urn1:bookingId>K9</urn1:bookingId>"
    )
    assert unknown == {"resultCode": "ERROR", "resultText": riv_texts.UNKNOWN_BOOKING}
    # the other invitation slot is free for anyone now; the booking is a timed invitation
    assert (await book(riv, "20261127090000", "20261127093000"))["resultCode"] == "OK"
    schedule = payload(
        await call(
            riv,
            "GetSubjectOfCareSchedule",
            f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
            f"<urn:subject_of_care>{PNR12}</urn:subject_of_care>",
        )
    )
    invited = [texts(item) for item in schedule if texts(item)["bookingId"] == result["bookingId"]]
    assert invited[0]["isInvitation"] == "true"


async def test_make_booking_needs_the_citizen_names(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    body = (
        f"<urn:healthcare_facility_med>{UNIT}</urn:healthcare_facility_med>"
        + timeslot("20261124100000", "20261124101500")
        + "<urn:subject_of_care_info><urn2:firstName>Tolvan</urn2:firstName>"
        + "</urn:subject_of_care_info>"
    )
    assert fault(await call(riv, "MakeBooking", body)) == ("soap:Client", "lastName is missing")


def update(booking: str, start: str, end: str) -> str:
    return timeslot(start, end, f"<urn1:bookingId>{booking}</urn1:bookingId>")


async def test_update_booking_moves_and_keeps_the_id(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    answer = payload(
        await call(riv, "UpdateBooking", update("B-TUE", "20261125100000", "20261125101500"))
    )
    valid("UpdateBooking", answer)
    assert texts(answer) == {"resultCode": "INFO", "resultText": "Kom fastande."}
    moved = [e for e in await entries(riv_admin) if e["booking_id"] == "B-TUE"]
    assert moved[0]["slot_id"] == "S-WED"


@pytest.mark.parametrize(
    ("booking", "start", "end", "text"),
    [
        ("B-FIXED", "20261125100000", "20261125101500", riv_texts.NOT_CHANGEABLE),
        ("B-HIDDEN", "20261125100000", "20261125101500", riv_texts.UNKNOWN_BOOKING),
        ("B-OTHER", "20261125100000", "20261125101500", riv_texts.UNKNOWN_BOOKING),
        ("K1", "20261127090000", "20261127093000", riv_texts.UNKNOWN_BOOKING),
        ("B-TUE", "20261125130000", "20261125133000", riv_texts.SLOT_TAKEN),  # other type
        ("B-TUE", "20261123150000", "20261123151500", riv_texts.TOO_CLOSE),
    ],
)
async def test_update_booking_errors(
    riv: httpx.AsyncClient,
    riv_admin: httpx.AsyncClient,
    booking: str,
    start: str,
    end: str,
    text: str,
) -> None:
    await seed(riv_admin, riv_scenario())
    answer = payload(await call(riv, "UpdateBooking", update(booking, start, end)))
    assert texts(answer) == {"resultCode": "ERROR", "resultText": text}


async def test_update_booking_after_the_cutoff(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    await set_clock(riv_admin, "2026-11-23T09:30:00+01:00")  # exactly 24 h before: still fine
    ok = payload(
        await call(riv, "UpdateBooking", update("B-TUE", "20261125100000", "20261125101500"))
    )
    assert texts(ok)["resultCode"] == "INFO"
    back = update("B-TUE", "20261124100000", "20261124101500")
    await set_clock(riv_admin, "2026-11-24T10:00:01+01:00")
    late = payload(await call(riv, "UpdateBooking", back))
    assert texts(late) == {"resultCode": "ERROR", "resultText": riv_texts.NOT_CHANGEABLE}


def cancel(booking: str, message: str = "") -> str:
    return (
        f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
        f"<urn:bookingId>{booking}</urn:bookingId>"
        + (f"<urn:message>{message}</urn:message>" if message else "")
    )


async def test_cancel_booking_with_a_message(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    answer = payload(await call(riv, "CancelBooking", cancel("B-TUE", "Jag är bortrest.")))
    valid("CancelBooking", answer)
    assert texts(answer) == {"resultCode": "OK"}
    cancelled = [
        e for e in await entries(riv_admin, include_cancelled="true") if e["booking_id"] == "B-TUE"
    ]
    assert cancelled[0]["status"] == "cancelled"
    assert cancelled[0]["cancel_message"] == "Jag är bortrest."
    again = payload(await call(riv, "CancelBooking", cancel("B-TUE")))
    assert texts(again) == {"resultCode": "ERROR", "resultText": riv_texts.UNKNOWN_BOOKING}


async def test_cancel_booking_cutoff_is_configurable(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    await set_clock(riv_admin, "2026-11-23T12:00:00+01:00")
    late = payload(await call(riv, "CancelBooking", cancel("B-TUE")))
    assert texts(late) == {"resultCode": "ERROR", "resultText": riv_texts.NOT_CHANGEABLE}
    await riv_admin.post("/rules", json={"change_cutoff_hours": 2})
    assert texts(payload(await call(riv, "CancelBooking", cancel("B-TUE")))) == {"resultCode": "OK"}
    fixed = payload(await call(riv, "CancelBooking", cancel("B-FIXED")))
    assert texts(fixed)["resultText"] == riv_texts.NOT_CHANGEABLE


async def test_the_repeated_autumn_hour_is_told_apart_by_the_end(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    scenario = riv_scenario(now="2027-10-28T09:00:00+02:00")
    scenario["bookings"], scenario["invitations"] = [], []
    scenario["slots"] = [
        {
            "id": "S-CEST",
            "unit": UNIT,
            "time_type": "TT-PLAIN",
            "start": "2027-10-31T02:30:00+02:00",
        },
        {
            "id": "S-CET",
            "unit": UNIT,
            "time_type": "TT-PLAIN",
            "start": "2027-10-31T02:30:00+01:00",
        },
    ]
    await seed(riv_admin, scenario)
    result = await book(riv, "20271031023000", "20271031030000")  # 02:30 CET to 03:00 CET
    assert result["resultCode"] == "OK"
    booked = [e for e in await entries(riv_admin) if e["booking_id"] == result["bookingId"]]
    assert booked[0]["slot_id"] == "S-CET"


async def test_commit_then_500_on_cancel_booking_cancels(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    match = {"method": "POST", "path": "^/CancelBooking/1/rivtabp21$"}
    await riv_admin.post("/faults", json={"match": match, "kind": "commit_then_500", "times": 1})
    code, _ = fault(await call(riv, "CancelBooking", cancel("B-TUE")))
    assert code == "soap:Server"
    assert "B-TUE" not in [e["booking_id"] for e in await entries(riv_admin)]
