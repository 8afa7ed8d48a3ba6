"""The PMO plugin against the in-process PMO mock over real HTTP, through BookingService."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tidbok.adapter import AdapterContext
from tidbok.clock import STOCKHOLM
from tidbok.errors import InvalidInput, NotAvailableVia1177, NotFound, SlotTaken
from tidbok.models import Access1177, BookedBy, Caller

from .conftest import FAST, NOW, OTHER, UNIT, Pmo

DAY_START = datetime(2026, 11, 23, 0, 0, tzinfo=STOCKHOLM)
WEEK_END = DAY_START + timedelta(days=7)


async def test_time_types_with_their_access(pmo: Pmo) -> None:
    every = {t.id: t for t in await pmo.service.all_time_types(UNIT)}
    assert every["bt-open"].access == Access1177(visible=True, bookable=True, changeable=True)
    assert every["bt-nobook"].access == Access1177(visible=True, changeable=True)
    assert every["bt-nocancel"].access == Access1177(visible=True, bookable=True)
    assert every["bt-hidden"].access == Access1177()
    assert every["bt-open"].name == "Provtagning"
    assert {t.id for t in await pmo.service.time_types(UNIT)} == {
        "bt-open",
        "bt-nobook",
        "bt-nocancel",
    }


async def test_units_of_the_backend(pmo: Pmo) -> None:
    system = pmo.service.system_of(UNIT)
    assert system is not None
    adapter = system.connect(pmo.backend(), AdapterContext(resilience=FAST))
    try:
        units = await adapter.list_units()
    finally:
        await adapter.aclose()
    assert [(u.hsa_id, u.name) for u in units] == [
        ("SE2321000016-5002", "BVC Kista"),
        ("SE2321000016-5001", "Vårdcentralen Rinkeby"),
    ]


async def test_slots_over_several_pages_same_day_included(pmo: Pmo) -> None:
    """R8: a later slot today is offered. Pages of two: the search spans several pages."""
    await pmo.clear_requests()
    slots = await pmo.service.available_slots(pmo.citizen, UNIT, DAY_START, WEEK_END)
    assert [s.id for s in slots] == [
        "s-today-1",
        "s-today-2",
        "s-tue-1",
        "s-tue-2",
        "s-tue-3",
        "s-nocancel",
    ]
    assert slots[0].start == datetime(2026, 11, 23, 15, 0, tzinfo=STOCKHOLM)
    searches = await pmo.requests("GET", "/slots")
    assert len(searches) >= 4
    assert sum("cursor=" in entry["query"] for entry in searches) == len(searches) - 1
    dates = await pmo.service.available_dates(UNIT, DAY_START, WEEK_END)
    assert dates == [datetime(2026, 11, 23).date(), datetime(2026, 11, 24).date()]


async def test_book_then_see_it_in_the_appointment_book(pmo: Pmo) -> None:
    await pmo.clear_requests()
    result = await pmo.service.book(
        pmo.citizen, UNIT, "s-today-1", accept_terms=True, reason="Hosta"
    )
    booking = result.booking
    assert booking.start == datetime(2026, 11, 23, 15, 0, tzinfo=STOCKHOLM)
    assert (booking.booked_by, booking.reason, booking.purpose) == (
        BookedBy.CITIZEN,
        "Hosta",
        "Kom fastande.",
    )
    assert booking.permissions.cancel_booking_allowed
    entry = next(e for e in await pmo.booked() if e["booking_id"] == booking.id)
    assert (entry["slot_id"], entry["person"], entry["booked_by"]) == (
        "s-today-1",
        "191212121212",
        "citizen",
    )
    [write] = await pmo.requests("POST", "/appointments")
    assert write["idempotency_key"]
    with pytest.raises(SlotTaken):
        await pmo.service.book(Caller(subject_of_care=OTHER), UNIT, "s-today-1", accept_terms=True)


async def test_not_bookable_slot_is_refused(pmo: Pmo) -> None:
    with pytest.raises(NotAvailableVia1177):
        await pmo.service.book(pmo.citizen, UNIT, "s-nobook", accept_terms=True)
    with pytest.raises(NotFound):
        await pmo.service.book(pmo.citizen, UNIT, "no-such-slot", accept_terms=True)


async def test_schedule_staff_made_included_hidden_left_out(pmo: Pmo) -> None:
    """R7, R12."""
    schedule = await pmo.service.schedule(pmo.citizen)
    assert schedule.failed_units == ()
    assert [(b.id, b.booked_by) for b in schedule.bookings] == [
        ("a-staff", BookedBy.STAFF),
        ("a-mine", BookedBy.CITIZEN),
    ]
    details = await pmo.service.booking(pmo.citizen, UNIT, "a-mine")
    assert (details.reason, details.permissions.rebooking_allowed) == ("Hosta", True)
    assert details.permissions.message_allowed
    with pytest.raises(NotFound):
        await pmo.service.booking(pmo.citizen, UNIT, "a-other")
    with pytest.raises(NotFound):
        await pmo.service.booking(pmo.citizen, UNIT, "a-hidden")


async def test_rebook_moves_the_booking_in_one_step(pmo: Pmo) -> None:
    offered = await pmo.service.available_slots(
        pmo.citizen, UNIT, DAY_START, WEEK_END, rebook="a-mine"
    )
    assert {s.time_type_id for s in offered} == {"bt-open"}
    result = await pmo.service.rebook(pmo.citizen, UNIT, "a-mine", "s-tue-2")
    assert result.booking.id == "a-mine"
    assert result.booking.start == datetime(2026, 11, 24, 10, 15, tzinfo=STOCKHOLM)
    mine = [e for e in await pmo.booked() if e["booking_id"] == "a-mine"]
    assert [e["slot_id"] for e in mine] == ["s-tue-2"]
    with pytest.raises(InvalidInput):  # PMO moves a booking only within its booking type
        await pmo.service.rebook(pmo.citizen, UNIT, "a-mine", "s-nocancel")


async def test_cancel_with_a_message_to_the_unit(pmo: Pmo) -> None:
    outcome = await pmo.service.cancel(pmo.citizen, UNIT, "a-mine", "Jag är frisk igen")
    assert outcome.kind == "OK"
    assert "a-mine" not in {e["booking_id"] for e in await pmo.booked()}
    response = await pmo.admin.get(
        "/appointment-book", params={"unit": UNIT, "include_cancelled": "true"}
    )
    cancelled = next(e for e in response.json()["entries"] if e["booking_id"] == "a-mine")
    assert (cancelled["status"], cancelled["cancel_message"]) == ("cancelled", "Jag är frisk igen")
    with pytest.raises(NotFound):
        await pmo.service.cancel(pmo.citizen, UNIT, "a-mine")


async def test_change_allowed_until_the_start(pmo: Pmo) -> None:
    """PMO: cancel and rebook until the booking starts, however close."""
    await pmo.admin.post("/clock", json={"now": "2026-11-25T09:29:00+01:00"})
    pmo.clock.set(datetime(2026, 11, 25, 9, 29, tzinfo=STOCKHOLM))
    assert (
        await pmo.service.booking(pmo.citizen, UNIT, "a-mine")
    ).permissions.cancel_booking_allowed
    await pmo.service.cancel(pmo.citizen, UNIT, "a-mine")


async def test_token_expiry_and_refresh(pmo: Pmo) -> None:
    """Past the token's lifetime by the mock's clock: one 401, one new token, then success."""
    await pmo.service.time_types(UNIT)
    await pmo.clear_requests()
    response = await pmo.admin.post("/clock", json={"advance_seconds": 301})
    assert response.status_code == 200
    pmo.clock.advance(timedelta(seconds=301))
    assert await pmo.service.time_types(UNIT)
    log = [(e["method"], e["path"], e["status"]) for e in await pmo.requests()]
    kinds = f"/api/v1/facilities/{UNIT}/booking-types"
    # Four booking types in pages of two: the refused first page, a token, both pages.
    assert log == [
        ("GET", kinds, 401),
        ("POST", "/oauth/token", 200),
        ("GET", kinds, 200),
        ("GET", kinds, 200),
    ]
    # The new token serves the following calls without another fetch.
    await pmo.clear_requests()
    await pmo.service.book(pmo.citizen, UNIT, "s-tue-1", accept_terms=True)
    assert await pmo.requests("POST", "/oauth/token") == []
    assert {e["status"] for e in await pmo.requests()} <= {200, 201}


async def test_token_expiry_during_a_write(pmo: Pmo) -> None:
    await pmo.service.time_types(UNIT)
    await pmo.admin.post("/clock", json={"advance_seconds": 600})
    assert NOW + timedelta(seconds=600) < datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
    result = await pmo.service.book(pmo.citizen, UNIT, "s-tue-1", accept_terms=True)
    assert [e["booking_id"] for e in await pmo.booked() if e["slot_id"] == "s-tue-1"] == [
        result.booking.id
    ]
