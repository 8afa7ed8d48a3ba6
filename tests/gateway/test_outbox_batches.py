"""The outbox worker delivers in concurrent batches: citizens side by side, each one in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tidbok.clock import FrozenClock
from tidbok.gateway.outbox import OutboxWorker
from tidbok.gateway.store import DeliveryState, OutboxMessage, SqliteGatewayStore
from tidbok_mocks.inbox import InboxServer

from .conftest import NOW, OTHER, TOLVAN


def _message(name: str, citizen: str, number: int) -> OutboxMessage:
    return OutboxMessage(
        id=name,
        citizen=citizen,
        kind="booked",
        unit="SE2321000016-1234",
        unit_name="Vårdcentralen Tensta",
        subject=f"Bokad tid {number}",
        body="Välkommen.",
        created_at=NOW + timedelta(seconds=number),
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteGatewayStore]:
    the_store = SqliteGatewayStore(tmp_path / "outbox.sqlite3")
    await the_store.open()
    yield the_store
    await the_store.close()


async def _fault(inbox: InboxServer, spec: dict[str, object]) -> None:
    async with httpx.AsyncClient(base_url=inbox.admin_url) as admin:
        (await admin.post("/faults", json=spec)).raise_for_status()


async def _write(store: SqliteGatewayStore, names: list[tuple[str, str]]) -> None:
    for number, (name, citizen) in enumerate(names, start=1):
        await store.add_message(_message(name, citizen, number))


async def test_a_transient_failure_holds_back_only_that_citizen(
    store: SqliteGatewayStore, inbox: InboxServer
) -> None:
    a, b = TOLVAN.value, OTHER.value
    await _write(store, [("a-1", a), ("b-1", b), ("a-2", a), ("b-2", b), ("a-3", a)])
    await _fault(inbox, {"kind": "http_503", "times": 1, "match": {"path": "/a-1$"}})
    worker = OutboxWorker(store, inbox.url, FrozenClock(NOW), api_key="inbox-key")
    try:
        assert await worker.deliver_pending() is False  # a-1 failed: a retry is due
        assert [m.id for m in inbox.state.store.all()] == ["b-1", "b-2"]
        assert [m.id for m in await store.pending(10)] == ["a-1", "a-2", "a-3"]
        assert await worker.deliver_pending() is True
    finally:
        await worker.stop()
    assert [m.id for m in inbox.state.store.for_citizen(TOLVAN.value)] == ["a-1", "a-2", "a-3"]
    async with httpx.AsyncClient(base_url=inbox.admin_url) as admin:
        log = (await admin.get("/requests")).json()["requests"]
    tried = [(e["path"].rsplit("/", 1)[-1], e["status"]) for e in log if e["method"] == "PUT"]
    assert [entry for entry in tried if entry[0].startswith("a-")] == [
        ("a-1", 503),
        ("a-1", 201),
        ("a-2", 201),
        ("a-3", 201),
    ]
    states = {m.id: (m.state, m.attempts) for m in await store.messages_for(TOLVAN.value, 10)}
    assert states == {
        "a-1": (DeliveryState.DELIVERED, 2),
        "a-2": (DeliveryState.DELIVERED, 1),
        "a-3": (DeliveryState.DELIVERED, 1),
    }


async def test_citizens_are_delivered_side_by_side(
    store: SqliteGatewayStore, inbox: InboxServer
) -> None:
    """A slow delivery to one citizen does not hold up the others' (they are sent meanwhile)."""
    await _write(store, [("b-1", OTHER.value), *((f"a-{n}", TOLVAN.value) for n in range(1, 4))])
    await _fault(inbox, {"kind": "delay", "seconds": 0.5, "times": 1, "match": {"path": "/b-1$"}})
    worker = OutboxWorker(store, inbox.url, FrozenClock(NOW), api_key="inbox-key")
    try:
        assert await worker.deliver_pending() is True
    finally:
        await worker.stop()
    assert [m.id for m in inbox.state.store.all()] == ["a-1", "a-2", "a-3", "b-1"]
    assert await store.count_pending() == 0


async def test_a_refused_message_does_not_stop_the_next(
    store: SqliteGatewayStore, inbox: InboxServer
) -> None:
    await _write(store, [("a-1", TOLVAN.value), ("a-2", TOLVAN.value)])
    worker = OutboxWorker(store, inbox.url, FrozenClock(NOW), api_key="inbox-key", concurrency=1)
    try:
        async with httpx.AsyncClient(base_url=inbox.url) as raw:  # a-1's id taken, other content
            body = _message("a-1", TOLVAN.value, 9).wire()
            headers = {"X-Api-Key": "inbox-key"}
            answer = await raw.put("/api/messages/a-1", json=body, headers=headers)
            assert answer.status_code == 201
        assert await worker.deliver_pending() is True
    finally:
        await worker.stop()
    states = {m.id: m.state for m in await store.messages_for(TOLVAN.value, 10)}
    assert states == {"a-1": DeliveryState.DEAD, "a-2": DeliveryState.DELIVERED}


async def test_no_send_starts_after_half_the_claim_the_rest_is_claimed_again(
    store: SqliteGatewayStore, inbox: InboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A slow inbox: each of one citizen's messages takes 0.3 s and a claim lasts 0.4 s, so the
    worker stops a batch after one send (half the claim is over) and claims the rest again,
    instead of sending on while another replica could take the rows over."""
    await _write(store, [(f"a-{n}", TOLVAN.value) for n in range(1, 4)])
    await _fault(inbox, {"kind": "delay", "seconds": 0.3, "match": {"path": "/a-"}})
    worker = OutboxWorker(
        store, inbox.url, FrozenClock(NOW), api_key="inbox-key", claim_seconds=0.4
    )
    try:
        with caplog.at_level("INFO", logger="tidbok.gateway.outbox"):
            assert await worker.deliver_pending() is True
    finally:
        await worker.stop()
    assert [m.id for m in inbox.state.store.all()] == ["a-1", "a-2", "a-3"]
    cuts = [r for r in caplog.records if "claim is half over" in r.getMessage()]
    assert len(cuts) == 2
    states = {m.id: (m.state, m.attempts) for m in await store.messages_for(TOLVAN.value, 10)}
    assert set(states.values()) == {(DeliveryState.DELIVERED, 1)}
