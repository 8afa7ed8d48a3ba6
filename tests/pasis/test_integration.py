"""Every operation through BookingService against the in-process PASiS mock over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tidbok.errors import (
    InvitationAlreadyUsed,
    NotAvailableVia1177,
    NotFound,
    OutsideBookingWindow,
    SlotTaken,
)
from tidbok.models import BookedBy, OutcomeKind

from .conftest import NOW, TOLVAN, UNIT, Live, at


async def test_units_and_time_types(live: Live) -> None:
    adapter = live.service.adapters["pasis-test"]
    units = {unit.hsa_id: unit.name for unit in await adapter.list_units()}
    assert units[UNIT] == "Vårdcentralen Test"
    visible = {t.id for t in await live.service.time_types(UNIT)}
    assert visible == {"TT4", "TT3", "TT2"}  # level 1 is never shown
    overview = {t.id: t.access for t in await live.service.all_time_types(UNIT)}
    assert overview["TT1"].visible is False
    assert overview["TT4"].bookable


async def test_search_offers_only_level_4_from_tomorrow(live: Live) -> None:
    await live.post(
        "/slots",
        {"id": "S-TODAY", "unit": UNIT, "time_type": "TT4", "start": at(23, 15).isoformat()},
    )
    slots = await live.service.available_slots(live.citizen, UNIT, NOW, NOW + timedelta(days=7))
    assert [slot.id for slot in slots] == ["S-TUE", "S-WED", "S-THU"]
    dates = await live.service.available_dates(UNIT, NOW, NOW + timedelta(days=7))
    assert [d.day for d in dates] == [24, 25, 26]


async def test_paging_over_more_than_one_page(live: Live) -> None:
    for index in range(120):
        start = at(30, 8) + timedelta(minutes=5 * index)
        await live.post(
            "/slots",
            {
                "id": f"P{index:03}",
                "unit": UNIT,
                "time_type": "TT4",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=5)).isoformat(),
            },
        )
    await live.admin.delete("/requests")
    slots = await live.service.available_slots(live.citizen, UNIT, at(30, 0), at(30, 23))
    assert [slot.id for slot in slots] == [f"P{index:03}" for index in range(120)]
    offsets = [r["query"] for r in await live.requests() if r["path"].endswith("lediga-tider")]
    assert len(offsets) == 1  # one page: the adapter asks for PASiS's maximum, 500
    assert "limit=500" in offsets[0]


async def test_book_view_rebook_cancel(live: Live) -> None:
    result = await live.service.book(live.citizen, UNIT, "S-TUE", accept_terms=True, reason="Prov")
    booking = result.booking
    assert (booking.start, booking.booked_by, booking.reason) == (
        at(24, 10),
        BookedBy.CITIZEN,
        "Prov",
    )
    assert booking.purpose == "Kom fastande."
    assert booking.permissions.cancel_booking_allowed
    # The unit's instructions for the visit come back as INFO, for 1177 to show.
    assert (result.outcome.kind, result.outcome.text) == (OutcomeKind.INFO, "Kom fastande.")

    schedule = await live.service.unit_bookings(live.citizen, UNIT)
    ids = [b.id for b in schedule]
    assert booking.id in ids
    assert "B-STAFF" in ids  # R12: staff-made bookings are shown
    assert "B-HIDDEN" not in ids  # R7: hidden ones are not
    details = await live.service.booking(live.citizen, UNIT, booking.id)
    assert details.subject_of_care == TOLVAN

    moved = await live.service.rebook(live.citizen, UNIT, booking.id, "S-WED")
    assert (moved.booking.id, moved.booking.start) == (booking.id, at(25, 10))

    outcome = await live.service.cancel(live.citizen, UNIT, booking.id, message="Kan inte komma")
    assert outcome.kind is OutcomeKind.OK
    entries = (
        await live.admin.get("/appointment-book", params={"include_cancelled": "true"})
    ).json()
    cancelled = next(e for e in entries["entries"] if e["booking_id"] == booking.id)
    assert (cancelled["status"], cancelled["cancel_message"]) == ("cancelled", "Kan inte komma")
    assert booking.id not in [b.id for b in await live.service.unit_bookings(live.citizen, UNIT)]


async def test_rebook_search_offers_the_bookings_time_type(live: Live) -> None:
    booking = (await live.service.book(live.citizen, UNIT, "S-TUE", accept_terms=True)).booking
    slots = await live.service.available_slots(
        live.citizen, UNIT, NOW, NOW + timedelta(days=7), rebook=booking.id
    )
    assert [slot.id for slot in slots] == ["S-WED", "S-THU"]


async def test_backend_refusals_are_typed(live: Live) -> None:
    await live.service.book(live.other, UNIT, "S-TUE", accept_terms=True)
    with pytest.raises(SlotTaken):
        await live.service.book(live.citizen, UNIT, "S-TUE", accept_terms=True)
    with pytest.raises(NotAvailableVia1177):
        await live.service.book(live.citizen, UNIT, "S-L3", accept_terms=True)
    with pytest.raises(NotFound):
        await live.service.book(live.citizen, UNIT, "NO-SUCH-SLOT", accept_terms=True)
    adapter = live.service.adapters["pasis-test"]
    with pytest.raises(NotFound):  # another citizen's booking looks missing
        await adapter.cancel(UNIT, "B-STAFF", live.other.subject_of_care)
    with pytest.raises(NotAvailableVia1177):  # hidden
        await adapter.cancel(UNIT, "B-HIDDEN", TOLVAN)
    await live.post("/clock", {"now": at(26, 10).isoformat()})
    with pytest.raises(OutsideBookingWindow):  # less than 24 h before 27 Nov 09:00
        await adapter.cancel(UNIT, "B-STAFF", TOLVAN)


async def test_adapter_race_slot_taken_after_check(live: Live) -> None:
    adapter = live.service.adapters["pasis-test"]
    slot = await adapter.get_slot(UNIT, "S-WED")
    assert slot.access.bookable
    await live.service.book(live.other, UNIT, "S-WED", accept_terms=True)
    with pytest.raises(SlotTaken):
        await adapter.get_slot(UNIT, "S-WED")


async def test_invitations(live: Live) -> None:
    for slot_id, day in (("K-S1", 25), ("K-S2", 26)):
        await live.post(
            "/slots",
            {"id": slot_id, "unit": UNIT, "time_type": "TT2", "start": at(day, 15).isoformat()},
        )
    await live.post(
        "/invitations",
        {
            "id": "K1",
            "unit": UNIT,
            "person": TOLVAN.value,
            "slots": ["K-S1", "K-S2"],
            "purpose": "Årlig kontroll",
        },
    )
    listed = await live.service.invitations(live.citizen)
    (invitation,) = listed.invitations
    assert (invitation.id, invitation.title) == ("K1", "Årlig kontroll")
    assert [slot.id for slot in invitation.slots] == ["K-S1", "K-S2"]
    assert (await live.service.invitations(live.other)).invitations == ()

    result = await live.service.book_invitation(live.citizen, UNIT, "K1", "K-S2", accept_terms=True)
    assert result.booking.is_invitation
    assert result.booking.start == at(26, 15)
    with pytest.raises(InvitationAlreadyUsed):
        await live.service.book_invitation(live.citizen, UNIT, "K1", "K-S1", accept_terms=True)
    assert (await live.service.invitations(live.citizen)).invitations == ()
    with pytest.raises(NotFound):
        await live.service.book_invitation(live.other, UNIT, "K1", "K-S1", accept_terms=True)
    citizen_entries = [e for e in await live.book() if e["invitation_id"] == "K1"]
    assert len(citizen_entries) == 1


async def test_schedule_across_units(live: Live) -> None:
    schedule = await live.service.schedule(live.citizen)
    assert [b.id for b in schedule.bookings] == ["B-STAFF"]
    assert schedule.failed_units == ()
