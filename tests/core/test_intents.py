"""Activity intents: every citizen write is announced before it is sent, and can be read back."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime, timedelta

import pytest

from tidbok import hookimpl
from tidbok.errors import ActivityNotRecorded, BookingRefused, SlotTaken
from tidbok.events import ActivityIntent, ActivityKind
from tidbok.intents import activity_of, judge
from tidbok.models import BookedBy, Booking

from .conftest import NOW, PASIS_UNIT, PMO_UNIT, TOLVAN, World


def at(days: int, hour: int) -> datetime:
    """A Stockholm time ``days`` after NOW's date."""
    day = NOW.date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=NOW.tzinfo)


class IntentJournal:
    """Records intents and failures; ``refuse`` makes announcing fail."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.intents: list[ActivityIntent] = []
        self.failed: list[tuple[str, Exception]] = []
        self.calls_seen: list[list[str]] = []
        self.refuse = False

    @hookimpl
    async def tidbok_activity_intent(self, intent: ActivityIntent) -> None:
        self.calls_seen.append(list(self.world.pmo.calls) + list(self.world.pasis.calls))
        self.intents.append(intent)
        if self.refuse:
            raise OSError("database is locked")

    @hookimpl
    def tidbok_activity_failed(self, intent: ActivityIntent, error: Exception) -> None:
        self.failed.append((intent.id, error))


@pytest.fixture
def journal(world: World) -> IntentJournal:
    journal = IntentJournal(world)
    assert world.service.registry.register(journal, name="journal")
    return journal


async def test_each_write_is_announced_before_it_is_sent(
    world: World, journal: IntentJournal
) -> None:
    slot = world.pmo.add_slot(PMO_UNIT, at(1, 10))
    other = world.pmo.add_slot(PMO_UNIT, at(2, 11))
    booked = await world.service.book(world.citizen, PMO_UNIT, slot.id, accept_terms=True)
    moved = await world.service.rebook(world.citizen, PMO_UNIT, booked.booking.id, other.id)
    await world.service.cancel(world.citizen, PMO_UNIT, moved.booking.id)

    assert [intent.kind for intent in journal.intents] == [
        ActivityKind.BOOKED,
        ActivityKind.REBOOKED,
        ActivityKind.CANCELLED,
    ]
    # Each intent came before its write reached the backend.
    assert "book" not in journal.calls_seen[0]
    assert "rebook" not in journal.calls_seen[1]
    assert "cancel" not in journal.calls_seen[2]
    assert [a.intent_id for a in world.recorder.activities] == [i.id for i in journal.intents]
    book, rebook, cancel = journal.intents
    assert (book.slot_id, book.start, book.time_type_id) == (slot.id, slot.start, "tt-1")
    assert book.booking_id is None
    assert (rebook.booking_id, rebook.slot_id, rebook.start) == (
        booked.booking.id,
        other.id,
        other.start,
    )
    assert rebook.previous_start == slot.start
    assert (cancel.booking_id, cancel.start) == (moved.booking.id, other.start)
    assert str(TOLVAN.value) not in book.summary()
    assert journal.failed == []


async def test_an_invitation_booking_is_announced(world: World, journal: IntentJournal) -> None:
    invitation = world.pasis.add_invitation(PASIS_UNIT, TOLVAN, [at(3, 9), at(3, 10)])
    slot = invitation.slots[1]
    await world.service.book_invitation(
        world.citizen, PASIS_UNIT, invitation.id, slot.id, accept_terms=True
    )
    [intent] = journal.intents
    assert intent.kind is ActivityKind.INVITATION_BOOKED
    assert (intent.invitation_id, intent.slot_id, intent.start) == (
        invitation.id,
        slot.id,
        slot.start,
    )
    assert "book_invitation" not in journal.calls_seen[0]


async def test_an_intent_that_cannot_be_recorded_refuses_the_write(
    world: World, journal: IntentJournal
) -> None:
    journal.refuse = True
    slot = world.pmo.add_slot(PMO_UNIT, at(1, 10))
    with pytest.raises(ActivityNotRecorded) as refused:
        await world.service.book(world.citizen, PMO_UNIT, slot.id, accept_terms=True)
    assert refused.value.code == "activity_not_recorded"
    assert "book" not in world.pmo.calls
    assert world.pmo.bookings == {}
    assert world.recorder.activities == []
    assert world.service.registry.failures == []  # the plugin is not "skipped" for it


async def test_a_write_that_fails_is_reported_with_its_error(
    world: World, journal: IntentJournal
) -> None:
    slot = world.pmo.add_slot(PMO_UNIT, at(1, 10))

    class Racer:
        """Another citizen takes the slot between the checks and the write."""

        @hookimpl(trylast=True)
        def tidbok_activity_intent(self, intent: ActivityIntent) -> None:
            world.pmo._reserve(slot.id, world.other.subject_of_care, None, BookedBy.CITIZEN)

    world.service.registry.register(Racer(), name="racer")
    with pytest.raises(SlotTaken):
        await world.service.book(world.citizen, PMO_UNIT, slot.id, accept_terms=True)
    [(intent_id, error)] = journal.failed
    assert intent_id == journal.intents[0].id
    assert isinstance(error, BookingRefused)
    assert world.recorder.activities == []


# -- reading back ------------------------------------------------------------------------------


async def _announced(
    world: World, journal: IntentJournal, write: Awaitable[object]
) -> ActivityIntent:
    """The intent of a write that was announced but not sent (the process 'died')."""
    journal.refuse = True
    with pytest.raises(ActivityNotRecorded):
        await write
    journal.refuse = False
    return journal.intents[-1]


async def test_read_back_a_booking(world: World, journal: IntentJournal) -> None:
    slot = world.pmo.add_slot(PMO_UNIT, at(1, 10))
    intent = await _announced(
        world, journal, world.service.book(world.citizen, PMO_UNIT, slot.id, accept_terms=True)
    )
    assert not (await world.service.read_back(intent)).happened
    # Staff booking the citizen at that time is not the citizen's booking.
    world.pmo.add_booking(PMO_UNIT, TOLVAN, at(1, 10), booked_by=BookedBy.STAFF)
    assert not (await world.service.read_back(intent)).happened
    made = world.pmo._reserve(slot.id, TOLVAN, None, BookedBy.CITIZEN)
    found = await world.service.read_back(intent)
    assert found.happened
    assert found.bookings == (made,)
    activity = activity_of(intent, made, intent.created_at)
    assert (activity.kind, activity.booking_id, activity.intent_id) == (
        ActivityKind.BOOKED,
        made.id,
        intent.id,
    )


async def test_read_back_a_rebooking(world: World, journal: IntentJournal) -> None:
    booking = world.pmo.add_booking(PMO_UNIT, TOLVAN, at(2, 10), booked_by=BookedBy.CITIZEN)
    target = world.pmo.add_slot(PMO_UNIT, at(3, 14))
    intent = await _announced(
        world, journal, world.service.rebook(world.citizen, PMO_UNIT, booking.id, target.id)
    )
    assert not (await world.service.read_back(intent)).happened
    # The memory system gives the moved booking a new id.
    moved = await world.service.adapters["pmo-main"].rebook(PMO_UNIT, booking.id, target.id, TOLVAN)
    found = await world.service.read_back(intent)
    assert found.happened
    assert found.bookings == (moved.booking,)
    activity = activity_of(intent, moved.booking, intent.created_at)
    assert activity.previous_start == booking.start
    assert activity.start == target.start


def test_judge_a_rebooking_that_keeps_its_id() -> None:
    booking = _booking("bk-7", 2, 10)
    intent = _intent(ActivityKind.REBOOKED, booking_id="bk-7", start=at(4, 9))
    assert not judge(intent, [booking]).happened
    moved = booking.model_copy(update={"start": at(4, 9), "end": at(4, 9) + timedelta(minutes=30)})
    assert judge(intent, [moved]).happened
    assert judge(intent, [moved]).bookings == (moved,)
    assert not judge(intent, []).happened  # gone altogether: nothing to show a message for


async def test_read_back_a_cancellation(world: World, journal: IntentJournal) -> None:
    booking = world.pmo.add_booking(PMO_UNIT, TOLVAN, at(2, 10), booked_by=BookedBy.CITIZEN)
    intent = await _announced(
        world, journal, world.service.cancel(world.citizen, PMO_UNIT, booking.id)
    )
    assert not (await world.service.read_back(intent)).happened
    await world.service.adapters["pmo-main"].cancel(PMO_UNIT, booking.id, TOLVAN)
    found = await world.service.read_back(intent)
    assert found.happened
    activity = activity_of(intent, None, intent.created_at)
    assert (activity.kind, activity.booking_id, activity.start) == (
        ActivityKind.CANCELLED,
        booking.id,
        booking.start,
    )


async def test_read_back_an_invitation_booking(world: World, journal: IntentJournal) -> None:
    invitation = world.pasis.add_invitation(PASIS_UNIT, TOLVAN, [at(3, 9), at(3, 10)])
    slot = invitation.slots[0]
    intent = await _announced(
        world,
        journal,
        world.service.book_invitation(
            world.citizen, PASIS_UNIT, invitation.id, slot.id, accept_terms=True
        ),
    )
    assert not (await world.service.read_back(intent)).happened
    # A plain booking at that time is not the invitation's.
    plain = world.pasis._reserve(slot.id, TOLVAN, None, BookedBy.CITIZEN)
    assert not (await world.service.read_back(intent)).happened
    world.pasis.free_slot_of(plain.id)
    del world.pasis.bookings[plain.id]
    made = world.pasis._reserve(slot.id, TOLVAN, None, BookedBy.CITIZEN, invitation=True)
    found = await world.service.read_back(intent)
    assert found.happened
    assert found.bookings == (made,)


def _booking(booking_id: str, days: int, hour: int) -> Booking:
    return Booking(
        id=booking_id,
        unit=PMO_UNIT,
        subject_of_care=TOLVAN,
        start=at(days, hour),
        end=at(days, hour) + timedelta(minutes=30),
        time_type_id="tt-1",
        time_type_name="Läkarbesök",
        booked_by=BookedBy.CITIZEN,
    )


def _intent(kind: ActivityKind, **fields: object) -> ActivityIntent:
    values: dict[str, object] = {
        "id": "intent-1",
        "kind": kind,
        "unit": PMO_UNIT,
        "unit_name": "Barnmorskemottagningen Solna",
        "system": "memory_pmo",
        "subject_of_care": TOLVAN,
        "time_type_id": "tt-1",
        "time_type_name": "Läkarbesök",
        "created_at": at(0, 9),
        **fields,
    }
    return ActivityIntent.model_validate(values)
