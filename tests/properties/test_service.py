"""BookingService over the in-memory scheduling systems, with random slots, bookings and clocks.

Two properties tie what the service *shows* to what it then *does*:

* the slot search offers exactly the slots the rules accept, and booking succeeds for those and
  is refused for every other one;
* every permission flag shown on a booking is honoured by cancel and rebook, and every flag not
  shown is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.core.memory_system import (
    BOOKABLE,
    NOT_SHOWN,
    PASIS_LIKE,
    PMO_LIKE,
    SHOWN_ONLY,
    MemoryBackend,
    MemoryPlugin,
    MemorySystem,
)
from tidbok import hookimpl
from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.errors import BookingRefused
from tidbok.events import BookingActivity
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Access1177, BookedBy, Caller, Capability, Slot
from tidbok.plugins import PluginRegistry
from tidbok.rules import SystemRules, may_book_start
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings

from .strategies import instants

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


def build(system_name: str, now: datetime, manage: bool) -> Scenario:
    rules, capabilities = SYSTEMS[system_name]
    system = MemorySystem(system_name, rules, capabilities)
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
