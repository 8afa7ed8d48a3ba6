"""An outbox that cannot lose a message: intents stored first, unconfirmed ones read back.

Every citizen write is announced (its intent stored in SQLite) before it reaches the backend; a
store that cannot take the intent refuses the write. The message and the intent's confirmation are
committed together after the write; whatever stays unconfirmed is settled by the reconciler,
which reads the booking back: a write that happened gets exactly one message, one that did not
gets none.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tidbok import hookimpl
from tidbok.clock import FrozenClock
from tidbok.errors import BackendTimeout, OutcomeUnknown, TechnicalFault
from tidbok.events import ActivityIntent, ActivityKind
from tidbok.gateway import RunningGateway, SqliteGatewayStore, issue_token, start_gateway
from tidbok.gateway.ids import encode_id
from tidbok.gateway.intent_store import IntentState
from tidbok.gateway.outbox import OutboxRecorder
from tidbok.gateway.reconciler import Reconciler
from tidbok.gateway.sqlite_file import StoreInUse
from tidbok.gateway.store import OutboxMessage
from tidbok.models import BookedBy
from tidbok.service import BookingService
from tidbok_mocks.inbox import InboxServer

from .conftest import (
    AUDIENCE,
    ISSUER,
    NOW,
    OTHER,
    PASIS_UNIT,
    PMO_UNIT,
    SECRET,
    TOLVAN,
    Gateway,
    Systems,
    at,
    make_settings,
    make_systems,
    wait_until,
)

AUTH = {
    "Authorization": "Bearer "
    + issue_token(
        SECRET, TOLVAN.value, audience=AUDIENCE, issuer=ISSUER, expires_at=NOW + timedelta(hours=8)
    )
}


@asynccontextmanager
async def gateway_on(
    outbox: Path, inbox_url: str | None, systems: Systems, **options: Any
) -> AsyncIterator[tuple[RunningGateway, httpx.AsyncClient]]:
    settings = make_settings(outbox, inbox_url, **{"inbox_api_key": "inbox-key", **options})
    async with BookingService(settings, registry=systems.registry, clock=FrozenClock(NOW)) as svc:
        running = await start_gateway(settings, svc, port=0)
        async with running, httpx.AsyncClient(base_url=running.url, timeout=10) as client:
            yield running, client


async def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the gateway's SQLite file from another connection (as an operator would)."""
    with sqlite3.connect(path) as db:
        return list(db.execute(sql).fetchall())


class Citizen:
    """The four writes, over HTTP, on the memory systems."""

    def __init__(self, client: httpx.AsyncClient, systems: Systems) -> None:
        self.client = client
        self.systems = systems

    async def book(self) -> httpx.Response:
        slot = self.systems.pmo.add_slot(PMO_UNIT, at(2, 10))
        return await self.client.post(
            "/v1/bookings",
            json={"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True},
            headers=AUTH,
        )

    async def rebook(self) -> httpx.Response:
        booking = self.systems.pmo.add_booking(
            PMO_UNIT, TOLVAN, at(3, 9), booked_by=BookedBy.CITIZEN
        )
        target = self.systems.pmo.add_slot(PMO_UNIT, at(4, 14))
        return await self.client.post(
            f"/v1/bookings/{encode_id(PMO_UNIT, booking.id)}/rebook",
            json={"slot_id": target.id},
            headers=AUTH,
        )

    async def cancel(self) -> httpx.Response:
        booking = self.systems.pasis.add_booking(
            PASIS_UNIT, TOLVAN, at(5, 11), booked_by=BookedBy.CITIZEN
        )
        return await self.client.post(
            f"/v1/bookings/{encode_id(PASIS_UNIT, booking.id)}/cancel", headers=AUTH
        )

    async def book_invitation(self) -> httpx.Response:
        invitation = self.systems.pasis.add_invitation(PASIS_UNIT, TOLVAN, [at(6, 9)])
        return await self.client.post(
            f"/v1/invitations/{encode_id(PASIS_UNIT, invitation.id)}/book",
            json={"slot_id": invitation.slots[0].id, "accept_terms": True},
            headers=AUTH,
        )

    def writes(self) -> list[Callable[[], Awaitable[httpx.Response]]]:
        return [self.book, self.rebook, self.cancel, self.book_invitation]


# -- the intent comes first -----------------------------------------------------------------------


async def test_the_intent_is_stored_before_the_backend_write_and_confirmed_with_the_message(
    gw: Gateway,
) -> None:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    gw.pmo.delay = 0.2
    pending = asyncio.create_task(
        gw.client.post(
            "/v1/bookings",
            json={"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True},
            headers=gw.auth(),
        )
    )

    async def announced() -> bool:
        return await gw.gateway.store.count_open_intents() == 1

    await wait_until(announced)
    assert gw.pmo.bookings == {}  # not yet written in the backend
    assert (await pending).status_code == 201
    assert await gw.gateway.store.count_open_intents() == 0
    [message] = await gw.gateway.store.messages_for(TOLVAN.value, 5)
    rows = await _rows(_path(gw), "SELECT id, state, booking_id FROM intents")
    booking_id = next(iter(gw.pmo.bookings))
    assert rows == [(message.id, IntentState.CONFIRMED.value, booking_id)]


async def test_a_store_that_cannot_record_the_intent_refuses_and_nothing_is_booked(
    gw: Gateway,
) -> None:
    store = gw.gateway.store
    assert isinstance(store, SqliteGatewayStore)
    await store.db.execute("PRAGMA busy_timeout = 100")  # instead of waiting 5 s
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    body = {"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True}
    locker = sqlite3.connect(store.path, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")  # another process holds the file's write lock
        refused = await gw.client.post("/v1/bookings", json=body, headers=gw.auth())
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.headers["Retry-After"] == "5"
    assert refused.json()["code"] == "activity_not_recorded"
    assert "book" not in gw.pmo.calls  # the backend was never asked to write
    assert gw.pmo.bookings == {}
    assert await store.messages_for(TOLVAN.value, 5) == []
    metrics = (await gw.client.get("/metrics")).text
    assert "tidbok_outbox_intent_write_failures_total 1" in metrics

    again = await gw.client.post("/v1/bookings", json=body, headers=gw.auth())
    assert again.status_code == 201
    assert len(await store.messages_for(TOLVAN.value, 5)) == 1


async def test_a_refused_write_drops_its_intent(gw: Gateway) -> None:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))

    class Racer:
        """Another citizen takes the slot between the 1177 checks and the write."""

        @hookimpl(trylast=True)
        def tidbok_activity_intent(self, intent: ActivityIntent) -> None:
            gw.pmo._reserve(slot.id, OTHER, None, BookedBy.CITIZEN)

    gw.service.registry.register(Racer(), name="racer")
    refused = await gw.client.post(
        "/v1/bookings",
        json={"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True},
        headers=gw.auth(),
    )
    assert refused.status_code == 409
    assert await gw.gateway.store.count_open_intents() == 0
    assert await _rows(_path(gw), "SELECT COUNT(*) FROM intents") == [(0,)]
    assert await gw.gateway.store.messages_for(TOLVAN.value, 5) == []


# -- failing to record after the backend committed ------------------------------------------------


async def test_a_message_write_that_fails_is_retried_and_the_answer_stays_a_success(
    gw: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = gw.gateway.store
    original = store.add_activity_message
    failures = iter([OSError("disk I/O error"), sqlite3.OperationalError("database is locked")])

    async def flaky(message: OutboxMessage, intent_id: str, booking_id: str | None) -> None:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        await original(message, intent_id, booking_id)

    monkeypatch.setattr(store, "add_activity_message", flaky)
    response = await Citizen(gw.client, _systems(gw)).book()
    assert response.status_code == 201
    assert [m.kind for m in await store.messages_for(TOLVAN.value, 5)] == ["booked"]
    assert await store.count_open_intents() == 0
    assert gw.gateway.recorder.unrecorded == {}


async def test_a_message_write_that_keeps_failing_is_written_by_the_reconciler(
    gw: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = gw.gateway.store
    original = store.add_activity_message
    broken = True

    async def failing(message: OutboxMessage, intent_id: str, booking_id: str | None) -> None:
        if broken:
            raise OSError("disk I/O error")
        await original(message, intent_id, booking_id)

    monkeypatch.setattr(store, "add_activity_message", failing)
    gw.gateway.recorder.record_backoff = 0.001
    response = await Citizen(gw.client, _systems(gw)).book()
    assert response.status_code == 201  # the booking happened: never a false failure
    assert await store.messages_for(TOLVAN.value, 5) == []
    assert len(gw.gateway.recorder.unrecorded) == 1
    reconciler = gw.gateway.reconciler
    assert reconciler is not None
    assert (await reconciler.reconcile()).left == 1  # still broken: kept, not forgotten
    broken = False
    report = await reconciler.reconcile()
    assert (report.delivered, report.dropped, report.left) == (0, 0, 0)  # written from memory
    assert [m.kind for m in await store.messages_for(TOLVAN.value, 5)] == ["booked"]
    assert await store.count_open_intents() == 0


# -- reconciling after a crash --------------------------------------------------------------------


async def test_writes_that_happened_before_a_crash_get_their_messages_at_restart(
    tmp_path: Path, inbox: InboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = tmp_path / "outbox.sqlite3"
    systems = make_systems()
    async with gateway_on(outbox, None, systems) as (running, client):
        # The backend commits each write, then the process "dies" before the message is written.
        async def dies(message: OutboxMessage, intent_id: str, booking_id: str | None) -> None:
            raise OSError("killed")

        monkeypatch.setattr(running.store, "add_activity_message", dies)
        running.recorder.record_attempts = 1
        for write in Citizen(client, systems).writes():
            assert (await write()).status_code in (200, 201)
        running.recorder.unrecorded.clear()  # what a dead process forgets
        assert await running.store.count_open_intents() == 4
    monkeypatch.undo()

    async with gateway_on(outbox, inbox.url, systems) as (running, client):

        async def settled() -> bool:
            return len(inbox.state.store.all()) == 4

        await wait_until(settled)
        assert await running.store.count_open_intents() == 0
        ready = (await client.get("/readyz")).json()
        assert ready["outbox_intents"] == 0
        metrics = (await client.get("/metrics")).text
    assert 'tidbok_outbox_reconciled_total{outcome="delivered"} 4' in metrics
    kinds = sorted(message.content.kind for message in inbox.state.store.all())
    assert kinds == ["booked", "cancelled", "invitation_booked", "rebooked"]
    bodies = {message.content.kind: message.content.body for message in inbox.state.store.all()}
    assert bodies["rebooked"] == (
        "Din tid fredag 4 december 2026 kl. 09:00 hos Barnmorskemottagningen Solna är ombokad. "
        "Din nya tid är lördag 5 december 2026 kl. 14:00."
    )
    assert bodies["cancelled"].startswith("Din tid för Läkarbesök hos Vårdcentralen Tensta")
    assert inbox.state.store.deliveries == 4


async def test_writes_that_did_not_happen_before_a_crash_get_no_message(
    tmp_path: Path, inbox: InboxServer
) -> None:
    outbox = tmp_path / "outbox.sqlite3"
    systems = make_systems()
    async with gateway_on(outbox, None, systems) as (running, client):
        # Each write is announced, then the backend never gets it (the process "died" first).

        async def die_before_the_write(intent: ActivityIntent) -> None:
            systems.pmo_system.fail = systems.pasis_system.fail = BackendTimeout("killed")

        for write in Citizen(client, systems).writes():
            assert (await _announce_then(running, write, die_before_the_write)).status_code == 504
            systems.pmo_system.fail = systems.pasis_system.fail = None
        assert await running.store.count_open_intents() == 4

    async with gateway_on(outbox, inbox.url, systems) as (running, client):
        reconciler = running.reconciler
        assert reconciler is not None
        await asyncio.wait_for(reconciler.first_pass.wait(), 5)
        assert await running.store.count_open_intents() == 0
        metrics = (await client.get("/metrics")).text
    assert 'tidbok_outbox_reconciled_total{outcome="dropped"} 4' in metrics
    assert await _rows(outbox, "SELECT COUNT(*) FROM outbox") == [(0,)]
    assert inbox.state.store.all() == []


async def _announce_then(
    running: RunningGateway,
    write: Callable[[], Awaitable[httpx.Response]],
    after: Callable[[ActivityIntent], Awaitable[None]],
) -> httpx.Response:
    """Run ``write`` with ``after`` called once its intent is stored."""
    recorder = running.recorder
    original = recorder._announce

    async def announce(intent: ActivityIntent) -> None:
        await original(intent)
        await after(intent)

    recorder._announce = announce  # type: ignore[method-assign]
    try:
        return await write()
    finally:
        recorder._announce = original  # type: ignore[method-assign]


@pytest.mark.parametrize(
    ("lost", "status"),
    [
        (BackendTimeout("the answer was lost"), 504),
        # Not a BackendTimeout, and not a refusal: the write may have happened, so the intent is
        # left for the reconciler, as after a timeout.
        (OutcomeUnknown("book: answered 500 after the request was sent; read back nothing"), 502),
    ],
    ids=["backend_timeout", "outcome_unknown"],
)
async def test_a_lost_answer_is_settled_within_the_run(
    gw: Gateway, lost: TechnicalFault, status: int
) -> None:
    """A write whose answer was lost (504) or ambiguous with nothing read back (502,
    outcome_unknown) keeps its intent, which the next pass reads back: it happened."""
    gw.pmo_system.lose_answer = lost
    citizen = Citizen(gw.client, _systems(gw))
    answer = await citizen.book()
    assert answer.status_code == status
    assert answer.json()["code"] == lost.code
    gw.pmo_system.lose_answer = None
    store = gw.gateway.store
    assert await store.count_open_intents() == 1
    reconciler = gw.gateway.reconciler
    assert reconciler is not None
    report = await reconciler.reconcile()
    assert (report.delivered, report.dropped) == (1, 0)
    assert [m.kind for m in await store.messages_for(TOLVAN.value, 5)] == ["booked"]
    assert (await reconciler.reconcile()).delivered == 0  # never twice


async def test_a_timed_out_write_done_again_by_the_citizen_gets_one_message(gw: Gateway) -> None:
    """The backend timed out without acting; the citizen rebooked again, which worked. Reading
    back shows the booking moved, but the later confirmed rebooking saw it still at the old start:
    the first did not happen."""
    booking = gw.pmo.add_booking(PMO_UNIT, TOLVAN, at(3, 9), booked_by=BookedBy.CITIZEN)
    target = gw.pmo.add_slot(PMO_UNIT, at(4, 14))
    path = f"/v1/bookings/{encode_id(PMO_UNIT, booking.id)}/rebook"

    async def time_out(intent: ActivityIntent) -> None:
        gw.pmo_system.fail = BackendTimeout("no answer")

    gw.clock.advance(timedelta(seconds=1))
    first = await _announce_then(
        gw.gateway,
        lambda: gw.client.post(path, json={"slot_id": target.id}, headers=gw.auth()),
        time_out,
    )
    gw.pmo_system.fail = None
    gw.clock.advance(timedelta(seconds=1))
    again = await gw.client.post(path, json={"slot_id": target.id}, headers=gw.auth())
    assert (first.status_code, again.status_code) == (504, 200)
    reconciler = gw.gateway.reconciler
    assert reconciler is not None
    report = await reconciler.reconcile()
    assert (report.delivered, report.dropped, report.left) == (0, 1, 0)
    assert [m.kind for m in await gw.gateway.store.messages_for(TOLVAN.value, 5)] == ["rebooked"]


async def test_an_intent_of_another_live_gateway_waits_for_the_deadline(
    tmp_path: Path,
) -> None:
    """On a store shared by several gateways, another run's young intent may still be in flight."""
    systems = make_systems()
    clock = FrozenClock(NOW)
    settings = make_settings(tmp_path / "o.sqlite3", None, intent_deadline=60)
    store = SqliteGatewayStore(tmp_path / "o.sqlite3")
    await store.open()
    try:
        slot = systems.pmo.add_slot(PMO_UNIT, at(2, 10))
        intent = _intent(ActivityKind.BOOKED, slot_id=slot.id, start=slot.start)
        await store.add_intent(intent, run="another-gateway")
        async with BookingService(settings, registry=systems.registry, clock=clock) as service:
            recorder = OutboxRecorder(store)
            reconciler = Reconciler(store, service, recorder, deadline=60, interval=60)
            shared = _Shared(store)
            reconciler.store = shared
            assert (await reconciler.reconcile()).left == 1
            clock.advance(timedelta(seconds=61))
            assert (await reconciler.reconcile()).dropped == 1
    finally:
        await store.close()


async def test_one_booking_never_gets_two_booked_messages(tmp_path: Path) -> None:
    systems = make_systems()
    settings = make_settings(tmp_path / "o.sqlite3", None)
    store = SqliteGatewayStore(tmp_path / "o.sqlite3")
    await store.open()
    try:
        booking = systems.pmo.add_booking(PMO_UNIT, TOLVAN, at(2, 10), booked_by=BookedBy.CITIZEN)
        first = _intent(ActivityKind.BOOKED, start=booking.start)
        second = _intent(ActivityKind.BOOKED, start=booking.start, id="intent-2")
        cancel = _intent(ActivityKind.CANCELLED, booking_id="bk-gone", start=booking.start)
        cancel_again = _intent(
            ActivityKind.CANCELLED, booking_id="bk-gone", start=booking.start, id="intent-4"
        )
        for intent in (first, second, cancel, cancel_again):
            await store.add_intent(intent, run="dead")
        async with BookingService(
            settings, registry=systems.registry, clock=FrozenClock(NOW)
        ) as service:
            reconciler = Reconciler(store, service, OutboxRecorder(store), deadline=60, interval=60)
            report = await reconciler.reconcile()
        assert (report.delivered, report.dropped, report.left) == (2, 2, 0)
        assert sorted(m.kind for m in await store.messages_for(TOLVAN.value, 10)) == [
            "booked",
            "cancelled",
        ]
    finally:
        await store.close()


async def test_a_second_gateway_on_the_same_file_is_refused(tmp_path: Path) -> None:
    first = SqliteGatewayStore(tmp_path / "o.sqlite3")
    await first.open()
    try:
        assert first.exclusive
        with pytest.raises(StoreInUse, match="one SQLite file serves one gateway"):
            await SqliteGatewayStore(tmp_path / "o.sqlite3").open()
    finally:
        await first.close()
    again = SqliteGatewayStore(tmp_path / "o.sqlite3")
    await again.open()  # released on close (and by the kernel when a process dies)
    await again.close()


class _Shared:
    """A store that is not this process's alone (as a PostgreSQL store for several replicas)."""

    exclusive = False

    def __init__(self, store: SqliteGatewayStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _path(gw: Gateway) -> Path:
    store = gw.gateway.store
    assert isinstance(store, SqliteGatewayStore)
    return store.path


def _systems(gw: Gateway) -> Systems:
    return Systems(gw.service.registry, gw.pasis_system, gw.pmo_system)


def _intent(kind: ActivityKind, **fields: Any) -> ActivityIntent:
    values: dict[str, Any] = {
        "id": "intent-1",
        "kind": kind,
        "unit": PMO_UNIT,
        "unit_name": "Barnmorskemottagningen Solna",
        "system": "memory_pmo",
        "subject_of_care": TOLVAN,
        "time_type_id": "tt-1",
        "time_type_name": "Läkarbesök",
        "created_at": NOW,
        **fields,
    }
    if kind is ActivityKind.CANCELLED:
        values["id"] = fields.get("id", "intent-3")
        values.setdefault("end", values["start"] + timedelta(minutes=30))
    return ActivityIntent.model_validate(values)
