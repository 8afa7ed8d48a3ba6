"""Unit tests with respx: every mapping and every error translation of the PASiS adapter."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from tidbok.backend_http import OutcomeUnknown
from tidbok.clock import STOCKHOLM
from tidbok.errors import (
    BackendProtocolError,
    BackendUnavailable,
    InvalidInput,
    InvitationAlreadyUsed,
    NotAvailableVia1177,
    NotFound,
    OutsideBookingWindow,
    SlotTaken,
    TidbokError,
)
from tidbok.models import Access1177, BookedBy, Booking, NewBooking, OutcomeKind, Slot
from tidbok.settings import BackendSettings
from tidbok_pasis import mapping
from tidbok_pasis.adapter import PasisAdapter
from tidbok_pasis.system import PasisSystem

from .conftest import OTHER, TOLVAN, UNIT, at, bokning, fel, sida, tid

BOOKINGS = f"/enheter/{UNIT}/bokningar"
SLOTS = f"/enheter/{UNIT}/lediga-tider"


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (1, Access1177()),
        (2, Access1177(visible=True)),
        (3, Access1177(visible=True, changeable=True)),
        (4, Access1177(visible=True, bookable=True, changeable=True)),
    ],
)
async def test_levels_become_1177_access(
    adapter: PasisAdapter, api: respx.MockRouter, level: int, expected: Access1177
) -> None:
    api.get(SLOTS).respond(json=sida([tid(level=level)]))
    (slot,) = await adapter.available_slots(UNIT, at(24, 0), at(25, 0))
    assert slot.access == expected
    assert mapping.level_of(expected) == level


def test_level_for_an_access_never_grants_more_than_asked_except_pasis_rule() -> None:
    assert mapping.level_of(Access1177(visible=True, bookable=True)) == 4  # bookable => changeable


async def test_units_and_time_types(adapter: PasisAdapter, api: respx.MockRouter) -> None:
    api.get("/enheter").respond(json=sida([{"hsaId": UNIT.lower(), "namn": "VC", "adress": ""}]))
    api.get(f"/enheter/{UNIT}/tidstyper").respond(
        json=sida(
            [
                {"tidstypId": "TT4", "namn": "Provtagning", "standardniva1177": 4, "extra": 1},
                {"tidstypId": "TT1", "namn": "Akuttid", "standardniva1177": 1},
            ]
        )
    )
    (unit,) = await adapter.list_units()
    assert (unit.hsa_id, unit.name) == (UNIT, "VC")
    types = {t.id: t for t in await adapter.list_time_types(UNIT)}
    assert types["TT4"].access.bookable
    assert types["TT1"].access == Access1177()
    assert api.calls.last.request.headers["X-Api-Key"] == "test-key"


async def test_slot_times_are_stockholm_and_the_search_asks_by_dates(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    route = api.get(SLOTS).respond(
        json=sida([tid("T1", start="2026-11-24T10:00:00"), tid("T2", start="2026-11-26T10:00:00")])
    )
    slots = await adapter.available_slots(UNIT, at(24, 0), at(26, 0), time_type="TT4")
    assert [s.id for s in slots] == ["T1"]  # T2 is outside [start, end)
    slot = slots[0]
    assert slot.start == datetime(2026, 11, 24, 10, 0, tzinfo=STOCKHOLM)
    assert slot.start.utcoffset() == at(24, 0).utcoffset()
    assert (slot.performer, slot.resource, slot.time_type_name) == (
        "Dr Anna Berg",
        "Rum 4",
        "Provtagning",
    )
    params = route.calls.last.request.url.params
    assert (params["fran"], params["till"], params["tidstyp"]) == (
        "2026-11-24",
        "2026-11-25",
        "TT4",
    )


async def test_long_searches_are_split_into_92_day_windows(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    route = api.get(SLOTS).respond(json=sida([]))
    await adapter.available_slots(UNIT, at(24, 0), datetime(2027, 4, 1, tzinfo=STOCKHOLM))
    windows = [(c.request.url.params["fran"], c.request.url.params["till"]) for c in route.calls]
    assert windows == [("2026-11-24", "2027-02-23"), ("2027-02-24", "2027-03-31")]


async def test_paging_fetches_every_page(adapter: PasisAdapter, api: respx.MockRouter) -> None:
    pages = [
        sida([tid(f"T{i}") for i in range(50)], totalt=120, offset=0),
        sida([tid(f"T{i}") for i in range(50, 100)], totalt=120, offset=50),
        sida([tid(f"T{i}") for i in range(100, 120)], totalt=120, offset=100),
    ]
    route = api.get(SLOTS).mock(side_effect=[httpx.Response(200, json=page) for page in pages])
    slots = await adapter.available_slots(UNIT, at(24, 0), at(25, 0))
    assert [s.id for s in slots] == [f"T{i}" for i in range(120)]
    offsets = [c.request.url.params["offset"] for c in route.calls]
    assert offsets == ["0", "50", "100"]
    assert {c.request.url.params["limit"] for c in route.calls} == {"50"}


async def test_paging_that_stops_early_is_a_protocol_error(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    api.get(SLOTS).respond(json=sida([], totalt=10, offset=0))
    with pytest.raises(BackendProtocolError, match="empty page"):
        await adapter.available_slots(UNIT, at(24, 0), at(25, 0))


async def test_booking_fields(adapter: PasisAdapter, api: respx.MockRouter) -> None:
    api.get(BOOKINGS).respond(
        json=sida(
            [
                bokning("B1"),
                bokning("B2", bokadAv="personal", dold=True, niva1177=2, orsak="", syfte=None),
                bokning("B3", kallelseId="K1", niva1177=1),
            ]
        )
    )
    b1, b2, b3 = await adapter.bookings_for(UNIT, TOLVAN)
    request = api.calls.last.request
    assert request.url.params["personnummer"] == "19121212-1212"
    assert b1.subject_of_care == TOLVAN
    assert (b1.booked_by, b1.hidden, b1.is_invitation) == (BookedBy.CITIZEN, False, False)
    assert (b1.purpose, b1.reason) == ("Kom fastande.", "Provtagning")
    assert b1.start == at(25, 10)
    assert b1.end == at(25, 10, 30)
    assert b1.access.changeable
    assert (b2.booked_by, b2.hidden, b2.purpose, b2.reason) == (BookedBy.STAFF, True, None, None)
    assert b2.access == Access1177(visible=True)
    assert b3.is_invitation
    assert b3.access == Access1177()  # level 1: never shown


async def test_booking_details_only_for_the_citizen(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    api.get("/bokningar/B1").respond(json=bokning("B1"))
    api.get("/bokningar/B2").respond(json=bokning("B2", status="AVBOKAD"))
    api.get("/bokningar/B3").respond(json=bokning("B3", hsaId="SE2321000016-9002"))
    assert (await adapter.booking_details(UNIT, "B1", TOLVAN)).id == "B1"
    for booking_id, citizen in (("B1", OTHER), ("B2", TOLVAN), ("B3", TOLVAN)):
        with pytest.raises(NotFound):
            await adapter.booking_details(UNIT, booking_id, citizen)


async def test_ids_are_quoted_as_one_path_segment(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    route = api.get(path__regex=r"/lediga-tider/.*").respond(
        status_code=404, json={"felkod": "HITTAS_EJ"}
    )
    with pytest.raises(NotFound):
        await adapter.get_slot(UNIT, "../bokningar/B1")
    assert route.calls.last.request.url.raw_path.endswith(b"/lediga-tider/..%2Fbokningar%2FB1")


async def test_get_slot(adapter: PasisAdapter, api: respx.MockRouter) -> None:
    api.get("/lediga-tider/T1").respond(json=tid("T1", level=3))
    api.get("/lediga-tider/T2").respond(json=tid("T2", hsaId="SE2321000016-9002"))
    api.get("/lediga-tider/T3").mock(return_value=fel("TIDEN_UPPTAGEN", 409))
    slot = await adapter.get_slot(UNIT, "T1")
    assert slot.access == Access1177(visible=True, changeable=True)
    with pytest.raises(NotFound):
        await adapter.get_slot(UNIT, "T2")  # another unit's slot
    with pytest.raises(SlotTaken):
        await adapter.get_slot(UNIT, "T3")


async def test_book_sends_dashed_personnummer_and_maps_the_answer(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    route = api.post(BOOKINGS).respond(201, json=bokning("B9"))
    result = await adapter.book(
        UNIT, NewBooking(slot_id="T1", subject_of_care=TOLVAN, reason="Ont")
    )
    assert json.loads(route.calls.last.request.content) == {
        "tidId": "T1",
        "personnummer": "19121212-1212",
        "orsak": "Ont",
    }
    assert result.booking.id == "B9"
    assert result.outcome.kind is OutcomeKind.OK


async def test_rebook_and_cancel_bodies(adapter: PasisAdapter, api: respx.MockRouter) -> None:
    omboka = api.post("/bokningar/B1/omboka").respond(json=bokning("B1", tidId="T2"))
    avboka = api.post("/bokningar/B1/avboka").respond(json=bokning("B1", status="AVBOKAD"))
    assert (await adapter.rebook(UNIT, "B1", "T2", TOLVAN)).booking.id == "B1"
    assert json.loads(omboka.calls.last.request.content) == {
        "nyTidId": "T2",
        "personnummer": "19121212-1212",
    }
    outcome = await adapter.cancel(UNIT, "B1", TOLVAN, "Kan inte komma")
    assert outcome.kind is OutcomeKind.OK
    assert json.loads(avboka.calls.last.request.content) == {
        "personnummer": "19121212-1212",
        "meddelande": "Kan inte komma",
    }


async def test_cancel_answer_still_active_is_a_protocol_error_then_read_back(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    api.post("/bokningar/B1/avboka").respond(json=bokning("B1"))
    api.get("/bokningar/B1").respond(json=bokning("B1"))
    with pytest.raises(OutcomeUnknown):
        await adapter.cancel(UNIT, "B1", TOLVAN)


@pytest.mark.parametrize(
    ("felkod", "status", "expected"),
    [
        ("TIDEN_UPPTAGEN", 409, SlotTaken),
        ("UTANFOR_BOKNINGSFONSTER", 422, OutsideBookingWindow),
        ("EJ_BOKNINGSBAR_VIA_1177", 422, NotAvailableVia1177),
        ("EJ_AVBOKNINGSBAR_VIA_1177", 422, NotAvailableVia1177),
        ("HITTAS_EJ", 404, NotFound),
        ("KALLELSE_REDAN_BOKAD", 409, InvitationAlreadyUsed),
        ("BOKNINGEN_AVBOKAD", 409, NotFound),
        ("EJ_BEHORIG", 403, NotFound),
        ("EJ_BEHORIG", 401, BackendUnavailable),
        ("OGILTIG_BEGARAN", 400, BackendProtocolError),
        ("METOD_EJ_TILLATEN", 405, BackendProtocolError),
        ("NAGOT_NYTT", 418, BackendProtocolError),
        ("FOR_MANGA_ANROP", 429, BackendUnavailable),
        ("TEKNISKT_FEL", 500, OutcomeUnknown),  # read back: nothing booked
        ("TJANSTEN_EJ_TILLGANGLIG", 503, BackendUnavailable),
    ],
)
async def test_book_error_translation(
    adapter: PasisAdapter,
    api: respx.MockRouter,
    felkod: str,
    status: int,
    expected: type[TidbokError],
) -> None:
    api.post(BOOKINGS).mock(return_value=fel(felkod, status))
    api.get(BOOKINGS).respond(json=sida([]))
    with pytest.raises(expected) as raised:
        await adapter.book(UNIT, NewBooking(slot_id="T1", subject_of_care=TOLVAN))
    assert type(raised.value) is expected
    assert "19121212" not in str(raised.value)


async def test_citizen_choice_errors_on_rebook_and_invitation(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    api.post("/bokningar/B1/omboka").mock(return_value=fel("OGILTIG_BEGARAN", 400))
    api.post("/kallelser/K1/bokning").mock(return_value=fel("OGILTIG_BEGARAN", 400))
    with pytest.raises(InvalidInput):
        await adapter.rebook(UNIT, "B1", "T9", TOLVAN)
    with pytest.raises(InvalidInput):
        await adapter.book_invitation(UNIT, "K1", "T9", TOLVAN)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404, text="<html>not found</html>"),
        httpx.Response(404, json={"fel": "annat format"}),
    ],
)
async def test_error_bodies_not_in_pasis_format_fall_back_on_status(
    adapter: PasisAdapter, api: respx.MockRouter, response: httpx.Response
) -> None:
    api.get("/bokningar/B1").mock(return_value=response)
    with pytest.raises(NotFound):
        await adapter.booking_details(UNIT, "B1", TOLVAN)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text='{"totalt": 1, "poster": [{"tidId": "T1", "start": "2026-'),
        httpx.Response(200, json={"totalt": 1, "offset": 0, "limit": 50}),  # no poster
        httpx.Response(200, json=sida([{**tid(), "niva1177": 7}])),  # unknown level
        httpx.Response(200, json=sida([{**tid(), "start": "not a time"}])),
        httpx.Response(200, json=sida([{k: v for k, v in tid().items() if k != "slut"}])),
        httpx.Response(200, json=sida([tid(slut="2026-11-24T09:00:00")])),  # ends before start
        httpx.Response(200, json=sida([tid(hsaId="not-an-hsa-id")])),
        httpx.Response(200, json=[1, 2, 3]),
        httpx.Response(204),
        httpx.Response(302, headers={"Location": "/login"}),
    ],
)
async def test_malformed_and_unexpected_answers_are_protocol_errors(
    adapter: PasisAdapter, api: respx.MockRouter, response: httpx.Response
) -> None:
    api.get(SLOTS).mock(return_value=response)
    with pytest.raises(BackendProtocolError):
        await adapter.available_slots(UNIT, at(24, 0), at(25, 0))


async def test_booking_with_a_bad_personnummer_is_a_protocol_error(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    api.get(BOOKINGS).respond(json=sida([bokning(personnummer="19121212-1213")]))
    with pytest.raises(BackendProtocolError) as raised:
        await adapter.bookings_for(UNIT, TOLVAN)
    assert "1213" not in str(raised.value)


async def test_invitations_open_and_used(adapter: PasisAdapter, api: respx.MockRouter) -> None:
    api.get(f"/enheter/{UNIT}/kallelser").respond(
        json=sida(
            [
                {
                    "kallelseId": "K1",
                    "hsaId": UNIT,
                    "personnummer": "19121212-1212",
                    "syfte": "Årlig kontroll",
                    "status": "OPPEN",
                    "bokningsId": None,
                    "skapad": "2026-11-20T09:00:00",
                    "tider": [
                        {**tid("T1", level=2), "ledig": True},
                        {**tid("T2", level=2), "ledig": False},
                    ],
                }
            ]
        )
    )
    api.get(BOOKINGS).respond(json=sida([bokning("B7", kallelseId="K0"), bokning("B8")]))
    open_one, used = await adapter.invitations_for(UNIT, TOLVAN)
    assert (open_one.id, open_one.title, open_one.used) == ("K1", "Årlig kontroll", False)
    assert [s.id for s in open_one.slots] == ["T1"]
    assert open_one.subject_of_care == TOLVAN
    assert (used.id, used.used, used.slots) == ("K0", True, ())


async def test_book_invitation(adapter: PasisAdapter, api: respx.MockRouter) -> None:
    route = api.post("/kallelser/K1/bokning").respond(201, json=bokning("B5", kallelseId="K1"))
    result = await adapter.book_invitation(UNIT, "K1", "T1", TOLVAN)
    assert result.booking.is_invitation
    assert json.loads(route.calls.last.request.content) == {
        "tidId": "T1",
        "personnummer": "19121212-1212",
    }
    api.post("/kallelser/K2/bokning").mock(return_value=fel("KALLELSE_REDAN_BOKAD", 409))
    with pytest.raises(InvitationAlreadyUsed):
        await adapter.book_invitation(UNIT, "K2", "T1", TOLVAN)


async def test_rebook_mode_searches_the_bookings_time_type(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    api.get("/bokningar/B1").respond(json=bokning("B1", tidstypId="TT3"))
    route = api.get(SLOTS).respond(json=sida([]))
    await adapter.available_slots(UNIT, at(24, 0), at(25, 0), rebook_booking_id="B1")
    assert route.calls.last.request.url.params["tidstyp"] == "TT3"
    assert await adapter.available_slots(UNIT, at(24, 0), at(25, 0), "TT4", "B1") == []


async def test_lost_book_answer_is_read_back(adapter: PasisAdapter, api: respx.MockRouter) -> None:
    api.post(BOOKINGS).mock(side_effect=httpx.ReadError("connection reset"))
    api.get(BOOKINGS).respond(json=sida([bokning("B1", tidId="T1")]))
    result = await adapter.book(UNIT, NewBooking(slot_id="T1", subject_of_care=TOLVAN))
    assert result.booking.id == "B1"
    assert len([c for c in api.calls if c.request.method == "POST"]) == 1  # never re-sent


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_5xx_after_the_booking_was_made_is_read_back(
    adapter: PasisAdapter, api: respx.MockRouter, status: int
) -> None:
    """PASiS committed, then failed: the citizen gets the booking, not "try again later"."""
    api.post(BOOKINGS).mock(return_value=fel("TEKNISKT_FEL", status))
    api.get(BOOKINGS).respond(json=sida([bokning("B1", tidId="T1")]))
    result = await adapter.book(UNIT, NewBooking(slot_id="T1", subject_of_care=TOLVAN))
    assert result.booking.id == "B1"
    assert len([c for c in api.calls if c.request.method == "POST"]) == 1  # never re-sent


async def test_lost_book_answer_with_nothing_booked_is_outcome_unknown(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    api.post(BOOKINGS).mock(side_effect=httpx.ReadTimeout("slow"))
    api.get(BOOKINGS).respond(json=sida([bokning("B1", tidId="OTHER-SLOT")]))
    with pytest.raises(OutcomeUnknown):
        await adapter.book(UNIT, NewBooking(slot_id="T1", subject_of_care=TOLVAN))
    assert len([c for c in api.calls if c.request.method == "POST"]) == 1


async def test_lost_rebook_and_cancel_answers_are_read_back(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    api.post("/bokningar/B1/omboka").mock(side_effect=httpx.RemoteProtocolError("dropped"))
    api.get(BOOKINGS).respond(json=sida([bokning("B1", tidId="T2", bokadAv="personal")]))
    assert (await adapter.rebook(UNIT, "B1", "T2", TOLVAN)).booking.id == "B1"
    api.post("/bokningar/B1/avboka").mock(side_effect=httpx.ReadError("reset"))
    api.get("/bokningar/B1").respond(json=bokning("B1", status="AVBOKAD"))
    assert (await adapter.cancel(UNIT, "B1", TOLVAN)).kind is OutcomeKind.OK


async def test_missing_api_key_is_a_clear_configuration_error() -> None:
    from tidbok.adapter import AdapterContext

    with pytest.raises(KeyError, match=r"credentials\.api_key"):
        PasisSystem().connect(
            BackendSettings(system="pasis", base_url="http://x"), AdapterContext()
        )


async def test_a_slot_crossing_back_in_the_repeated_hour_is_read_as_its_instants(
    adapter: PasisAdapter, api: respx.MockRouter
) -> None:
    """PASiS writes times without offset. On 2026-10-25 a 30-minute slot from 00:45Z to 01:15Z
    reads "02:45" to "02:15": the end is the second 02:15 (winter time), not a slot that ends
    before it starts (which was a protocol error, 502, for every such slot and booking)."""
    crossing: dict[str, Any] = {"start": "2026-10-25T02:45:00", "slut": "2026-10-25T02:15:00"}
    api.get(SLOTS).respond(json=sida([tid("T1", 4, **crossing)]))
    api.get("/lediga-tider/T1").respond(json=tid("T1", 4, **crossing))
    api.get(BOOKINGS).respond(json=sida([bokning("B1", **crossing)]))
    day = datetime(2026, 10, 25, tzinfo=STOCKHOLM)
    found = await adapter.available_slots(UNIT, day, datetime(2026, 10, 26, tzinfo=STOCKHOLM))
    single = await adapter.get_slot(UNIT, "T1")
    (booking,) = await adapter.bookings_for(UNIT, TOLVAN)
    items: list[Slot | Booking] = [*found, single, booking]
    for item in items:
        assert item.start.astimezone(UTC) == datetime(2026, 10, 25, 0, 45, tzinfo=UTC)
        assert item.end.astimezone(UTC) == datetime(2026, 10, 25, 1, 15, tzinfo=UTC)
    assert [slot.id for slot in found] == ["T1"]
