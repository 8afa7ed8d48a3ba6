"""The PMO adapter against respx: every mapping and every error translation, both ways."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import respx

from tidbok.adapter import AdapterContext
from tidbok.backend_http import OutcomeUnknown
from tidbok.clock import STOCKHOLM, FakeTimer
from tidbok.errors import (
    BackendProtocolError,
    BackendUnavailable,
    InvalidInput,
    NotAvailableVia1177,
    NotFound,
    OutsideBookingWindow,
    SlotTaken,
    TidbokError,
)
from tidbok.models import Access1177, BookedBy, NewBooking
from tidbok.settings import BackendSettings, ResilienceSettings
from tidbok_pmo import mapping
from tidbok_pmo.adapter import PmoAdapter
from tidbok_pmo.auth import token_url

from .conftest import (
    OTHER,
    OTHER_UNIT,
    TOLVAN,
    UNIT,
    appointment,
    booking_type,
    page,
    problem,
    slot,
)

ROOT = "https://pmo.test"
API = f"{ROOT}/api/v1"
TOKEN = f"{ROOT}/oauth/token"
KINDS = f"{API}/facilities/{UNIT}/booking-types"
SLOTS = f"{API}/facilities/{UNIT}/slots"
APPOINTMENTS = f"{API}/appointments"
START = datetime(2026, 11, 24, 0, 0, tzinfo=STOCKHOLM)
END = datetime(2026, 11, 25, 0, 0, tzinfo=STOCKHOLM)

QUICK = ResilienceSettings(
    attempt_timeout=0.5, deadline=1.0, read_retries=2, backoff_initial=0, backoff_max=0
)


@pytest.fixture
async def adapter() -> AsyncIterator[PmoAdapter]:
    backend = BackendSettings(
        system="pmo",
        base_url=ROOT,
        credentials={"client_id": "tidbok", "client_secret": "pmo-dev-secret"},
    )
    made = PmoAdapter(backend, AdapterContext(resilience=QUICK, timer=FakeTimer()), page_size=2)
    made.readback_pause = 0
    yield made
    await made.aclose()


@pytest.fixture(autouse=True)
def wire() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.post(TOKEN).mock(
            return_value=httpx.Response(
                200, json={"access_token": "t", "token_type": "Bearer", "expires_in": 300}
            )
        )
        yield router


def kinds_answer(router: respx.MockRouter, *kinds: dict[str, Any]) -> respx.Route:
    return router.get(KINDS).mock(return_value=page(list(kinds) or [booking_type()]))


def paged(pages: list[list[dict[str, Any]]]) -> Any:
    """A side effect answering page ``n`` for cursor ``c{n}``, the first without a cursor."""

    def answer(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        index = 0 if cursor is None else int(cursor.removeprefix("c"))
        following = f"c{index + 1}" if index + 1 < len(pages) else None
        return page(pages[index], following)

    return answer


# -- units, time types and paging -----------------------------------------------------------


async def test_units_over_several_pages(adapter: PmoAdapter, wire: respx.MockRouter) -> None:
    facilities = [
        {"id": f"SE2321000016-500{n}", "name": f"Enhet {n}", "address": ""} for n in range(5)
    ]
    route = wire.get(f"{API}/facilities").mock(
        side_effect=paged([facilities[0:2], facilities[2:4], facilities[4:]])
    )
    units = await adapter.list_units()
    assert [unit.hsa_id for unit in units] == [f["id"] for f in facilities]
    assert units[0].name == "Enhet 0"
    assert route.call_count == 3
    assert [call.request.url.params.get("cursor") for call in route.calls] == [None, "c1", "c2"]
    assert {call.request.url.params["pageSize"] for call in route.calls} == {"2"}
    assert route.calls[0].request.headers["Authorization"] == "Bearer t"


async def test_facility_ids_are_normalized_hsa_ids(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    wire.get(f"{API}/facilities").mock(return_value=page([{"id": UNIT.lower(), "name": "Rinkeby"}]))
    assert [unit.hsa_id for unit in await adapter.list_units()] == [UNIT]


@pytest.mark.parametrize(
    ("visible", "bookable", "cancellable", "access"),
    [
        (True, True, True, Access1177(visible=True, bookable=True, changeable=True)),
        (True, False, True, Access1177(visible=True, changeable=True)),
        (True, True, False, Access1177(visible=True, bookable=True)),
        (True, False, False, Access1177(visible=True)),
        (False, True, True, Access1177()),
        (False, False, False, Access1177()),
    ],
)
async def test_booking_type_flags_become_access(
    adapter: PmoAdapter,
    wire: respx.MockRouter,
    visible: bool,
    bookable: bool,
    cancellable: bool,
    access: Access1177,
) -> None:
    kinds_answer(
        wire,
        booking_type(
            "bt-x", name="Provtagning", visible=visible, bookable=bookable, cancellable=cancellable
        ),
    )
    [time_type] = await adapter.list_time_types(UNIT)
    assert (time_type.id, time_type.name, time_type.access) == ("bt-x", "Provtagning", access)


def test_access_becomes_admin_flags_both_ways() -> None:
    for access in (
        Access1177(),
        Access1177(visible=True),
        Access1177(visible=True, changeable=True),
        Access1177(visible=True, bookable=True),
        Access1177(visible=True, bookable=True, changeable=True),
    ):
        flags = mapping.flags(access)
        kind = booking_type(
            visible=flags["visible"], bookable=flags["bookable"], cancellable=flags["cancellable"]
        )
        assert mapping.access(mapping.BookingType.model_validate(kind)) == access


# -- slots --------------------------------------------------------------------------------------


async def test_slots_utc_to_stockholm_with_names_and_query(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds_answer(wire, booking_type(), booking_type("bt-nobook", name="Läkarbesök", bookable=False))
    route = wire.get(SLOTS).mock(
        side_effect=paged(
            [
                [slot("s-1"), slot("s-2", "2026-11-24T10:00:00Z", "2026-11-24T10:30:00Z")],
                [slot("s-3", "2026-11-24T11:00:00Z", "2026-11-24T11:15:00Z", kind="bt-nobook")],
            ]
        )
    )
    slots = await adapter.available_slots(UNIT, START, END)
    assert [s.id for s in slots] == ["s-1", "s-2", "s-3"]
    first = slots[0]
    assert first.start == datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
    assert first.end == datetime(2026, 11, 24, 10, 15, tzinfo=STOCKHOLM)
    assert first.start.utcoffset() == STOCKHOLM.utcoffset(first.start)
    assert (first.unit, first.time_type_id, first.time_type_name) == (
        UNIT,
        "bt-open",
        "Provtagning",
    )
    assert (first.performer, first.resource) == ("Dr Anna Berg", "Rum 4")
    assert first.access.bookable
    assert slots[2].time_type_name == "Läkarbesök"
    assert not slots[2].access.bookable
    params = route.calls[0].request.url.params
    assert params["start"] == "2026-11-23T23:00:00Z"
    assert params["end"] == "2026-11-24T23:00:00Z"
    assert "bookingTypeId" not in params


async def test_slots_summer_time_and_filters(adapter: PmoAdapter, wire: respx.MockRouter) -> None:
    kinds_answer(wire)
    start = datetime(2026, 6, 1, tzinfo=STOCKHOLM)
    end = datetime(2026, 6, 2, tzinfo=STOCKHOLM)
    route = wire.get(SLOTS).mock(
        return_value=page(
            [
                slot("s-in", "2026-06-01T08:00:00Z", "2026-06-01T08:15:00Z"),
                slot("s-before", "2026-05-31T21:00:00Z", "2026-05-31T21:15:00Z"),
                slot("s-busy", "2026-06-01T09:00:00Z", "2026-06-01T09:15:00Z", status="busy"),
            ]
        )
    )
    slots = await adapter.available_slots(UNIT, start, end, time_type="bt-open")
    assert [s.id for s in slots] == ["s-in"]
    assert slots[0].start == datetime(2026, 6, 1, 10, 0, tzinfo=STOCKHOLM)
    params = route.calls[0].request.url.params
    assert (params["start"], params["bookingTypeId"]) == ("2026-05-31T22:00:00Z", "bt-open")


async def test_slots_in_the_repeated_autumn_hour_are_kept_by_instant(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    # 2026-10-25: 02:00-03:00 Stockholm happens twice. The search starts at 02:45 summer time
    # (00:45Z); a slot at 02:30 winter time (01:30Z) starts after it, 02:30 summer (00:30Z) before.
    kinds_answer(wire)
    wire.get(SLOTS).mock(
        return_value=page(
            [
                slot("s-summer", "2026-10-25T00:30:00Z", "2026-10-25T00:45:00Z"),
                slot("s-winter", "2026-10-25T01:30:00Z", "2026-10-25T01:45:00Z"),
            ]
        )
    )
    start = datetime(2026, 10, 25, 2, 45, tzinfo=STOCKHOLM)  # fold=0: summer time, 00:45Z
    slots = await adapter.available_slots(UNIT, start, datetime(2026, 10, 26, tzinfo=STOCKHOLM))
    assert [s.id for s in slots] == ["s-winter"]


async def test_rebook_search_keeps_to_the_booking_type(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds_answer(wire)
    wire.get(f"{APPOINTMENTS}/a-1").mock(return_value=httpx.Response(200, json=appointment()))
    route = wire.get(SLOTS).mock(return_value=page([slot("s-2")]))
    assert [s.id for s in await adapter.available_slots(UNIT, START, END, None, "a-1")] == ["s-2"]
    assert route.calls[0].request.url.params["bookingTypeId"] == "bt-open"
    assert await adapter.available_slots(UNIT, START, END, "bt-other", "a-1") == []
    wire.get(f"{APPOINTMENTS}/a-2").mock(
        return_value=httpx.Response(200, json=appointment("a-2", facility=OTHER_UNIT))
    )
    with pytest.raises(NotFound):
        await adapter.available_slots(UNIT, START, END, None, "a-2")


async def test_one_slot_free_taken_elsewhere_or_missing(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds_answer(wire)
    wire.get(f"{API}/slots/s-1").mock(return_value=httpx.Response(200, json=slot()))
    wire.get(f"{API}/slots/s-busy").mock(
        return_value=httpx.Response(200, json=slot("s-busy", status="busy"))
    )
    wire.get(f"{API}/slots/s-away").mock(
        return_value=httpx.Response(200, json=slot("s-away", facility=OTHER_UNIT))
    )
    wire.get(f"{API}/slots/nope").mock(return_value=problem(404, "not-found"))
    found = await adapter.get_slot(UNIT, "s-1")
    assert (found.id, found.access.bookable) == ("s-1", True)
    with pytest.raises(SlotTaken):
        await adapter.get_slot(UNIT, "s-busy")
    with pytest.raises(NotFound):
        await adapter.get_slot(UNIT, "s-away")
    with pytest.raises(NotFound):
        await adapter.get_slot(UNIT, "nope")


async def test_ids_stay_one_path_segment(adapter: PmoAdapter, wire: respx.MockRouter) -> None:
    route = wire.get(url__regex=r"/api/v1/slots/").mock(return_value=problem(404, "not-found"))
    with pytest.raises(NotFound):
        await adapter.get_slot(UNIT, "../facilities")
    assert route.calls[0].request.url.raw_path == b"/api/v1/slots/..%2Ffacilities"


# -- bookings -----------------------------------------------------------------------------------


async def test_appointments_become_bookings(adapter: PmoAdapter, wire: respx.MockRouter) -> None:
    kinds_answer(wire, booking_type(), booking_type("bt-nocancel", cancellable=False))
    route = wire.get(APPOINTMENTS).mock(
        side_effect=paged(
            [
                [appointment("a-1"), appointment("a-2", booked_by="staff", note="")],
                [
                    appointment("a-3", hidden=True),
                    appointment("a-4", kind="bt-nocancel"),
                ],
                [appointment("a-5", status="cancelled"), appointment("a-6", facility=OTHER_UNIT)],
            ]
        )
    )
    bookings = await adapter.bookings_for(UNIT, TOLVAN)
    assert [b.id for b in bookings] == ["a-1", "a-2", "a-3", "a-4"]
    mine, staff, hidden, fixed = bookings
    assert mine.subject_of_care == TOLVAN
    assert (mine.booked_by, mine.reason, mine.purpose) == (
        BookedBy.CITIZEN,
        "Hosta",
        "Kom fastande.",
    )
    assert mine.start == datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
    assert (mine.time_type_name, mine.performer, mine.resource) == (
        "Provtagning",
        "Dr Anna Berg",
        "Rum 4",
    )
    assert mine.access == Access1177(visible=True, bookable=True, changeable=True)
    assert not mine.hidden
    assert (staff.booked_by, staff.reason) == (BookedBy.STAFF, None)
    assert hidden.hidden
    assert not hidden.access.changeable
    assert not fixed.access.changeable
    params = route.calls[0].request.url.params
    assert (params["patientId"], params["facilityId"]) == ("191212121212", UNIT)


async def test_no_appointments_need_no_booking_types(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds = kinds_answer(wire)
    wire.get(APPOINTMENTS).mock(return_value=page([]))
    assert await adapter.bookings_for(UNIT, TOLVAN) == []
    assert not kinds.called


@pytest.mark.parametrize(
    "record",
    [
        appointment(patient=OTHER.value),
        appointment(facility=OTHER_UNIT),
        appointment(status="cancelled"),
    ],
)
async def test_booking_details_only_the_citizens_booked_one(
    adapter: PmoAdapter, wire: respx.MockRouter, record: dict[str, Any]
) -> None:
    kinds_answer(wire)
    wire.get(f"{APPOINTMENTS}/a-1").mock(return_value=httpx.Response(200, json=record))
    with pytest.raises(NotFound):
        await adapter.booking_details(UNIT, "a-1", TOLVAN)


async def test_booking_details(adapter: PmoAdapter, wire: respx.MockRouter) -> None:
    kinds_answer(wire)
    wire.get(f"{APPOINTMENTS}/a-1").mock(return_value=httpx.Response(200, json=appointment()))
    booking = await adapter.booking_details(UNIT, "a-1", TOLVAN)
    assert (booking.id, booking.unit, booking.booked_by) == ("a-1", UNIT, BookedBy.CITIZEN)


# -- writes -------------------------------------------------------------------------------------


async def test_book_sends_patient_id_note_and_a_key(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds_answer(wire)
    route = wire.post(APPOINTMENTS).mock(
        return_value=httpx.Response(201, json=appointment(), headers={"Location": "/x"})
    )
    result = await adapter.book(
        UNIT, NewBooking(slot_id="s-1", subject_of_care=TOLVAN, reason="Hosta")
    )
    assert result.booking.id == "a-1"
    assert result.booking.booked_by is BookedBy.CITIZEN
    request = route.calls[0].request
    assert json.loads(request.content) == {
        "slotId": "s-1",
        "patientId": "191212121212",
        "note": "Hosta",
    }
    uuid.UUID(request.headers["Idempotency-Key"])


async def test_book_without_reason_sends_no_note(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds_answer(wire)
    route = wire.post(APPOINTMENTS).mock(
        return_value=httpx.Response(201, json=appointment(note=""))
    )
    result = await adapter.book(UNIT, NewBooking(slot_id="s-1", subject_of_care=TOLVAN))
    assert json.loads(route.calls[0].request.content) == {
        "slotId": "s-1",
        "patientId": "191212121212",
    }
    assert result.booking.reason is None


async def test_retries_of_a_write_reuse_one_key_and_each_write_has_its_own(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds_answer(wire)
    route = wire.post(APPOINTMENTS).mock(
        side_effect=[
            problem(503, "service-unavailable"),
            httpx.ReadError("reset"),
            httpx.Response(201, json=appointment()),
            httpx.Response(201, json=appointment("a-2", slot_id="s-2")),
        ]
    )
    await adapter.book(UNIT, NewBooking(slot_id="s-1", subject_of_care=TOLVAN))
    await adapter.book(UNIT, NewBooking(slot_id="s-2", subject_of_care=TOLVAN))
    keys = [call.request.headers["Idempotency-Key"] for call in route.calls]
    assert keys[0] == keys[1] == keys[2]
    assert keys[3] != keys[0]


async def test_in_progress_is_asked_again_with_the_same_key(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds_answer(wire)
    route = wire.post(APPOINTMENTS).mock(
        side_effect=[
            problem(409, "idempotency-key-in-progress"),
            problem(409, "idempotency-key-in-progress"),
            httpx.Response(201, json=appointment()),
        ]
    )
    result = await adapter.book(UNIT, NewBooking(slot_id="s-1", subject_of_care=TOLVAN))
    assert result.booking.id == "a-1"
    assert len({call.request.headers["Idempotency-Key"] for call in route.calls}) == 1


async def test_in_progress_until_the_deadline_reads_back(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds_answer(wire)
    wire.post(APPOINTMENTS).mock(return_value=problem(409, "idempotency-key-in-progress"))
    wire.get(APPOINTMENTS).mock(return_value=page([appointment()]))
    result = await adapter.book(UNIT, NewBooking(slot_id="s-1", subject_of_care=TOLVAN))
    assert result.booking.id == "a-1"


async def test_lost_answer_is_read_back(adapter: PmoAdapter, wire: respx.MockRouter) -> None:
    """Every attempt times out; the appointment exists: it is reported, not an error."""
    kinds_answer(wire)
    wire.post(APPOINTMENTS).mock(side_effect=httpx.ReadTimeout("slow"))
    wire.get(APPOINTMENTS).mock(
        return_value=page([appointment("a-0", slot_id="s-9"), appointment("a-1")])
    )
    result = await adapter.book(UNIT, NewBooking(slot_id="s-1", subject_of_care=TOLVAN))
    assert result.booking.id == "a-1"


async def test_lost_answer_and_nothing_found_is_outcome_unknown(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds_answer(wire)
    wire.post(APPOINTMENTS).mock(side_effect=httpx.ReadTimeout("slow"))
    wire.get(APPOINTMENTS).mock(
        return_value=page([appointment("a-1", booked_by="staff")])  # staff-made: not ours
    )
    with pytest.raises(OutcomeUnknown):
        await adapter.book(UNIT, NewBooking(slot_id="s-1", subject_of_care=TOLVAN))


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(201, text='{"id": "a-1", "start": "2026-'),
        httpx.Response(201, json={"id": "a-1"}),
        httpx.Response(200, json=appointment()),
    ],
    ids=["malformed", "missing-fields", "unexpected-2xx"],
)
async def test_a_write_answer_not_understood_is_read_back(
    adapter: PmoAdapter, wire: respx.MockRouter, answer: httpx.Response
) -> None:
    kinds_answer(wire)
    wire.post(APPOINTMENTS).mock(return_value=answer)
    readback = wire.get(APPOINTMENTS).mock(side_effect=[page([]), page([appointment()])])
    result = await adapter.book(UNIT, NewBooking(slot_id="s-1", subject_of_care=TOLVAN))
    assert result.booking.id == "a-1"
    assert readback.call_count == 2


async def test_reschedule(adapter: PmoAdapter, wire: respx.MockRouter) -> None:
    kinds_answer(wire)
    route = wire.post(f"{APPOINTMENTS}/a-1/reschedule").mock(
        return_value=httpx.Response(
            200,
            json=appointment(
                slot_id="s-2", start="2026-11-24T10:00:00Z", end="2026-11-24T10:15:00Z"
            ),
        )
    )
    result = await adapter.rebook(UNIT, "a-1", "s-2", TOLVAN)
    assert result.booking.start == datetime(2026, 11, 24, 11, 0, tzinfo=STOCKHOLM)
    assert json.loads(route.calls[0].request.content) == {"slotId": "s-2"}
    assert "Idempotency-Key" in route.calls[0].request.headers


async def test_reschedule_lost_answer_read_back(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    kinds_answer(wire)
    wire.post(f"{APPOINTMENTS}/a-1/reschedule").mock(side_effect=httpx.RemoteProtocolError("x"))
    wire.get(f"{APPOINTMENTS}/a-1").mock(
        side_effect=[
            httpx.Response(200, json=appointment()),  # not moved (yet)
            httpx.Response(200, json=appointment(slot_id="s-2")),
        ]
    )
    result = await adapter.rebook(UNIT, "a-1", "s-2", TOLVAN)
    assert result.booking.id == "a-1"


async def test_cancel_sends_the_message_as_reason(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    route = wire.post(f"{APPOINTMENTS}/a-1/cancel").mock(
        return_value=httpx.Response(200, json=appointment(status="cancelled"))
    )
    outcome = await adapter.cancel(UNIT, "a-1", TOLVAN, "Jag är frisk")
    assert outcome.kind == "OK"
    assert json.loads(route.calls[0].request.content) == {"reason": "Jag är frisk"}
    await adapter.cancel(UNIT, "a-1", TOLVAN)
    assert json.loads(route.calls[1].request.content) == {}


async def test_cancel_still_booked_is_read_back(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    wire.post(f"{APPOINTMENTS}/a-1/cancel").mock(
        return_value=httpx.Response(200, json=appointment(status="booked"))
    )
    wire.get(f"{APPOINTMENTS}/a-1").mock(return_value=httpx.Response(200, json=appointment()))
    with pytest.raises(OutcomeUnknown):
        await adapter.cancel(UNIT, "a-1", TOLVAN)


async def test_cancel_lost_answer_read_back(adapter: PmoAdapter, wire: respx.MockRouter) -> None:
    wire.post(f"{APPOINTMENTS}/a-1/cancel").mock(side_effect=httpx.ReadTimeout("slow"))
    wire.get(f"{APPOINTMENTS}/a-1").mock(
        return_value=httpx.Response(200, json=appointment(status="cancelled"))
    )
    assert (await adapter.cancel(UNIT, "a-1", TOLVAN)).kind == "OK"


# -- error translation --------------------------------------------------------------------------

WRITE_ERRORS = [
    ("book", 409, "slot-taken", SlotTaken),
    ("book", 422, "outside-booking-window", OutsideBookingWindow),
    ("book", 422, "not-bookable", NotAvailableVia1177),
    ("book", 404, "not-found", NotFound),
    ("book", 422, "idempotency-key-reused", BackendProtocolError),
    ("book", 400, "validation-error", BackendProtocolError),
    ("book", 418, "teapot", BackendProtocolError),
    ("rebook", 409, "slot-taken", SlotTaken),
    ("rebook", 422, "not-cancellable", NotAvailableVia1177),
    ("rebook", 409, "already-cancelled", NotFound),
    ("rebook", 422, "outside-booking-window", OutsideBookingWindow),
    ("rebook", 400, "validation-error", InvalidInput),
    ("cancel", 422, "not-cancellable", NotAvailableVia1177),
    ("cancel", 409, "already-cancelled", NotFound),
    ("cancel", 404, "not-found", NotFound),
    ("cancel", 422, "outside-booking-window", OutsideBookingWindow),
]


async def _write(adapter: PmoAdapter, operation: str) -> Any:
    if operation == "book":
        return await adapter.book(UNIT, NewBooking(slot_id="s-1", subject_of_care=TOLVAN))
    if operation == "rebook":
        return await adapter.rebook(UNIT, "a-1", "s-2", TOLVAN)
    return await adapter.cancel(UNIT, "a-1", TOLVAN)


@pytest.mark.parametrize(("operation", "status", "code", "error"), WRITE_ERRORS)
async def test_write_refusals_are_typed_without_read_back(
    adapter: PmoAdapter,
    wire: respx.MockRouter,
    operation: str,
    status: int,
    code: str,
    error: type[TidbokError],
) -> None:
    kinds_answer(wire)
    writes = wire.post(url__startswith=APPOINTMENTS).mock(return_value=problem(status, code))
    reads = wire.get(url__startswith=APPOINTMENTS).mock(return_value=page([]))
    with pytest.raises(error) as raised:
        await _write(adapter, operation)
    assert type(raised.value) is error
    assert writes.call_count == 1
    assert not reads.called


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (problem(404, "not-found"), NotFound),
        (httpx.Response(404, text="no such path"), NotFound),
        (problem(400, "validation-error"), BackendProtocolError),
        (problem(401, "unauthorized"), BackendUnavailable),
        (problem(409, "idempotency-key-in-progress"), BackendUnavailable),
        (problem(503, "service-unavailable"), BackendUnavailable),
        (problem(500, "internal-error"), BackendUnavailable),
        (httpx.Response(429, headers={"Retry-After": "0"}), BackendUnavailable),
        (httpx.Response(204), BackendProtocolError),
        (httpx.Response(302, headers={"Location": "/elsewhere"}), BackendProtocolError),
        (httpx.Response(200, text="<html>oops</html>"), BackendProtocolError),
        (httpx.Response(200, text='{"items": [{"id": "'), BackendProtocolError),
        (httpx.Response(200, json=[1, 2]), BackendProtocolError),
        (httpx.Response(200, json={"nextCursor": None}), BackendProtocolError),
        (page([{"id": "bt-1", "name": "x"}]), BackendProtocolError),
        (page([booking_type(facility="not-an-hsa-id")]), BackendProtocolError),
        (page([{**booking_type(), "bookable": "maybe"}]), BackendProtocolError),
    ],
)
async def test_read_answers_are_typed(
    adapter: PmoAdapter, wire: respx.MockRouter, answer: httpx.Response, error: type[TidbokError]
) -> None:
    wire.get(KINDS).mock(return_value=answer)
    with pytest.raises(error) as raised:
        await adapter.list_time_types(UNIT)
    assert type(raised.value) is error


@pytest.mark.parametrize(
    "record",
    [
        appointment(patient="191212121213"),  # wrong check digit
        appointment(patient="19121212-1212"),  # not PMO's 12 digits... but accepted as a number
        appointment(start="2026-11-24T09:00:00"),  # naive
        appointment(start="tomorrow"),
        appointment(end="2026-11-24T08:00:00Z"),  # ends before it starts
        appointment(kind="bt-unknown"),
        appointment(booked_by="robot"),
        appointment(status="pending"),
        {key: value for key, value in appointment().items() if key != "patientId"},
    ],
    ids=[
        "bad-check-digit",
        "dashed",
        "naive-time",
        "not-a-time",
        "end-before-start",
        "unknown-type",
        "unknown-booked-by",
        "unknown-status",
        "missing-patient",
    ],
)
async def test_unusable_appointments_are_protocol_errors(
    adapter: PmoAdapter, wire: respx.MockRouter, record: dict[str, Any], request: Any
) -> None:
    kinds_answer(wire)
    wire.get(APPOINTMENTS).mock(return_value=page([record]))
    if request.node.callspec.id == "dashed":
        # PMO sends 12 digits; a dashed number still names the same citizen, so it is read.
        assert (await adapter.bookings_for(UNIT, TOLVAN))[0].subject_of_care == TOLVAN
        return
    with pytest.raises(BackendProtocolError) as raised:
        await adapter.bookings_for(UNIT, TOLVAN)
    assert "1213" not in str(raised.value)


async def test_a_repeated_cursor_is_a_protocol_error(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    wire.get(f"{API}/facilities").mock(return_value=page([], "same"))
    with pytest.raises(BackendProtocolError):
        await adapter.list_units()


async def test_two_401s_mean_backend_unavailable(
    adapter: PmoAdapter, wire: respx.MockRouter
) -> None:
    route = wire.get(KINDS).mock(return_value=problem(401, "unauthorized"))
    with pytest.raises(BackendUnavailable):
        await adapter.list_time_types(UNIT)
    assert route.call_count == 2  # refreshed once, then given up


def test_problem_code_reading() -> None:
    assert mapping.problem_code(problem(409, "slot-taken")) == "slot-taken"
    assert mapping.problem_code(httpx.Response(409, text="not json")) is None
    assert mapping.problem_code(httpx.Response(409, json=["x"])) is None
    assert mapping.problem_code(httpx.Response(409, json={"code": 7})) is None
    assert mapping.problem_code(httpx.Response(409, json={"title": "x"})) is None


def test_token_url_from_settings_or_base_url() -> None:
    plain = BackendSettings(system="pmo", base_url="https://pmo.test/", credentials={})
    assert token_url(plain) == "https://pmo.test/oauth/token"
    explicit = BackendSettings(
        system="pmo", base_url=ROOT, credentials={"token_url": "https://sso.test/token"}
    )
    assert token_url(explicit) == "https://sso.test/token"


def test_missing_client_credentials_are_named() -> None:
    backend = BackendSettings(system="pmo", base_url=ROOT, credentials={"client_id": "x"})
    with pytest.raises(KeyError, match="client_secret"):
        PmoAdapter(backend, AdapterContext())


async def test_logs_never_carry_the_identity_number(
    adapter: PmoAdapter, wire: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tidbok")
    kinds_answer(wire)
    wire.get(APPOINTMENTS).mock(return_value=page([appointment()]))
    wire.post(APPOINTMENTS).mock(side_effect=httpx.ReadTimeout("slow"))
    await adapter.bookings_for(UNIT, TOLVAN)
    await adapter.book(UNIT, NewBooking(slot_id="s-1", subject_of_care=TOLVAN))
    tidbok_lines = [r.getMessage() for r in caplog.records if r.name.startswith("tidbok")]
    assert any("backend_call system=pmo" in line for line in tidbok_lines)
    assert not any("191212121212" in line or "1212-1212" in line for line in tidbok_lines)
