"""The outbox, the same on SQLite and PostgreSQL: write, claim, deliver, fail, read, purge."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tidbok.clock import STOCKHOLM
from tidbok.gateway.store import DeliveryState, GatewayStore

from .conftest import StoreMaker
from .helpers import NOW, OTHER, TOLVAN, intent, message


async def test_a_message_is_stored_as_written(store: GatewayStore) -> None:
    written = message(1)
    await store.add_message(written)
    [pending] = await store.pending(10)
    assert pending == written
    assert pending.created_at.tzinfo == STOCKHOLM
    assert pending.created_at == NOW + timedelta(seconds=1)  # microseconds kept
    assert await store.count_pending() == 1


async def test_pending_is_oldest_first_and_limited(store: GatewayStore) -> None:
    for number in (3, 1, 2):
        await store.add_message(message(number))
    assert [m.id for m in await store.pending(2)] == ["m-3", "m-1"]  # in the order written
    assert [m.id for m in await store.pending(10)] == ["m-3", "m-1", "m-2"]


async def test_a_store_gets_its_own_claims_again(store: GatewayStore) -> None:
    await store.add_message(message(1))
    first = await store.pending(10)
    again = await store.pending(10)
    assert [m.id for m in first] == [m.id for m in again] == ["m-1"]


async def test_delivered_leaves_pending_and_keeps_a_pseudonym(store: GatewayStore) -> None:
    await store.add_message(message(1))
    await store.add_message(message(2))
    delivered_at = NOW + timedelta(minutes=1)
    await store.mark_delivered("m-1", delivered_at)
    assert [m.id for m in await store.pending(10)] == ["m-2"]
    assert await store.count_pending() == 1
    [second, first] = await store.messages_for(TOLVAN, 10)
    assert (first.id, first.state, first.attempts) == ("m-1", DeliveryState.DELIVERED, 1)
    assert first.delivered_at == delivered_at
    assert first.citizen == TOLVAN  # found by its HMAC, given back as asked
    assert second.state is DeliveryState.PENDING


async def test_a_failure_counts_and_dead_stops(store: GatewayStore) -> None:
    await store.add_message(message(1))
    await store.add_message(message(2))
    await store.pending(10)
    await store.record_failure("m-1", "inbox answered 503", dead=False)
    await store.record_failure("m-2", "inbox answered 400: " + "x" * 900, dead=True)
    [retry] = await store.pending(10)
    assert (retry.id, retry.attempts, retry.state) == ("m-1", 1, DeliveryState.PENDING)
    states = {m.id: (m.state, m.attempts) for m in await store.messages_for(TOLVAN, 10)}
    assert states == {"m-1": (DeliveryState.PENDING, 1), "m-2": (DeliveryState.DEAD, 1)}
    assert await store.count_pending() == 1


async def test_messages_for_is_newest_first_and_per_citizen(store: GatewayStore) -> None:
    for number in range(1, 5):
        await store.add_message(message(number))
    await store.add_message(message(9, citizen=OTHER))
    assert [m.id for m in await store.messages_for(TOLVAN, 3)] == ["m-4", "m-3", "m-2"]
    assert [m.id for m in await store.messages_for(OTHER, 10)] == ["m-9"]
    assert await store.messages_for("200001012384", 10) == []


async def test_purge_deletes_delivered_and_dead_only_before(store: GatewayStore) -> None:
    for number in range(1, 6):
        await store.add_message(message(number))
    await store.mark_delivered("m-1", NOW)
    await store.mark_delivered("m-2", NOW + timedelta(hours=2))
    await store.record_failure("m-3", "gone", dead=True)  # created NOW + 3 s
    await store.record_failure("m-4", "later", dead=False)
    removed = await store.purge_messages(NOW + timedelta(hours=1))
    assert removed == 2
    assert sorted(m.id for m in await store.messages_for(TOLVAN, 10)) == ["m-2", "m-4", "m-5"]
    assert await store.purge_messages(NOW + timedelta(hours=1)) == 0


async def test_an_activity_message_confirms_its_intent_once(store: GatewayStore) -> None:
    await store.add_intent(intent(1), "run-1")
    await store.add_activity_message(message(1), "i-1", "booking-1")
    await store.add_activity_message(message(1, subject="again"), "i-1", None)
    [stored] = await store.messages_for(TOLVAN, 10)
    assert stored.subject == "Bokad tid 1"  # the first one stays
    assert await store.count_open_intents() == 0
    assert await store.claimed(["booked"], "booking-1", but="other")
    assert await store.open_intents(10) == []


async def test_concurrent_writers_keep_every_message(store: GatewayStore) -> None:
    await asyncio.gather(*(store.add_message(message(number)) for number in range(1, 21)))
    assert await store.count_pending() == 20
    assert len(await store.pending(50)) == 20


async def test_a_restart_takes_its_claims_back_at_once(make_store: StoreMaker) -> None:
    """The same store reopened (a gateway restart) delivers what the last run had claimed.

    With PostgreSQL another process could be a live replica, so its claims wait for the lease;
    SQLite belongs to one process, so a restart frees them. Both keep the messages.
    """
    first = await make_store.opened(lease_seconds=0.2)
    await first.add_message(message(1))
    assert len(await first.pending(10)) == 1
    await first.close()
    again = await make_store.opened(lease_seconds=0.2)
    found = await again.pending(10)
    if make_store.kind == "postgres":
        assert found == []  # the first run might be a live replica: its lease holds
        await asyncio.sleep(0.25)
        found = await again.pending(10)
    assert [m.id for m in found] == ["m-1"]
    assert await again.count_pending() == 1


async def test_a_batch_is_marked_delivered_at_once(store: GatewayStore) -> None:
    for number in (1, 2, 3):
        await store.add_message(message(number, citizen=OTHER if number == 2 else TOLVAN))
    claimed = await store.pending(10)
    await store.mark_delivered("m-3", NOW)  # delivered earlier, e.g. by a replica that took over
    await store.mark_all_delivered(claimed, NOW + timedelta(minutes=1))
    assert await store.count_pending() == 0
    mine = {m.id: m for m in await store.messages_for(TOLVAN, 10)}
    assert {key: (m.state, m.attempts) for key, m in mine.items()} == {
        "m-1": (DeliveryState.DELIVERED, 1),
        "m-3": (DeliveryState.DELIVERED, 1),  # not counted (nor its pseudonym hashed) twice
    }
    assert mine["m-1"].delivered_at == NOW + timedelta(minutes=1)
    assert mine["m-3"].delivered_at == NOW
    [other] = await store.messages_for(OTHER, 10)  # found again by its own pseudonym
    assert (other.id, other.citizen, other.state) == ("m-2", OTHER, DeliveryState.DELIVERED)


async def test_purge_goes_in_batches_and_keeps_pending(
    store: GatewayStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tidbok.gateway.store.PURGE_BATCH", 2)
    for number in range(1, 8):
        await store.add_message(message(number))
    await store.mark_all_delivered(
        [m for m in await store.pending(10) if m.id not in ("m-4", "m-7")], NOW
    )
    assert await store.purge_messages(NOW + timedelta(hours=1)) == 5
    assert [m.id for m in await store.messages_for(TOLVAN, 10)] == ["m-7", "m-4"]
    assert [m.id for m in await store.pending(10)] == ["m-4", "m-7"]
    await store.add_message(message(8))  # after a purge, a new message is still the newest
    assert [m.id for m in await store.messages_for(TOLVAN, 10)] == ["m-8", "m-7", "m-4"]
