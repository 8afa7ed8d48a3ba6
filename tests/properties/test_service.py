"""BookingService over the in-memory scheduling systems, with random slots, bookings and clocks.

Three properties tie what the service *shows* to what it then *does*:

* the slot search offers exactly the slots the rules accept, and booking succeeds for those and
  is refused for every other one;
* every permission flag shown on a booking is honoured by cancel and rebook, and every flag not
  shown is refused;
* the date search offers exactly the days of the slots the slot search offers, whatever the
  adapter's own ``available_dates`` claims.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from tests.core.memory_system import (
    BOOKABLE,
    NOT_SHOWN,
    PASIS_LIKE,
    PMO_LIKE,
    SHOWN_ONLY,
    MemoryAdapter,
    MemoryBackend,
    MemoryPlugin,
    MemorySystem,
)
from tidbok import hookimpl
from tidbok.adapter import AdapterContext, SchedulingAdapter
from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.errors import BookingRefused
from tidbok.events import BookingActivity
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Access1177, BookedBy, Caller, Capability, Slot, TimeType
from tidbok.plugins import PluginRegistry
from tidbok.rules import SystemRules, may_book_start
from tidbok.service import BookingService
from tidbok.settings import BackendSettings, TidbokSettings

from .strategies import DST_ENDS, instants

UNIT = "SE2321000016-7777"
CITIZEN = Caller(subject_of_care=PersonalIdentityNumber("191212121212"))
CHANGEABLE_ONLY = Access1177(visible=True, changeable=True)
ACCESSES = (BOOKABLE, SHOWN_ONLY, NOT_SHOWN, CHANGEABLE_ONLY)
SYSTEMS = {
    "pasis_like": (PASIS_LIKE, frozenset({Capability.MESSAGE_ON_CANCEL})),
    "pmo_like": (PMO_LIKE, frozenset({Capability.SAME_DAY_BOOKING})),
}


class Recorder:
    def __init__(self) -> None:
        self.activities: list[BookingActivity] = []

    @hookimpl
    def tidbok_booking_activity(self, activity: BookingActivity) -> None:
        self.activities.append(activity)


@dataclass
class Scenario:
    service: BookingService
    backend: MemoryBackend
    rules: SystemRules
    now: datetime
    recorder: Recorder


def build(
    system_name: str,
    now: datetime,
    manage: bool,
    system_class: type[MemorySystem] | None = None,
) -> Scenario:
    rules, capabilities = SYSTEMS[system_name]
    system = (system_class or MemorySystem)(system_name, rules, capabilities)
    recorder = Recorder()
    registry = PluginRegistry()
    registry.register(MemoryPlugin(system), name="memory")
    registry.register(recorder, name="recorder")
    backend = system.backend("mem://unit")
    backend.add_unit(UNIT, "Vårdcentralen Egenskap")
    case_types = [{"kind": "book"}] + ([{"kind": "manage"}] if manage else [])
    settings_ = TidbokSettings(
        backends={"main": {"system": system_name, "base_url": "mem://unit"}},
        units=[
            {
                "hsa_id": UNIT,
                "name": "Vårdcentralen Egenskap",
                "backend": "main",
                "case_types": case_types,
            }
        ],
    )
    clock = FrozenClock(now)
    service = BookingService(settings_, registry=registry, clock=clock)
    return Scenario(service, backend, rules, clock.now(), recorder)


def after(now: datetime, minutes: int) -> datetime:
    """``minutes`` of elapsed time after ``now``, in Stockholm (never wall-clock arithmetic)."""
    return (now.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(STOCKHOLM)


slot_specs = st.lists(
    st.tuples(st.integers(-2 * 1440, 6 * 1440), st.sampled_from(ACCESSES[:3])),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150)
@given(st.sampled_from(sorted(SYSTEMS)), instants(days=2), slot_specs)
def test_the_search_offers_exactly_what_booking_accepts(
    system_name: str, now: datetime, specs: list[tuple[int, Access1177]]
) -> None:
    async def scenario() -> None:
        world = build(system_name, now, manage=True)
        async with world.service as service:
            slots = [world.backend.add_slot(UNIT, after(now, m), access=a) for m, a in specs]
            offered = await service.available_slots(
                CITIZEN, UNIT, after(now, -3 * 1440), after(now, 7 * 1440)
            )
            expected = {
                slot.id
                for slot in slots
                if slot.access.bookable and may_book_start(world.rules, slot.start, world.now)
            }
            assert {slot.id for slot in offered} == expected
            for slot in offered:
                assert slot.start.timestamp() > world.now.timestamp()
            for slot in slots:
                await _book_and_check(service, slot, slot.id in expected)
            assert len(world.recorder.activities) == len(expected)

    asyncio.run(scenario())


async def _refusal(call: Awaitable[object]) -> BookingRefused | None:
    try:
        await call
    except BookingRefused as refusal:
        return refusal
    return None


async def _book_and_check(service: BookingService, slot: Slot, offered: bool) -> None:
    event("offered" if offered else "not offered")
    try:
        result = await service.book(CITIZEN, UNIT, slot.id, accept_terms=True)
    except BookingRefused:
        assert not offered, f"offered slot {slot.start.isoformat()} was refused"
    else:
        assert offered, f"slot {slot.start.isoformat()} was booked but never offered"
        assert result.booking.start == slot.start


booking_specs = st.lists(
    st.tuples(
        st.one_of(st.integers(-6 * 60, 4 * 1440), st.integers(25 * 60, 4 * 1440)),  # start
        st.sampled_from((BOOKABLE, CHANGEABLE_ONLY, SHOWN_ONLY)),
        st.sampled_from((False, False, True)),  # hidden
        st.sampled_from(list(BookedBy)),
        st.sampled_from(("cancel", "cancel-with-message", "rebook")),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150)
@given(
    st.sampled_from(sorted(SYSTEMS)),
    instants(days=2),
    st.sampled_from((True, True, False)),  # the unit has activated cancel/rebook
    booking_specs,
)
def test_every_permission_shown_is_honoured(
    system_name: str,
    now: datetime,
    manage: bool,
    specs: list[tuple[int, Access1177, bool, BookedBy, str]],
) -> None:
    async def scenario() -> None:
        world = build(system_name, now, manage=manage)
        async with world.service as service:
            made = [
                world.backend.add_booking(
                    UNIT,
                    CITIZEN.subject_of_care,
                    after(now, m),
                    booked_by=by,
                    hidden=hidden,
                    access=access,
                )
                for m, access, hidden, by, _ in specs
            ]
            actions = {booking.id: spec[4] for booking, spec in zip(made, specs, strict=True)}
            schedule = await service.schedule(CITIZEN)
            assert not schedule.failed_units
            assert {b.id for b in schedule.bookings} == {b.id for b in made if not b.hidden}
            for shown in schedule.bookings:
                flags = shown.permissions
                assert flags.cancel_booking_allowed == flags.rebooking_allowed
                assert service.permissions(UNIT, shown) == flags
                action = actions[shown.id]
                if action == "rebook":
                    target = world.backend.add_slot(UNIT, after(now, 3 * 1440 + 600))
                    allowed = flags.rebooking_allowed
                    call: Awaitable[object] = service.rebook(CITIZEN, UNIT, shown.id, target.id)
                elif action == "cancel-with-message":
                    allowed = flags.message_allowed
                    call = service.cancel(CITIZEN, UNIT, shown.id, "Jag kan tyvärr inte komma.")
                else:
                    allowed = flags.cancel_booking_allowed
                    call = service.cancel(CITIZEN, UNIT, shown.id)
                event(f"{action} {'allowed' if allowed else 'refused'}")
                refusal = await _refusal(call)
                if allowed:
                    assert refusal is None, f"{action} refused although shown allowed: {refusal}"
                    assert shown.id not in world.backend.bookings
                else:
                    assert refusal is not None, f"{action} done although the flag said no"

    asyncio.run(scenario())


class LyingAdapter(MemoryAdapter):
    """An adapter whose own available_dates claims every day of the period."""

    async def available_dates(
        self, unit: str, start: datetime, end: datetime, time_type: str | None = None
    ) -> list[date]:
        first, last = start.astimezone(STOCKHOLM).date(), end.astimezone(STOCKHOLM).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class LyingSystem(MemorySystem):
    """A memory system that connects :class:`LyingAdapter` s."""

    def connect(self, backend: BackendSettings, context: AdapterContext) -> SchedulingAdapter:
        adapter = LyingAdapter(self.backend(backend.base_url))
        self.adapters.append(adapter)
        return adapter


def midnight(now: datetime, days: int) -> datetime:
    """The start of the Stockholm day ``days`` after today (midnight always exists there)."""
    today = now.astimezone(STOCKHOLM).date()
    return datetime.combine(today + timedelta(days=days), time(0), STOCKHOLM)


#: Slots as (day from today, minute of the day, access, time type id).
dated_slot_specs = st.lists(
    st.tuples(
        st.one_of(st.integers(0, 1), st.integers(-1, 5)),  # today and tomorrow are the edge
        st.integers(0, 1439),
        st.sampled_from((BOOKABLE, *ACCESSES)),
        st.sampled_from(("tt-1", "tt-2")),
    ),
    min_size=1,
    max_size=10,
)
#: Search periods as (start, length in minutes): from now, from a midnight, from anywhere near.
periods = st.tuples(
    st.one_of(
        st.just("now"),
        st.integers(-1, 3).map(lambda day: f"midnight {day}"),
        st.integers(-1440, 3 * 1440).map(lambda minutes: f"now {minutes}"),
    ),
    st.one_of(st.integers(1, 8 * 24).map(lambda hours: hours * 60), st.integers(1, 8 * 1440)),
)


def period_start(now: datetime, kind: str) -> datetime:
    """The start of a period drawn from :data:`periods`."""
    what, _, number = kind.partition(" ")
    if what == "midnight":
        return midnight(now, int(number))
    return after(now, int(number or 0))


@settings(max_examples=200)
@example(  # the case: PMO at 09:00, only an 08:00 slot today
    "pmo_like",
    True,
    datetime(2026, 12, 1, 9, tzinfo=STOCKHOLM),
    [(0, 480, BOOKABLE, "tt-1")],
    ("midnight 0", 7 * 1440),
    None,
)
@example(  # a later slot today, and one the night the clocks go back
    "pmo_like",
    False,
    DST_ENDS,
    [(0, 1439, BOOKABLE, "tt-1"), (1, 150, BOOKABLE, "tt-1")],
    ("now", 2 * 1440),
    "tt-1",
)
@example(  # PASiS: today never, tomorrow from midnight
    "pasis_like",
    True,
    datetime(2026, 12, 1, 23, 59, tzinfo=STOCKHOLM),
    [(0, 1439, BOOKABLE, "tt-1"), (1, 0, BOOKABLE, "tt-1"), (1, 60, SHOWN_ONLY, "tt-1")],
    ("now", 1440),
    None,
)
@given(
    st.sampled_from(sorted(SYSTEMS)),
    st.booleans(),  # the adapter overrides available_dates (and lies)
    instants(days=2),
    dated_slot_specs,
    periods,
    st.sampled_from((None, None, "tt-1", "tt-2")),
)
def test_dates_are_the_days_of_the_offered_slots(
    system_name: str,
    lying: bool,
    now: datetime,
    specs: list[tuple[int, int, Access1177, str]],
    period: tuple[str, int],
    time_type: str | None,
) -> None:
    """GetAvailableDates equals the Stockholm days of GetAvailableTimeslots, for any clock."""

    async def scenario() -> None:
        world = build(system_name, now, manage=True, system_class=LyingSystem if lying else None)
        async with world.service as service:
            slots = [
                world.backend.add_slot(
                    UNIT,
                    after(midnight(now, day), minute),
                    time_type=TimeType(id=type_id, name=type_id, access=access),
                    access=access,
                )
                for day, minute, access, type_id in specs
            ]
            start = period_start(now, period[0])
            end = after(start, period[1])
            offered = await service.available_slots(CITIZEN, UNIT, start, end, time_type)
            dates = await service.available_dates(UNIT, start, end, time_type)
            assert dates == sorted({slot.start.astimezone(STOCKHOLM).date() for slot in offered})
            expected = {
                slot.start.astimezone(STOCKHOLM).date()
                for slot in slots
                if slot.access.bookable
                and may_book_start(world.rules, slot.start, world.now)
                and start.timestamp() <= slot.start.timestamp() < end.timestamp()
                and time_type in (None, slot.time_type_id)
            }
            assert dates == sorted(expected)
            today = now.astimezone(STOCKHOLM).date()
            event("some dates" if dates else "no dates")
            event("today offered" if today in dates else "today not offered")

    asyncio.run(scenario())
