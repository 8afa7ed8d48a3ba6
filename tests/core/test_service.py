"""BookingService over in-memory scheduling systems: the 1177-side rules as a citizen meets them."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import pytest

from tidbok.clock import STOCKHOLM
from tidbok.errors import (
    BackendUnavailable,
    CaseTypeNotActive,
    InvalidInput,
    InvitationAlreadyUsed,
    NotAvailableVia1177,
    NotFound,
    OutsideBookingWindow,
    SlotTaken,
    TermsNotAccepted,
)
from tidbok.events import ActivityKind
from tidbok.models import BookedBy, CaseTypeKind
from tidbok.plugins import PluginRegistry
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings

from .conftest import NOW, PASIS_UNIT, PMO_UNIT, VIEW_UNIT, World
from .memory_system import BOOKABLE, NOT_SHOWN, SHOWN_ONLY, MemoryPlugin, MemorySystem

WEEK = timedelta(days=7)


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A Stockholm time ``days`` after NOW's date."""
    base = NOW.date() + timedelta(days=days)
    return datetime(base.year, base.month, base.day, hour, minute, tzinfo=STOCKHOLM)


# -- units and case types (R5) -------------------------------------------------------------


def test_units_carry_the_systems_names_unless_renamed(world: World) -> None:
    units = {unit.hsa_id: unit for unit in world.service.units()}
    assert set(units) == {PASIS_UNIT, PMO_UNIT, VIEW_UNIT}
    book = units[PASIS_UNIT].case_type(CaseTypeKind.BOOK)
    assert book is not None
    assert book.name == "Boka tid i minnet"
    assert book.terms == "Avboka senast 24 timmar innan."
    renamed = units[PMO_UNIT].case_type(CaseTypeKind.BOOK)
    assert renamed is not None
    assert renamed.name == "Boka provtagning"


async def test_unknown_and_malformed_units(world: World) -> None:
    with pytest.raises(NotFound):
        await world.service.time_types("SE2321000016-9999")
    with pytest.raises(InvalidInput):
        await world.service.time_types("not-an-hsa-id")


async def test_unit_ids_are_case_insensitive(world: World) -> None:
    world.pasis.add_time_type(PASIS_UNIT, "t1", "Provtagning", BOOKABLE)
    assert [t.name for t in await world.service.time_types(PASIS_UNIT.lower())] == ["Provtagning"]


async def test_booking_needs_the_book_case_type(world: World) -> None:
    slot = world.pmo.add_slot(VIEW_UNIT, at(2, 10))
    with pytest.raises(CaseTypeNotActive):
        await world.service.available_slots(world.citizen, VIEW_UNIT, at(0, 0), at(7, 0))
    with pytest.raises(CaseTypeNotActive):
        await world.service.book(world.citizen, VIEW_UNIT, slot.id, accept_terms=True)
    assert world.pmo.calls == []


# -- what is offered (R6, R8, R9, R13) -----------------------------------------------------


async def test_only_slots_bookable_via_1177_inside_the_window_are_offered(world: World) -> None:
    bookable_tomorrow = world.pasis.add_slot(PASIS_UNIT, at(1, 10))
    world.pasis.add_slot(PASIS_UNIT, at(0, 15))  # today: PASiS books from tomorrow
    world.pasis.add_slot(PASIS_UNIT, at(1, 11), access=SHOWN_ONLY)  # level 2/3: not bookable
    world.pasis.add_slot(PASIS_UNIT, at(1, 12), access=NOT_SHOWN)  # level 1: never shown
    offered = await world.service.available_slots(world.citizen, PASIS_UNIT, at(0, 0), at(7, 0))
    assert [slot.id for slot in offered] == [bookable_tomorrow.id]


async def test_pmo_offers_later_slots_today_but_not_started_ones(world: World) -> None:
    started = world.pmo.add_slot(PMO_UNIT, at(0, 8, 45))
    later_today = world.pmo.add_slot(PMO_UNIT, at(0, 15))
    offered = await world.service.available_slots(world.citizen, PMO_UNIT, at(0, 0), at(1, 0))
    assert [slot.id for slot in offered] == [later_today.id]
    with pytest.raises(OutsideBookingWindow):
        await world.service.book(world.citizen, PMO_UNIT, started.id, accept_terms=True)
    result = await world.service.book(world.citizen, PMO_UNIT, later_today.id, accept_terms=True)
    assert result.booking.start == at(0, 15)


async def test_search_filters_by_time_type_and_orders_by_start(world: World) -> None:
    vaccine = world.pmo.add_time_type(PMO_UNIT, "vac", "Vaccination", BOOKABLE)
    late = world.pmo.add_slot(PMO_UNIT, at(2, 14), time_type=vaccine)
    early = world.pmo.add_slot(PMO_UNIT, at(2, 9), time_type=vaccine)
    world.pmo.add_slot(PMO_UNIT, at(2, 10))
    offered = await world.service.available_slots(
        world.citizen, PMO_UNIT, at(0, 0), at(7, 0), time_type="vac"
    )
    assert [slot.id for slot in offered] == [early.id, late.id]


async def test_dates_follow_the_booking_window(world: World) -> None:
    world.pasis.add_slot(PASIS_UNIT, at(0, 15))
    world.pasis.add_slot(PASIS_UNIT, at(2, 10))
    world.pasis.add_slot(PASIS_UNIT, at(3, 10), access=SHOWN_ONLY)
    days = await world.service.available_dates(PASIS_UNIT, at(0, 0), at(7, 0))
    assert days == [at(2, 0).date()]


async def test_dates_agree_with_slots_for_a_slot_earlier_today(world: World) -> None:
    """PMO at 09:00 with only an 08:00 slot today: no date, as no slot, is offered (R8)."""
    world.pmo.add_slot(PMO_UNIT, at(0, 8))
    assert await world.service.available_slots(world.citizen, PMO_UNIT, at(0, 0), at(1, 0)) == []
    assert await world.service.available_dates(PMO_UNIT, at(0, 0), at(1, 0)) == []
    world.pmo.add_slot(PMO_UNIT, at(0, 9, 30))
    assert await world.service.available_dates(PMO_UNIT, at(0, 0), at(1, 0)) == [NOW.date()]


async def test_dates_ignore_an_adapters_own_answer(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An adapter's available_dates is not trusted: days come from the offered slots."""

    async def every_day(unit: str, start: datetime, end: datetime, time_type: object) -> list:
        return [at(day, 0).date() for day in range(7)]

    monkeypatch.setattr(world.service.adapters["pmo-main"], "available_dates", every_day)
    world.pmo.add_slot(PMO_UNIT, at(0, 8))
    world.pmo.add_slot(PMO_UNIT, at(2, 10), access=SHOWN_ONLY)
    world.pmo.add_slot(PMO_UNIT, at(3, 10), access=NOT_SHOWN)
    bookable = world.pmo.add_slot(PMO_UNIT, at(4, 10))
    days = await world.service.available_dates(PMO_UNIT, at(0, 0), at(7, 0))
    assert days == [bookable.start.date()]
    assert "available_dates" not in world.pmo.calls


async def test_dates_filter_by_time_type(world: World) -> None:
    vaccine = world.pmo.add_time_type(PMO_UNIT, "vac", "Vaccination", BOOKABLE)
    world.pmo.add_slot(PMO_UNIT, at(2, 10))
    world.pmo.add_slot(PMO_UNIT, at(3, 10), time_type=vaccine)
    days = await world.service.available_dates(PMO_UNIT, at(0, 0), at(7, 0), time_type="vac")
    assert days == [at(3, 0).date()]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (at(3, 0), at(2, 0)),  # backwards
        (at(0, 0), at(200, 0)),  # too long
        (datetime(2026, 12, 1), datetime(2026, 12, 2)),
    ],
)
async def test_bad_search_periods_are_invalid_input(
    world: World, start: datetime, end: datetime
) -> None:
    with pytest.raises(InvalidInput):
        await world.service.available_slots(world.citizen, PMO_UNIT, start, end)


# -- booking -------------------------------------------------------------------------------


async def test_book_needs_accepted_terms_and_changes_nothing_without(world: World) -> None:
    slot = world.pmo.add_slot(PMO_UNIT, at(1, 10))
    with pytest.raises(TermsNotAccepted) as refused:
        await world.service.book(world.citizen, PMO_UNIT, slot.id, accept_terms=False)
    assert refused.value.citizen_text == "Du behöver godkänna villkoren för att kunna boka."
    assert world.pmo.bookings == {}


async def test_book_makes_a_real_booking_with_flags_and_an_inbox_event(world: World) -> None:
    slot = world.pasis.add_slot(PASIS_UNIT, at(3, 10))
    result = await world.service.book(
        world.citizen, PASIS_UNIT, slot.id, accept_terms=True, reason="Ont i knät"
    )
    booking = result.booking
    assert world.pasis.bookings[booking.id].booked_by is BookedBy.CITIZEN  # R2: in the system
    assert booking.reason == "Ont i knät"
    assert booking.permissions.cancel_booking_allowed
    assert booking.permissions.rebooking_allowed
    assert booking.permissions.message_allowed
    [activity] = world.recorder.activities
    assert activity.kind is ActivityKind.BOOKED
    assert activity.booking_id == booking.id
    assert activity.unit_name == "Vårdcentralen Tensta"
    assert activity.occurred_at == NOW


async def test_booking_a_slot_not_bookable_via_1177_is_refused_before_the_write(
    world: World,
) -> None:
    slot = world.pasis.add_slot(PASIS_UNIT, at(3, 10), access=SHOWN_ONLY)
    with pytest.raises(NotAvailableVia1177):
        await world.service.book(world.citizen, PASIS_UNIT, slot.id, accept_terms=True)
    assert "book" not in world.pasis.calls
    assert world.pasis.bookings == {}


async def test_pasis_same_day_booking_is_refused_before_the_write(world: World) -> None:
    slot = world.pasis.add_slot(PASIS_UNIT, at(0, 16))
    with pytest.raises(OutsideBookingWindow):
        await world.service.book(world.citizen, PASIS_UNIT, slot.id, accept_terms=True)
    assert "book" not in world.pasis.calls


async def test_a_taken_slot_gives_slot_taken(world: World) -> None:
    slot = world.pmo.add_slot(PMO_UNIT, at(1, 10))
    await world.service.book(world.other, PMO_UNIT, slot.id, accept_terms=True)
    with pytest.raises(SlotTaken) as refused:
        await world.service.book(world.citizen, PMO_UNIT, slot.id, accept_terms=True)
    assert refused.value.code == "slot_taken"


async def test_overlong_reason_is_invalid_input(world: World) -> None:
    slot = world.pmo.add_slot(PMO_UNIT, at(1, 10))
    with pytest.raises(InvalidInput):
        await world.service.book(world.citizen, PMO_UNIT, slot.id, True, reason="x" * 1001)
    assert world.pmo.bookings == {}


# -- cancel and rebook ---------------------------------------------------------------------


async def test_pasis_cancel_exactly_24h_before_is_allowed(world: World) -> None:
    booking = world.pasis.add_booking(
        PASIS_UNIT, world.citizen.subject_of_care, NOW + timedelta(hours=24)
    )
    outcome = await world.service.cancel(world.citizen, PASIS_UNIT, booking.id)
    assert outcome.kind == "OK"
    assert world.pasis.bookings == {}
    assert [a.kind for a in world.recorder.activities] == [ActivityKind.CANCELLED]


async def test_pasis_cancel_23h59_before_is_refused_before_the_backend(world: World) -> None:
    start = NOW + timedelta(hours=23, minutes=59)
    booking = world.pasis.add_booking(PASIS_UNIT, world.citizen.subject_of_care, start)
    details = await world.service.booking(world.citizen, PASIS_UNIT, booking.id)
    assert not details.permissions.cancel_booking_allowed
    assert not details.permissions.rebooking_allowed
    with pytest.raises(OutsideBookingWindow):
        await world.service.cancel(world.citizen, PASIS_UNIT, booking.id)
    assert "cancel" not in world.pasis.calls
    assert booking.id in world.pasis.bookings
    assert world.recorder.activities == []


async def test_booking_not_changeable_via_1177_is_refused(world: World) -> None:
    booking = world.pasis.add_booking(
        PASIS_UNIT, world.citizen.subject_of_care, at(5, 10), access=SHOWN_ONLY
    )
    with pytest.raises(NotAvailableVia1177):
        await world.service.cancel(world.citizen, PASIS_UNIT, booking.id)


async def test_cancel_without_manage_case_type_is_refused(world: World) -> None:
    booking = world.pmo.add_booking(VIEW_UNIT, world.citizen.subject_of_care, at(5, 10))
    with pytest.raises(CaseTypeNotActive):
        await world.service.cancel(world.citizen, VIEW_UNIT, booking.id)
    details = await world.service.booking(world.citizen, VIEW_UNIT, booking.id)
    assert details.permissions.cancel_booking_allowed is False


async def test_cancel_message_only_where_the_system_takes_one(world: World) -> None:
    booking = world.pmo.add_booking(PMO_UNIT, world.citizen.subject_of_care, at(5, 10))
    with pytest.raises(InvalidInput):
        await world.service.cancel(world.citizen, PMO_UNIT, booking.id, message="Jag är sjuk")
    assert booking.id in world.pmo.bookings
    pasis_booking = world.pasis.add_booking(PASIS_UNIT, world.citizen.subject_of_care, at(5, 10))
    await world.service.cancel(world.citizen, PASIS_UNIT, pasis_booking.id, message="Jag är sjuk")
    assert world.recorder.activities[-1].message == "Jag är sjuk"


async def test_another_citizens_booking_is_not_found_and_unchanged(world: World) -> None:
    booking = world.pmo.add_booking(PMO_UNIT, world.other.subject_of_care, at(5, 10))
    slot = world.pmo.add_slot(PMO_UNIT, at(6, 10))
    with pytest.raises(NotFound):
        await world.service.booking(world.citizen, PMO_UNIT, booking.id)
    with pytest.raises(NotFound):
        await world.service.cancel(world.citizen, PMO_UNIT, booking.id)
    with pytest.raises(NotFound):
        await world.service.rebook(world.citizen, PMO_UNIT, booking.id, slot.id)
    assert world.pmo.bookings[booking.id].start == at(5, 10)


async def test_rebook_moves_the_booking_in_one_step(world: World) -> None:
    booking = world.pasis.add_booking(PASIS_UNIT, world.citizen.subject_of_care, at(5, 10))
    target = world.pasis.add_slot(PASIS_UNIT, at(6, 9))
    offered = await world.service.available_slots(
        world.citizen, PASIS_UNIT, at(0, 0), at(7, 0), rebook=booking.id
    )
    assert target.id in [slot.id for slot in offered]
    result = await world.service.rebook(world.citizen, PASIS_UNIT, booking.id, target.id)
    assert result.booking.start == at(6, 9)
    assert list(world.pasis.bookings) == [result.booking.id]
    [activity] = world.recorder.activities
    assert activity.kind is ActivityKind.REBOOKED
    assert activity.previous_start == at(5, 10)


async def test_rebook_inside_the_cutoff_or_to_a_too_early_slot_is_refused(world: World) -> None:
    soon = world.pasis.add_booking(
        PASIS_UNIT, world.citizen.subject_of_care, NOW + timedelta(hours=5)
    )
    later = world.pasis.add_booking(PASIS_UNIT, world.citizen.subject_of_care, at(5, 10))
    target = world.pasis.add_slot(PASIS_UNIT, at(6, 9))
    today = world.pasis.add_slot(PASIS_UNIT, at(0, 17))
    with pytest.raises(OutsideBookingWindow):
        await world.service.rebook(world.citizen, PASIS_UNIT, soon.id, target.id)
    with pytest.raises(OutsideBookingWindow):
        await world.service.available_slots(
            world.citizen, PASIS_UNIT, at(0, 0), at(7, 0), rebook=soon.id
        )
    with pytest.raises(OutsideBookingWindow):
        await world.service.rebook(world.citizen, PASIS_UNIT, later.id, today.id)
    assert "rebook" not in world.pasis.calls


async def test_agent_actions_are_recorded_with_the_agent(world: World) -> None:
    from tidbok.models import Caller

    slot = world.pmo.add_slot(PMO_UNIT, at(1, 10))
    nurse = Caller(subject_of_care=world.citizen.subject_of_care, agent_id="1177-sjukskoterska-7")
    await world.service.book(nurse, PMO_UNIT, slot.id, accept_terms=True)
    assert world.recorder.activities[0].agent_id == "1177-sjukskoterska-7"


# -- Bokade tider (R7, R12) ----------------------------------------------------------------


async def test_schedule_shows_all_units_staff_made_too_but_never_hidden(world: World) -> None:
    me = world.citizen.subject_of_care
    staff = world.pasis.add_booking(PASIS_UNIT, me, at(4, 10), booked_by=BookedBy.STAFF)
    mine = world.pmo.add_booking(PMO_UNIT, me, at(2, 10), booked_by=BookedBy.CITIZEN)
    viewed = world.pmo.add_booking(VIEW_UNIT, me, at(3, 10))
    world.pasis.add_booking(PASIS_UNIT, me, at(5, 10), hidden=True)
    world.pmo.add_booking(PMO_UNIT, world.other.subject_of_care, at(2, 11))
    schedule = await world.service.schedule(world.citizen)
    assert [b.id for b in schedule.bookings] == [mine.id, viewed.id, staff.id]
    assert schedule.failed_units == ()
    assert [b.id for b in await world.service.unit_bookings(world.citizen, PASIS_UNIT)] == [
        staff.id
    ]


async def test_a_hidden_booking_cannot_be_read_or_changed(world: World) -> None:
    hidden = world.pasis.add_booking(
        PASIS_UNIT, world.citizen.subject_of_care, at(5, 10), hidden=True
    )
    with pytest.raises(NotFound):
        await world.service.booking(world.citizen, PASIS_UNIT, hidden.id)
    with pytest.raises(NotFound):
        await world.service.cancel(world.citizen, PASIS_UNIT, hidden.id)


async def test_a_failing_unit_is_reported_not_fatal(world: World) -> None:
    me = world.citizen.subject_of_care
    kept = world.pasis.add_booking(PASIS_UNIT, me, at(4, 10))
    world.pmo.down = True
    schedule = await world.service.schedule(world.citizen)
    assert [b.id for b in schedule.bookings] == [kept.id]
    assert {f.unit for f in schedule.failed_units} == {PMO_UNIT, VIEW_UNIT}
    assert {f.code for f in schedule.failed_units} == {"backend_unavailable"}
    with pytest.raises(BackendUnavailable):
        await world.service.unit_bookings(world.citizen, PMO_UNIT)


async def test_permission_flags_agree_with_what_cancel_then_does(world: World) -> None:
    me = world.citizen.subject_of_care
    for hours in (23, 24, 25, 48):
        world.pasis.add_booking(PASIS_UNIT, me, NOW + timedelta(hours=hours))
    schedule = await world.service.schedule(world.citizen)
    for booking in schedule.bookings:
        if booking.permissions.cancel_booking_allowed:
            await world.service.cancel(world.citizen, PASIS_UNIT, booking.id)
        else:
            with pytest.raises(OutsideBookingWindow):
                await world.service.cancel(world.citizen, PASIS_UNIT, booking.id)
    assert [b.start for b in world.pasis.bookings.values()] == [NOW + timedelta(hours=23)]


# -- open invitations (R15) ----------------------------------------------------------------


async def test_invitation_is_booked_once(world: World) -> None:
    me = world.citizen.subject_of_care
    invitation = world.pasis.add_invitation(PASIS_UNIT, me, [at(3, 9), at(3, 10)])
    listed = await world.service.invitations(world.citizen)
    assert [inv.id for inv in listed.invitations] == [invitation.id]
    first, second = invitation.slots
    result = await world.service.book_invitation(
        world.citizen, PASIS_UNIT, invitation.id, first.id, accept_terms=True
    )
    assert result.booking.is_invitation
    assert world.recorder.activities[-1].kind is ActivityKind.INVITATION_BOOKED
    with pytest.raises(InvitationAlreadyUsed):
        await world.service.book_invitation(
            world.citizen, PASIS_UNIT, invitation.id, second.id, accept_terms=True
        )
    assert (await world.service.invitations(world.citizen)).invitations == ()
    with pytest.raises(NotFound):
        await world.service.book_invitation(
            world.other, PASIS_UNIT, invitation.id, second.id, accept_terms=True
        )


async def test_invitation_slots_not_visible_on_1177_are_neither_listed_nor_bookable(
    world: World,
) -> None:
    """Level 1 slots are kept off 1177 (NotFound); level 2 ones stay, booked via the invitation."""
    me = world.citizen.subject_of_care
    hidden = world.pasis.add_invitation(PASIS_UNIT, me, [at(3, 9)], access=NOT_SHOWN)
    shown = world.pasis.add_invitation(PASIS_UNIT, me, [at(4, 9)], access=SHOWN_ONLY)
    mixed = world.pasis.add_invitation(PASIS_UNIT, me, [at(5, 9), at(5, 10)])
    kept_off = world.pasis.add_slot(PASIS_UNIT, at(5, 11), access=NOT_SHOWN)
    world.pasis.invitations[mixed.id].invitation = mixed.model_copy(
        update={"slots": (*mixed.slots, kept_off)}
    )
    listed = {inv.id: inv for inv in (await world.service.invitations(world.citizen)).invitations}
    assert set(listed) == {shown.id, mixed.id}
    assert [slot.id for slot in listed[mixed.id].slots] == [slot.id for slot in mixed.slots]
    for invitation_id, slot_id in ((hidden.id, hidden.slots[0].id), (mixed.id, kept_off.id)):
        with pytest.raises(NotFound):
            await world.service.book_invitation(
                world.citizen, PASIS_UNIT, invitation_id, slot_id, accept_terms=True
            )
    assert "book_invitation" not in world.pasis.calls
    result = await world.service.book_invitation(
        world.citizen, PASIS_UNIT, shown.id, shown.slots[0].id, accept_terms=True
    )
    assert result.booking.start == at(4, 9)


async def test_invitations_are_not_asked_of_systems_without_them(world: World) -> None:
    await world.service.invitations(world.citizen)
    assert "invitations_for" not in world.pmo.calls
    with pytest.raises(NotFound):
        await world.service.book_invitation(world.citizen, PMO_UNIT, "inv-1", "s", True)


# -- concurrency ---------------------------------------------------------------------------


async def test_twenty_slow_units_are_asked_concurrently() -> None:
    units = [f"SE2321000016-{n:04d}" for n in range(20)]
    system = MemorySystem("slow")
    backend = system.backend("mem://slow")
    backend.delay = 0.05
    for hsa_id in units:
        backend.add_unit(hsa_id, f"Enhet {hsa_id}")
    settings = TidbokSettings(
        backends={"slow": {"system": "slow", "base_url": "mem://slow"}},
        units=[
            {"hsa_id": h, "name": h, "backend": "slow", "case_types": [{"kind": "view"}]}
            for h in units
        ],
    )
    registry = PluginRegistry()
    registry.register(MemoryPlugin(system), name="slow")
    async with BookingService(settings, registry=registry) as service:
        from tidbok.identity import PersonalIdentityNumber
        from tidbok.models import Caller

        started = time.perf_counter()
        schedule = await service.schedule(
            Caller(subject_of_care=PersonalIdentityNumber("191212121212"))
        )
        took = time.perf_counter() - started
    assert schedule.failed_units == ()
    assert backend.calls.count("bookings_for") == 20
    # Sequential would take 20 x 50 ms = 1 s; concurrent takes about 50 ms. Generous bound.
    assert took < 0.5


async def test_a_unit_that_hangs_times_out_alone() -> None:
    fast, slow = MemorySystem("fast"), MemorySystem("hangs")
    slow.backend("mem://h").delay = 30
    fast.backend("mem://f").add_unit("SE2321000016-0001", "Snabb")
    settings = TidbokSettings(
        backends={
            "f": {"system": "fast", "base_url": "mem://f"},
            "h": {"system": "hangs", "base_url": "mem://h"},
        },
        units=[
            {
                "hsa_id": "SE2321000016-0001",
                "name": "Snabb",
                "backend": "f",
                "case_types": [{"kind": "view"}],
            },
            {
                "hsa_id": "SE2321000016-0002",
                "name": "Seg",
                "backend": "h",
                "case_types": [{"kind": "view"}],
            },
        ],
        resilience={"deadline": 0.05},
    )
    registry = PluginRegistry()
    registry.register(MemoryPlugin(fast, slow), name="two")
    async with BookingService(settings, registry=registry) as service:
        from tidbok.identity import PersonalIdentityNumber
        from tidbok.models import Caller

        schedule = await asyncio.wait_for(
            service.schedule(Caller(subject_of_care=PersonalIdentityNumber("191212121212"))), 5
        )
    assert [(f.unit, f.code) for f in schedule.failed_units] == [
        ("SE2321000016-0002", "backend_timeout")
    ]


async def test_adapters_are_closed_with_the_service(world: World) -> None:
    systems = world.service.registry.scheduling_systems()
    await world.service.aclose()
    for system in systems.values():
        assert isinstance(system, MemorySystem)
        assert all(adapter.closed for adapter in system.adapters)


async def test_no_personal_identity_number_in_any_log_line(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    me = world.citizen.subject_of_care
    with caplog.at_level(logging.DEBUG):
        slot = world.pasis.add_slot(PASIS_UNIT, at(3, 10))
        booked = await world.service.book(world.citizen, PASIS_UNIT, slot.id, True, reason="knä")
        await world.service.schedule(world.citizen)
        await world.service.cancel(world.citizen, PASIS_UNIT, booked.booking.id)
        world.pmo.down = True
        await world.service.schedule(world.citizen)
        with pytest.raises(NotFound):
            await world.service.booking(world.other, PASIS_UNIT, "bk-404")
    assert caplog.records, "the service should log its operations"
    assert me.value not in caplog.text
    assert world.other.subject_of_care.value not in caplog.text
    assert "operation=book unit=SE2321000016-1111" in caplog.text


async def test_the_units_instructions_come_back_as_info(world: World) -> None:
    fasting = world.pmo.add_time_type(PMO_UNIT, "prov", "Provtagning", BOOKABLE)
    world.pmo.purposes["prov"] = "Kom fastande."
    slot = world.pmo.add_slot(PMO_UNIT, at(1, 8), time_type=fasting)
    plain = world.pmo.add_slot(PMO_UNIT, at(1, 9))
    result = await world.service.book(world.citizen, PMO_UNIT, slot.id, accept_terms=True)
    assert (result.outcome.kind, result.outcome.text) == ("INFO", "Kom fastande.")
    other = await world.service.book(world.citizen, PMO_UNIT, plain.id, accept_terms=True)
    assert (other.outcome.kind, other.outcome.text) == ("OK", None)
