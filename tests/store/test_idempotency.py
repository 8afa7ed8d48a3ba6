"""Idempotency keys, the same on SQLite and PostgreSQL: begin, replay, conflict, expiry, purge."""

from __future__ import annotations

from datetime import timedelta

from tidbok.gateway.store import BeginOutcome, GatewayStore, IdempotencyRecord

from .helpers import NOW

LOCK = timedelta(seconds=120)
CITIZEN = "hmac-of-tolvan"


async def test_a_new_key_starts_and_a_second_request_waits(store: GatewayStore) -> None:
    assert await store.begin(CITIZEN, "k", "fp", NOW, LOCK) == IdempotencyRecord(
        BeginOutcome.STARTED
    )
    again = await store.begin(CITIZEN, "k", "fp", NOW + timedelta(seconds=1), LOCK)
    assert again.outcome is BeginOutcome.IN_PROGRESS


async def test_a_finished_key_replays_its_answer(store: GatewayStore) -> None:
    await store.begin(CITIZEN, "k", "fp", NOW, LOCK)
    await store.complete(CITIZEN, "k", 201, '{"id": "b-1"}')
    replay = await store.begin(CITIZEN, "k", "fp", NOW + timedelta(days=2), LOCK)
    assert replay == IdempotencyRecord(BeginOutcome.REPLAY, status=201, body='{"id": "b-1"}')


async def test_another_body_is_a_mismatch(store: GatewayStore) -> None:
    await store.begin(CITIZEN, "k", "fp", NOW, LOCK)
    assert (await store.begin(CITIZEN, "k", "other", NOW, LOCK)).outcome is BeginOutcome.MISMATCH
    await store.complete(CITIZEN, "k", 201, "{}")
    assert (await store.begin(CITIZEN, "k", "other", NOW, LOCK)).outcome is BeginOutcome.MISMATCH


async def test_keys_are_per_citizen(store: GatewayStore) -> None:
    await store.begin(CITIZEN, "k", "fp", NOW, LOCK)
    other = await store.begin("hmac-of-another", "k", "other", NOW, LOCK)
    assert other.outcome is BeginOutcome.STARTED


async def test_an_abandoned_key_is_taken_over_by_the_same_request(store: GatewayStore) -> None:
    await store.begin(CITIZEN, "k", "fp", NOW, LOCK)
    at_limit = await store.begin(CITIZEN, "k", "fp", NOW + LOCK, LOCK)
    assert at_limit.outcome is BeginOutcome.IN_PROGRESS  # not older than the lock timeout yet
    later = NOW + LOCK + timedelta(microseconds=1)
    assert (await store.begin(CITIZEN, "k", "other", later, LOCK)).outcome is (
        BeginOutcome.MISMATCH
    )
    assert (await store.begin(CITIZEN, "k", "fp", later, LOCK)).outcome is BeginOutcome.STARTED
    # taken over at ``later``: the clock of the lock starts again
    soon = await store.begin(CITIZEN, "k", "fp", later + timedelta(seconds=1), LOCK)
    assert soon.outcome is BeginOutcome.IN_PROGRESS


async def test_release_frees_only_unfinished_keys(store: GatewayStore) -> None:
    await store.begin(CITIZEN, "open", "fp", NOW, LOCK)
    await store.begin(CITIZEN, "done", "fp", NOW, LOCK)
    await store.complete(CITIZEN, "done", 201, "{}")
    await store.release(CITIZEN, "open")
    await store.release(CITIZEN, "done")
    assert (await store.begin(CITIZEN, "open", "new", NOW, LOCK)).outcome is BeginOutcome.STARTED
    assert (await store.begin(CITIZEN, "done", "fp", NOW, LOCK)).outcome is BeginOutcome.REPLAY


async def test_purge_forgets_keys_created_before(store: GatewayStore) -> None:
    await store.begin(CITIZEN, "old", "fp", NOW, LOCK)
    await store.begin(CITIZEN, "new", "fp", NOW + timedelta(hours=2), LOCK)
    assert await store.purge(NOW + timedelta(hours=1)) == 1
    assert (await store.begin(CITIZEN, "old", "x", NOW, LOCK)).outcome is BeginOutcome.STARTED
    assert (await store.begin(CITIZEN, "new", "x", NOW, LOCK)).outcome is BeginOutcome.MISMATCH
