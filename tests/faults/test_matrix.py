"""The fault matrix: every fault of the mocks x every write and the list x PASiS, PMO and riv.

The writes are book, rebook, cancel and, for PASiS, booking an open invitation (PMO and riv have
none).

One BookingService runs over six in-process mocks: two PASiS backends, two PMO backends and two
riv (crm:scheduling) producers with one unit each. In every cell one unit (the *faulty* unit, the
first backend of the system under test) gets a fault on the API route of the operation, while the
five other units must keep answering, at the same time, as if nothing happened. riv has no slot
ids on the wire: the service's id of a slot is the one the riv plugin packs from its start, end,
time type and resource (the mock's slot id), so every slot of the scenario has an explicit end and
:meth:`Backend.slot_ref` gives the service's id of a mock slot (the same id in PASiS and PMO).
Each cell asserts:

1. the caller's outcome: the result, or exactly the typed error of :data:`EXPECTED`, never an
   untyped exception;
2. the appointment book of the faulty unit afterwards: exactly the citizen's bookings that the
   outcome says exist (nothing lost, nothing doubled), and the other units' books untouched; and
   the inbox: exactly one activity (R10) for a write that happened, none for one that did not;
3. the other units answered a slot search and a bookings list concurrently with the faulty call,
   and ``schedule().failed_units`` names only the faulty unit.

How faults are injected:

* writes (book, rebook, cancel, invite): the next request of the route fails once (``times=1``).
  The question is whether a lost, refused, ambiguous or garbled answer turns into a lost or
  doubled booking, or a booking the citizen is told failed. ``commit_then_500`` writes and then
  answers 500; ``commit_after_client_timeout`` writes only after the client's attempt timed out.
* list (``schedule``, the citizen's bookings at every unit): first the route fails once, which
  the read retries absorb (:data:`READ_RETRIED`); then it fails on every request until the cell
  ends, so the retries are used up. The question is whether the citizen still sees every other
  unit's bookings, with the faulty unit named as failed.

Resilience is small and fast: 0.3 s per attempt, 2 s per operation, 2 read retries, no backoff,
a breaker threshold too high to open. A ``delay`` waits 0.5 s (beyond the attempt timeout);
``http_503`` and ``http_429`` carry ``Retry-After: 1``, which the service waits on its fake timer
(:class:`~tests.timers.PacedTimer`): it counts against the deadline, but takes no real time.
``commit_after_client_timeout`` writes 0.4 s after the request arrived: after the client gave up
(0.3 s), and within the read-back window of PASiS and riv (reads at about 0.3, 0.5 and 0.9 s,
well inside the 2 s budget; ``test_the_late_commit_falls_in_the_read_back_window`` checks that).
The mock commits in real time, so in those cells, as in ``delay`` cells, the service's pauses
(read-back pauses, PMO's waits for a key still in progress) take real time too; every other cell
runs on the fake timer alone.

The expected rows are reasoned out above :data:`EXPECTED`. riv's row is PASiS's without the
invitation: MakeBooking, UpdateBooking and CancelBooking carry no idempotency key, so a write is
sent once; a 503 or 429 proves nothing was written and is sent again after Retry-After; any other
failure, the mock's ``http_500`` (a SOAP ``Server`` fault, which may come after the write)
included, is read back from GetSubjectOfCareSchedule, which finds the write only when a commit_*
fault made it happen (else "outcome unknown"). Its list is retried like every read, an
unreadable SOAP answer too.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeAlias

import httpx
import pytest
import pytest_asyncio

import tidbok_pasis
import tidbok_pmo
import tidbok_riv
from tests.timers import PacedTimer
from tidbok import hookimpl
from tidbok.backend_http import OutcomeUnknown
from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.errors import (
    BackendProtocolError,
    BackendTimeout,
    BackendUnavailable,
    TidbokError,
)
from tidbok.events import ActivityKind, BookingActivity
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import (
    Access1177,
    BookedBy,
    BookingResult,
    Caller,
    Capability,
    Schedule,
    WriteOutcome,
)
from tidbok.plugins import PluginRegistry
from tidbok.readback import write_with_readback
from tidbok.service import BookingService
from tidbok.settings import ResilienceSettings, TidbokSettings
from tidbok_contract.mock_admin import MockAdminSeeder
from tidbok_contract.seeding import FaultTarget
from tidbok_mocks import run_pasis, run_pmo, run_riv
from tidbok_pasis.adapter import PasisAdapter
from tidbok_pasis.seeder import PasisSeeder
from tidbok_pmo.seeder import PmoSeeder
from tidbok_riv.seeder import MOCK_RESULT_TEXTS, RivSeeder

System: TypeAlias = Literal["pasis", "pmo", "riv"]
Operation: TypeAlias = Literal["book", "rebook", "cancel", "invite", "list"]
Fault: TypeAlias = Literal[
    "delay",
    "http_500",
    "http_503",
    "http_429",
    "reset",
    "malformed",
    "commit_then_drop",
    "commit_then_500",
    "commit_after_client_timeout",
]
#: "ok": the caller gets the result (for list: every unit's bookings, no failed unit).
#: An error class: the caller gets exactly that typed error (for list: the faulty unit is listed
#: in ``failed_units`` with that error's code, and every other unit's bookings are there).
Outcome: TypeAlias = Literal["ok"] | type[TidbokError]

SYSTEMS: tuple[System, ...] = ("pasis", "pmo", "riv")
OPERATIONS: tuple[Operation, ...] = ("book", "rebook", "cancel", "invite", "list")
#: The operations of each system: booking an open invitation is PASiS's alone (R15).
OPERATIONS_OF: dict[System, tuple[Operation, ...]] = {
    "pasis": OPERATIONS,
    "pmo": tuple(operation for operation in OPERATIONS if operation != "invite"),
    "riv": tuple(operation for operation in OPERATIONS if operation != "invite"),
}
WRITES: tuple[Operation, ...] = ("book", "rebook", "cancel", "invite")
FAULTS: tuple[Fault, ...] = (
    "delay",
    "http_500",
    "http_503",
    "http_429",
    "reset",
    "malformed",
    "commit_then_drop",
    "commit_then_500",
    "commit_after_client_timeout",
)

# -- the expected outcome of every cell ----------------------------------------------------------
#
# PASiS cannot deduplicate a write, so a write reaches it exactly once. A 503 or 429 proves that
# nothing was written, so the write is sent again after Retry-After and succeeds. When the answer
# is ambiguous, lost or unreadable (a 500, which may come after the write; timeout, reset,
# malformed, commit_then_drop, commit_then_500, commit_after_client_timeout) the citizen's bookings
# are read back: the booking found is the result (the commit_* faults, the late one too: it lands
# within the read-back window), else "outcome unknown" (nothing happened, and the citizen is asked
# to look at Bokade tider before trying again).
#
# riv (crm:scheduling) cannot deduplicate either: MakeBooking, UpdateBooking and CancelBooking
# carry no key, so, like PASiS, a write is sent once, a 503 or 429 (a SOAP Server fault with that
# status) is retried after Retry-After, and anything ambiguous is read back from
# GetSubjectOfCareSchedule. The mock's http_500 is a SOAP Server fault, not a Client fault (a
# definite refusal): it may come after the write, so it is read back, and finds nothing. A
# timeout, a reset or an unreadable 200 is read back too: nothing is found unless a commit_* fault
# made the write happen (commit_then_500 is a Server fault as well).
#
# PMO deduplicates writes by Idempotency-Key, so a write is retried with the same key on 5xx,
# 429, reset and timeout: PMO replays an answer it lost and never writes twice (after
# commit_then_500 it kept the key with the write; during a late commit it answers "in progress"
# until the write is done). Only a malformed 200 is not retried blindly; it is read back, and
# since the handler never ran, nothing is found.
#
# Reads are retried on 5xx, 429, reset, timeout and a garbled answer within the deadline (riv's
# adapter retries an unreadable SOAP answer itself, within the same read retries). A list
# fault that never stops therefore fails the unit with the last attempt's error: a timeout (delay,
# commit_after_client_timeout) is "backend timeout", refusals (commit_then_500 too) and a cut
# connection "backend unavailable", an unreadable answer "backend protocol error".

OK: Outcome = "ok"
UNKNOWN = OutcomeUnknown  # the answer was lost and reading back found nothing
DOWN = BackendUnavailable  # a refusal (5xx, 429) or a cut connection
SLOW = BackendTimeout  # no answer in time
GARBLED = BackendProtocolError  # an answer that cannot be read

#: One row per (system, operation), one column per fault, in the order of FAULTS (c_t_drop:
#: commit_then_drop, c_t_500: commit_then_500, late: commit_after_client_timeout).
# fmt: off
_ROWS: dict[System, dict[Operation, tuple[Outcome, ...]]] = {
    "pasis": {
        #          delay    http_500 http_503 http_429 reset    malformd c_t_drop c_t_500  late
        "book":   (UNKNOWN, UNKNOWN, OK,      OK,      UNKNOWN, UNKNOWN, OK,      OK,      OK),
        "rebook": (UNKNOWN, UNKNOWN, OK,      OK,      UNKNOWN, UNKNOWN, OK,      OK,      OK),
        "cancel": (UNKNOWN, UNKNOWN, OK,      OK,      UNKNOWN, UNKNOWN, OK,      OK,      OK),
        "invite": (UNKNOWN, UNKNOWN, OK,      OK,      UNKNOWN, UNKNOWN, OK,      OK,      OK),
        "list":   (SLOW,    DOWN,    DOWN,    DOWN,    DOWN,    GARBLED, DOWN,    DOWN,    SLOW),
    },
    "pmo": {
        #          delay    http_500 http_503 http_429 reset    malformd c_t_drop c_t_500  late
        "book":   (OK,      OK,      OK,      OK,      OK,      UNKNOWN, OK,      OK,      OK),
        "rebook": (OK,      OK,      OK,      OK,      OK,      UNKNOWN, OK,      OK,      OK),
        "cancel": (OK,      OK,      OK,      OK,      OK,      UNKNOWN, OK,      OK,      OK),
        "list":   (SLOW,    DOWN,    DOWN,    DOWN,    DOWN,    GARBLED, DOWN,    DOWN,    SLOW),
    },
    "riv": {
        #          delay    http_500 http_503 http_429 reset    malformd c_t_drop c_t_500  late
        "book":   (UNKNOWN, UNKNOWN, OK,      OK,      UNKNOWN, UNKNOWN, OK,      OK,      OK),
        "rebook": (UNKNOWN, UNKNOWN, OK,      OK,      UNKNOWN, UNKNOWN, OK,      OK,      OK),
        "cancel": (UNKNOWN, UNKNOWN, OK,      OK,      UNKNOWN, UNKNOWN, OK,      OK,      OK),
        "list":   (SLOW,    DOWN,    DOWN,    DOWN,    DOWN,    GARBLED, DOWN,    DOWN,    SLOW),
    },
}
# fmt: on

EXPECTED: dict[tuple[System, Operation, Fault], Outcome] = {
    (system, operation, fault): outcome
    for system, rows in _ROWS.items()
    for operation, row in rows.items()
    for fault, outcome in zip(FAULTS, row, strict=True)
}

#: How many requests a list fault that never stops sees: the first attempt and two retries,
#: except that a Retry-After of 1 s leaves time for one retry within the 2 s deadline.
LIST_ATTEMPTS: dict[Fault, int] = {
    "delay": 3,
    "http_500": 3,
    "http_503": 2,
    "http_429": 2,
    "reset": 3,
    "malformed": 3,
    "commit_then_drop": 3,
    "commit_then_500": 3,
    "commit_after_client_timeout": 3,
}

#: Systems that cannot deduplicate a write: it is sent once and read back when ambiguous.
WRITES_ONCE: frozenset[System] = frozenset({"pasis", "riv"})

#: Faults during which the backend works on in real time (see the module docstring).
REAL_TIME_FAULTS: frozenset[Fault] = frozenset({"delay", "commit_after_client_timeout"})

#: Read faults that the read retries absorb when they happen once: a list then answers in full.
#: Reading again is always safe, so every fault is retried, a garbled answer included.
READ_RETRIED: frozenset[Fault] = frozenset(FAULTS)

# -- the world: six units on six mock backends ----------------------------------------------------

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=STOCKHOLM)  # a Monday morning
CITIZEN = Caller(subject_of_care=PersonalIdentityNumber("191212121212"))
DELAY_SECONDS = 0.5
#: When ``commit_after_client_timeout`` writes, after the request arrived.
LATE_COMMIT_SECONDS = 0.4
FAST = ResilienceSettings(
    attempt_timeout=0.3,
    deadline=2.0,
    read_retries=2,
    backoff_initial=0.0,
    backoff_max=0.0,
    breaker_failure_threshold=1000,
    breaker_reset_timeout=30.0,
)

#: backend name -> (system, unit HSA-id). The "-a" backend of a system is the faulty one.
BACKENDS: dict[str, tuple[System, str]] = {
    "pasis-a": ("pasis", "SE2321000016-7001"),
    "pasis-b": ("pasis", "SE2321000016-7002"),
    "pmo-a": ("pmo", "SE2321000016-8001"),
    "pmo-b": ("pmo", "SE2321000016-8002"),
    "riv-a": ("riv", "SE2321000016-9001"),
    "riv-b": ("riv", "SE2321000016-9002"),
}
TIME_TYPE = "TT-OPEN"
NEW_SLOT = "S-NEW"  # free: booked by "book", the target of "rebook"
FREE_SLOT = "S-FREE"  # free, never touched: what a slot search on a healthy unit finds
INVITED_SLOT = "S-INV"  # PASiS: the slot an open invitation offers the citizen, booked by "invite"
INVITATION = "K-MINE"  # PASiS: the citizen's open invitation
MINE = "B-MINE"  # the citizen's own booking: rebooked or cancelled
STAFF = "B-STAFF"  # a booking staff made for the citizen
#: The citizen's active bookings on every unit before a cell: booking id -> slot id.
SEEDED: dict[str, str] = {MINE: "S-MINE", STAFF: "S-STAFF"}
#: How long every slot lasts: its end is explicit, so that riv's slot id (which packs the start
#: and the end) can be computed for every slot.
SLOT_LENGTH = timedelta(minutes=30)


def at(day: int, hour: int) -> datetime:
    """A Stockholm time in November 2026."""
    return datetime(2026, 11, day, hour, tzinfo=STOCKHOLM)


#: When every slot of the scenario starts (the invited slot is PASiS's alone).
SLOT_STARTS: dict[str, datetime] = {
    NEW_SLOT: at(25, 10),
    FREE_SLOT: at(25, 11),
    SEEDED[MINE]: at(26, 10),
    SEEDED[STAFF]: at(26, 11),
    INVITED_SLOT: at(25, 12),
}


def scenario(system: System, unit: str, seeder: MockAdminSeeder) -> dict[str, Any]:
    """One unit with a bookable and changeable time type, two free slots and two bookings; in
    PASiS also an open invitation offering one more slot (kept out of slot searches)."""
    everything = Access1177(visible=True, bookable=True, changeable=True)
    slots = {slot: start for slot, start in SLOT_STARTS.items() if slot != INVITED_SLOT}
    invitations: dict[str, Any] = {}
    if system == "pasis":
        slots[INVITED_SLOT] = SLOT_STARTS[INVITED_SLOT]
        invited = {"unit": unit, "person": CITIZEN.subject_of_care.value, "slots": [INVITED_SLOT]}
        invitations["invitations"] = [{"id": INVITATION} | invited]
    return {
        "now": NOW.isoformat(),
        "units": [{"id": unit, "name": f"Mottagningen {unit[-4:]}"}],
        "time_types": [
            {"id": TIME_TYPE, "unit": unit, "name": "Provtagning"}
            | seeder.time_type_fields(everything)
        ],
        "slots": [
            {
                "id": slot,
                "unit": unit,
                "time_type": TIME_TYPE,
                "start": start.isoformat(),
                "end": (start + SLOT_LENGTH).isoformat(),
            }
            for slot, start in slots.items()
        ],
        "bookings": [
            {
                "id": MINE,
                "slot": "S-MINE",
                "person": CITIZEN.subject_of_care.value,
                "booked_by": "citizen",
            },
            {
                "id": STAFF,
                "slot": "S-STAFF",
                "person": CITIZEN.subject_of_care.value,
                "booked_by": "staff",
            },
        ],
        **invitations,
    }


@dataclass
class Backend:
    """One running mock: its unit, its seeder (for routes) and its admin API."""

    name: str
    system: System
    unit: str
    seeder: MockAdminSeeder
    admin: httpx.AsyncClient

    def slot_ref(self, slot: str) -> str:
        """The service's id of the mock's slot ``slot``: the same in PASiS and PMO; in riv, whose
        wire has no slot ids, the one the plugin packs from start, end, time type and resource."""
        start = SLOT_STARTS[slot]
        return self.seeder.slot_id_of(slot, self.unit, TIME_TYPE, start, start + SLOT_LENGTH)

    async def inject(self, fault: Fault, target: FaultTarget, times: int | None) -> None:
        """Make requests of the target's route fail with ``fault`` (every time when ``times``
        is None)."""
        method, path = self.seeder.fault_routes()[target]
        spec: dict[str, Any] = {"match": {"method": method, "path": path}, "kind": fault}
        if times is not None:
            spec["times"] = times
        if fault == "delay":
            spec["seconds"] = DELAY_SECONDS
        if fault == "commit_after_client_timeout":
            spec["seconds"] = LATE_COMMIT_SECONDS
        if fault in ("http_503", "http_429"):
            spec["retry_after"] = 1
        (await self.admin.post("/faults", json=spec)).raise_for_status()

    async def clear_faults(self) -> list[dict[str, Any]]:
        """Remove every fault; answer the rules as they stood (with how often each fired)."""
        rules = (await self.admin.get("/faults")).json()["faults"]
        (await self.admin.delete("/faults")).raise_for_status()
        return list(rules)

    async def citizen_book(self) -> dict[str, str]:
        """The citizen's active bookings in the appointment book: booking id -> slot id."""
        response = await self.admin.get("/appointment-book", params={"unit": self.unit})
        response.raise_for_status()
        return {
            entry["booking_id"]: entry["slot_id"]
            for entry in response.json()["entries"]
            if entry["person"] == CITIZEN.subject_of_care.value and entry["status"] == "booked"
        }

    async def finished(self, fault: Fault) -> None:
        """Wait until the request that ``fault`` hit has finished on the mock (it is logged then):
        a late write is in the appointment book, or never will be. Bounded, not a fixed sleep."""
        for _ in range(200):
            entries = (await self.admin.get("/requests")).json()["requests"]
            if any(entry["fault"] == fault for entry in entries):
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the request hit by {fault} never finished")

    async def requests(self, method: str, path: str) -> list[dict[str, Any]]:
        """The API requests the mock logged whose method and path fit a fault route."""
        entries = (await self.admin.get("/requests")).json()["requests"]
        return [e for e in entries if e["method"] == method and re.search(path, e["path"])]


class Inbox:
    """Records the booking activities the service emits (R10: one inbox message each)."""

    def __init__(self) -> None:
        self.activities: list[BookingActivity] = []

    @hookimpl
    def tidbok_booking_activity(self, activity: BookingActivity) -> None:
        """Keep the activity."""
        self.activities.append(activity)


@dataclass
class World:
    """The six backends and one BookingService over them."""

    backends: dict[str, Backend]
    service: BookingService
    inbox: Inbox
    timer: PacedTimer
    """The service's timer: ``Retry-After`` and pauses take no real time, except in delay cells."""

    def faulty(self, system: System) -> Backend:
        """The backend that gets the fault."""
        return self.backends[f"{system}-a"]

    def healthy(self, system: System) -> list[Backend]:
        """Every other backend."""
        return [b for name, b in self.backends.items() if name != f"{system}-a"]


async def _start(stack: AsyncExitStack, name: str, unit: str) -> tuple[Backend, dict[str, Any]]:
    """Start one mock; answer the backend and its settings for the service."""
    system = BACKENDS[name][0]
    settings: dict[str, Any]
    if system == "pasis":
        pasis = await stack.enter_async_context(run_pasis(now=NOW))
        seeder: MockAdminSeeder = PasisSeeder(pasis.url)
        admin_url = pasis.admin_url
        settings = {
            "system": "pasis",
            "base_url": pasis.api_url,
            "credentials": {"api_key": pasis.api_key},
        }
    elif system == "pmo":
        pmo = await stack.enter_async_context(run_pmo(now=NOW))
        seeder = PmoSeeder(pmo.url)
        admin_url = pmo.admin_url
        settings = {
            "system": "pmo",
            "base_url": pmo.url,
            "credentials": {"client_id": pmo.client_id, "client_secret": pmo.client_secret},
        }
    else:
        riv = await stack.enter_async_context(run_riv(now=NOW))
        seeder = RivSeeder(riv.url)
        admin_url = riv.admin_url
        settings = {
            "system": "riv",
            "base_url": riv.url,
            "options": {
                "earliest_booking": "next_day",
                "change_cutoff_hours": 24,
                "result_texts": MOCK_RESULT_TEXTS,
            },
        }
    stack.push_async_callback(seeder.aclose)
    admin = await stack.enter_async_context(httpx.AsyncClient(base_url=admin_url))
    return Backend(name, system, unit, seeder, admin), settings


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def running() -> AsyncIterator[World]:
    """Six mocks behind one BookingService, shared by every cell of the module.

    Sharing keeps the matrix fast (a new HTTP client costs tens of milliseconds); the breaker
    never opens with these settings, and every cell starts from a reset backend.
    """
    async with AsyncExitStack() as stack:
        backends: dict[str, Backend] = {}
        backend_settings: dict[str, Any] = {}
        for name, (_, unit) in BACKENDS.items():
            backends[name], backend_settings[name] = await _start(stack, name, unit)
        settings = TidbokSettings(
            backends=backend_settings,
            units=[
                {
                    "hsa_id": unit,
                    "name": f"Mottagningen {unit[-4:]}",
                    "backend": name,
                    "case_types": [{"kind": "book"}, {"kind": "manage"}],
                }
                for name, (_, unit) in BACKENDS.items()
            ],
            resilience=FAST,
        )
        registry = PluginRegistry()
        registry.register(tidbok_pasis, name="pasis")
        registry.register(tidbok_pmo, name="pmo")
        registry.register(tidbok_riv, name="riv")
        inbox = Inbox()
        registry.register(inbox, name="inbox")
        timer = PacedTimer()
        service = await stack.enter_async_context(
            BookingService(settings, registry=registry, clock=FrozenClock(NOW), timer=timer)
        )
        yield World(backends, service, inbox, timer)


@pytest_asyncio.fixture(loop_scope="module")
async def world(running: World) -> World:
    """The shared world, every backend reset (no faults, no request log) and seeded afresh."""
    for backend in running.backends.values():
        (await backend.admin.post("/reset")).raise_for_status()
        seeded = scenario(backend.system, backend.unit, backend.seeder)
        loaded = await backend.admin.post("/scenario", json=seeded)
        assert loaded.status_code < 300, loaded.text
    running.inbox.activities.clear()
    return running


# -- one cell ------------------------------------------------------------------------------------

#: The activity a successful write emits (R10).
ACTIVITIES: dict[Operation, ActivityKind] = {
    "book": ActivityKind.BOOKED,
    "rebook": ActivityKind.REBOOKED,
    "cancel": ActivityKind.CANCELLED,
    "invite": ActivityKind.INVITATION_BOOKED,
}

TARGETS: dict[Operation, FaultTarget] = {
    "book": FaultTarget.BOOK,
    "rebook": FaultTarget.REBOOK,
    "cancel": FaultTarget.CANCEL,
    "invite": FaultTarget.BOOK_INVITATION,
    "list": FaultTarget.LIST_BOOKINGS,
}

Result: TypeAlias = BookingResult | WriteOutcome | Schedule


def operate(world: World, operation: Operation, faulty: Backend) -> Awaitable[Result]:
    """The citizen's call for the operation on the faulty unit."""
    service, unit = world.service, faulty.unit
    if operation == "book":
        return service.book(CITIZEN, unit, faulty.slot_ref(NEW_SLOT), accept_terms=True)
    if operation == "rebook":
        return service.rebook(CITIZEN, unit, MINE, faulty.slot_ref(NEW_SLOT))
    if operation == "cancel":
        return service.cancel(CITIZEN, unit, MINE)
    if operation == "invite":
        invited = faulty.slot_ref(INVITED_SLOT)
        return service.book_invitation(CITIZEN, unit, INVITATION, invited, accept_terms=True)
    return service.schedule(CITIZEN)


@dataclass
class Faulty:
    """What the citizen's call on the faulty unit gave, and when it ended."""

    result: Result | None
    error: TidbokError | None
    ended: float


async def outcome_of(call: Awaitable[Result]) -> Faulty:
    """Run the call; a typed error is an outcome, anything else fails the test."""
    try:
        result = await call
    except TidbokError as error:
        return Faulty(None, error, time.monotonic())
    return Faulty(result, None, time.monotonic())


async def serve_healthy(world: World, backends: list[Backend]) -> float:
    """A slot search and a bookings list on every healthy unit; answer when they all ended."""
    week = (NOW, NOW + timedelta(days=7))
    slot_lists, booking_lists = await asyncio.gather(
        asyncio.gather(*(world.service.available_slots(CITIZEN, b.unit, *week) for b in backends)),
        asyncio.gather(*(world.service.unit_bookings(CITIZEN, b.unit) for b in backends)),
    )
    for backend, slots, bookings in zip(backends, slot_lists, booking_lists, strict=True):
        assert {s.id for s in slots} == {backend.slot_ref(s) for s in (NEW_SLOT, FREE_SLOT)}, (
            backend.name
        )
        assert {b.id for b in bookings} == set(SEEDED), backend.name
    return time.monotonic()


def expected_book(operation: Operation, done: bool, result: Result | None) -> dict[str, str]:
    """The citizen's bookings on the faulty unit after the cell (the appointment book's slot ids
    are the mock's, in every system)."""
    if not done or operation == "list":
        return dict(SEEDED)
    if operation == "book":
        assert isinstance(result, BookingResult)
        return SEEDED | {result.booking.id: NEW_SLOT}
    if operation == "invite":
        assert isinstance(result, BookingResult)
        return SEEDED | {result.booking.id: INVITED_SLOT}
    if operation == "rebook":
        return SEEDED | {MINE: NEW_SLOT}
    return {STAFF: SEEDED[STAFF]}


def check_result(
    operation: Operation, faulty: Backend, healthy: list[Backend], result: Result | None
) -> None:
    """The result the citizen got when the cell's outcome is "ok"."""
    if operation in ("book", "rebook", "invite"):
        assert isinstance(result, BookingResult)
        assert result.booking.unit == faulty.unit
        assert result.booking.start == at(25, 12 if operation == "invite" else 10)
        assert result.booking.subject_of_care == CITIZEN.subject_of_care
        # Booked or moved by the citizen just now, whether the answer came or was read back.
        assert result.booking.booked_by is BookedBy.CITIZEN
        assert result.booking.is_invitation is (operation == "invite")
        if operation == "rebook":
            assert result.booking.id == MINE
    elif operation == "cancel":
        assert isinstance(result, WriteOutcome)
    else:
        assert isinstance(result, Schedule)
        assert result.failed_units == ()
        everyone = [faulty, *healthy]
        assert {(b.unit, b.id) for b in result.bookings} == {
            (backend.unit, booking) for backend in everyone for booking in SEEDED
        }


def check_error(
    operation: Operation,
    fault: Fault,
    expected: type[TidbokError],
    faulty: Backend,
    healthy: list[Backend],
    result: Result | None,
    error: TidbokError | None,
) -> None:
    """The typed error the citizen got (for list: the failed unit in a partial schedule)."""
    if operation == "list":
        assert error is None, f"a failing unit must not fail the whole schedule: {error!r}"
        assert isinstance(result, Schedule)
        assert [(f.unit, f.code) for f in result.failed_units] == [(faulty.unit, expected.code)]
        assert {(b.unit, b.id) for b in result.bookings} == {
            (backend.unit, booking) for backend in healthy for booking in SEEDED
        }
        return
    assert result is None, f"expected {expected.__name__}, got {result!r}"
    assert type(error) is expected, f"expected {expected.__name__}, got {error!r}"
    if fault in ("http_503", "http_429"):
        assert isinstance(error, BackendUnavailable)
        assert error.retry_after == 1.0  # the backend's Retry-After, passed on to the caller


def cells() -> list[Any]:
    """Every (system, operation, fault), with a readable id."""
    return [
        pytest.param(system, operation, fault, id=f"{system}-{operation}-{fault}")
        for system in SYSTEMS
        for operation in OPERATIONS_OF[system]
        for fault in FAULTS
    ]


def test_the_table_covers_every_cell() -> None:
    assert set(EXPECTED) == {(s, o, f) for s in SYSTEMS for o in OPERATIONS_OF[s] for f in FAULTS}


def test_every_write_of_every_system_is_in_the_matrix() -> None:
    """Every write a system offers has its row; only a system without open invitations (PMO,
    riv) lacks the invitation row."""
    plugins = {"pasis": tidbok_pasis, "pmo": tidbok_pmo, "riv": tidbok_riv}
    for system in SYSTEMS:
        [declared] = plugins[system].tidbok_scheduling_systems()
        offered = set(WRITES)
        if Capability.OPEN_INVITATIONS not in declared.capabilities:
            offered.discard("invite")
        assert {o for o in OPERATIONS_OF[system] if o in WRITES} == offered, system
    assert "invite" in OPERATIONS_OF["pasis"]
    assert set(plugins) == set(SYSTEMS) == {system for system, _ in BACKENDS.values()}


def test_the_late_commit_falls_in_the_read_back_window() -> None:
    """``commit_after_client_timeout`` writes after the client gave up and well before the last
    read-back of PASiS and riv (``write_with_readback``: 3 reads, ``pause`` and ``2 * pause``
    apart; PASiS passes its ``readback_pause``, riv keeps the defaults)."""
    defaults = inspect.signature(write_with_readback).parameters
    assert defaults["attempts"].default == 3
    windows = {
        "pasis": inspect.signature(PasisAdapter).parameters["readback_pause"].default,
        "riv": defaults["pause"].default,
    }
    assert set(windows) == WRITES_ONCE
    for system, pause in windows.items():
        last_read = FAST.attempt_timeout + pause + 2 * pause
        # With room to spare.
        assert FAST.attempt_timeout < LATE_COMMIT_SECONDS < last_read - 0.3, system
        # The last read-back fits in the call's budget even if the budget ran in real time and
        # each of the three reads took a whole attempt (on the matrix's fake timer only the
        # pauses count against it), so the budget never cuts the window short.
        assert last_read + 3 * FAST.attempt_timeout < FAST.deadline, system
    assert "commit_after_client_timeout" in REAL_TIME_FAULTS


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("system", "operation", "fault"), cells())
async def test_fault_cell(world: World, system: System, operation: Operation, fault: Fault) -> None:
    expected = EXPECTED[(system, operation, fault)]
    faulty, healthy = world.faulty(system), world.healthy(system)
    # A delay and a late commit keep the backend busy in real time: the pauses that give it that
    # time (read-backs, PMO's key in progress) must take real time too. Every other fault answers
    # at once, so the waits it causes (Retry-After, read-back pauses) pass on the fake timer alone.
    world.timer.real_waits = fault in REAL_TIME_FAULTS
    target = TARGETS[operation]
    if operation == "list":
        # First the fault once: the read retries absorb it.
        await faulty.inject(fault, target, times=1)
        once = await world.service.schedule(CITIZEN)
        assert await faulty.clear_faults() == [], "the fault never fired"
        if fault in READ_RETRIED:
            check_result(operation, faulty, healthy, once)
        else:
            assert expected != "ok"
            check_error(operation, fault, expected, faulty, healthy, once, None)
    await faulty.inject(fault, target, times=None if operation == "list" else 1)

    started = time.monotonic()
    faulty_call, healthy_ended = await asyncio.gather(
        outcome_of(operate(world, operation, faulty)), serve_healthy(world, healthy)
    )
    result, error = faulty_call.result, faulty_call.error
    rules = await faulty.clear_faults()

    if fault == "commit_after_client_timeout" and operation != "list":
        await faulty.finished(fault)  # the late write has landed

    # 1. The caller's outcome (a one-time rule is spent once it fired).
    if operation == "list":
        assert [rule["fired"] for rule in rules] == [LIST_ATTEMPTS[fault]]
    else:
        assert rules == [], "the fault never fired"
    if expected == "ok":
        assert error is None, f"expected the result, got {error!r}"
        check_result(operation, faulty, healthy, result)
    else:
        check_error(operation, fault, expected, faulty, healthy, result, error)

    # 2. The appointment books: nothing lost, nothing doubled, the other units untouched.
    done = expected == "ok"
    assert await faulty.citizen_book() == expected_book(operation, done, result)
    for backend in healthy:
        assert await backend.citizen_book() == SEEDED, backend.name

    # One inbox message for a write that happened, none for one that did not (R10).
    emitted = [(a.kind, a.unit, a.booking_id) for a in world.inbox.activities]
    if operation != "list" and done:
        booking = result.booking.id if isinstance(result, BookingResult) else MINE
        assert emitted == [(ACTIVITIES[operation], faulty.unit, booking)]
    else:
        assert emitted == []

    # The write reached PASiS or riv once (a 503/429 refusal proves it did not, and is retried);
    # PMO always saw one Idempotency-Key.
    if operation != "list":
        method, path = faulty.seeder.fault_routes()[target]
        writes = await faulty.requests(method or "POST", path)
        if system in WRITES_ONCE:
            reached = [w for w in writes if w["status"] not in (429, 503)]
            assert len(reached) == 1, writes
        else:
            assert len({w["idempotency_key"] for w in writes} - {None}) == 1, writes

    # 3. The other units kept answering meanwhile, without waiting on the faulty one.
    healthy_took = healthy_ended - started
    assert healthy_took < FAST.deadline, f"healthy units took {healthy_took:.2f} s"
    if faulty_call.ended - started > 2 * FAST.attempt_timeout:
        # The faulty unit kept its caller waiting (timeouts, Retry-After, read-backs): the
        # other units had answered long before.
        assert healthy_ended < faulty_call.ended
    schedule = await world.service.schedule(CITIZEN)
    assert schedule.failed_units == ()
    books = [await backend.citizen_book() for backend in world.backends.values()]
    assert len(schedule.bookings) == sum(len(book) for book in books)
