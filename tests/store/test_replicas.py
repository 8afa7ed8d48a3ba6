"""Several gateway replicas on one PostgreSQL database: what sharing the store must keep safe.

SQLite is one process's store by design (a second one refuses the file: test_migrations.py
and tests/gateway/test_reconcile.py), so these run on PostgreSQL only: two or more store objects,
each with its own pool, on one fresh database of the session's real server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psycopg

from tests.gateway.conftest import wait_until
from tidbok.gateway.pg_base import RECONCILE_LOCK
from tidbok.gateway.store import BeginOutcome, GatewayStore

from .helpers import NOW, intent, message

LOCK = timedelta(seconds=120)
Opened = Callable[..., Any]


async def test_a_claimed_message_is_hidden_from_another_replica(replicas: Opened) -> None:
    one: GatewayStore = await replicas()
    two: GatewayStore = await replicas()
    for number in (1, 2, 3):
        await one.add_message(message(number))
    assert [m.id for m in await one.pending(2)] == ["m-1", "m-2"]
    assert [m.id for m in await two.pending(10)] == ["m-3"]
    assert await two.pending(10) == [m for m in await two.pending(10)]  # its own, again
    assert await one.count_pending() == await two.count_pending() == 3


async def test_an_expired_lease_is_taken_over(replicas: Opened) -> None:
    crashed: GatewayStore = await replicas(lease_seconds=0.3)
    survivor: GatewayStore = await replicas(lease_seconds=0.3)
    await crashed.add_message(message(1))
    await crashed.add_intent(intent(1), "run-crashed")
    assert len(await crashed.pending(10)) == 1
    assert len(await crashed.open_intents(10)) == 1
    assert await survivor.pending(10) == []
    assert await survivor.open_intents(10) == []
    await asyncio.sleep(0.35)
    [taken] = await survivor.pending(10)
    [settling] = await survivor.open_intents(10)
    assert (taken.id, settling.intent.id, settling.run) == ("m-1", "i-1", "run-crashed")
    assert await crashed.pending(10) == []  # the survivor's lease now holds it
    await survivor.mark_delivered("m-1", NOW)
    assert await crashed.pending(10) == []
    assert await survivor.count_pending() == 0


async def test_the_reconciling_replica_takes_over_ended_passes_claims(replicas: Opened) -> None:
    earlier: GatewayStore = await replicas()
    now: GatewayStore = await replicas()
    await earlier.add_intent(intent(1), "run")
    async with earlier.reconcile_lock() as held:
        assert held
        assert len(await earlier.open_intents(10)) == 1  # claimed for 300 s
    assert await now.open_intents(10) == []  # outside a pass, the lease holds
    async with now.reconcile_lock() as held:
        assert held  # so no other pass is running: the claim is from one that ended
        [taken] = await now.open_intents(10)
    assert taken.intent.id == "i-1"
    assert await earlier.open_intents(10) == []


async def test_concurrent_workers_never_claim_one_message_twice(replicas: Opened) -> None:
    stores: list[GatewayStore] = [await replicas() for _ in range(3)]
    for number in range(1, 61):
        await stores[0].add_message(message(number))
    batches = await asyncio.gather(*(store.pending(25) for store in stores))
    claimed = [m.id for batch in batches for m in batch]
    assert len(claimed) == len(set(claimed)) == 60


async def test_concurrent_reconcilers_never_claim_one_intent_twice(replicas: Opened) -> None:
    stores: list[GatewayStore] = [await replicas() for _ in range(3)]
    for number in range(1, 31):
        await stores[0].add_intent(intent(number), "run")
    batches = await asyncio.gather(*(store.open_intents(15) for store in stores))
    claimed = [s.intent.id for batch in batches for s in batch]
    assert len(claimed) == len(set(claimed)) == 30


async def test_one_replica_reconciles_at_a_time(replicas: Opened) -> None:
    one: GatewayStore = await replicas()
    two: GatewayStore = await replicas()
    async with one.reconcile_lock() as first:
        assert first
        async with two.reconcile_lock() as second:
            assert not second
        async with one.reconcile_lock() as same_process_other_connection:
            assert not same_process_other_connection
    async with two.reconcile_lock() as after:
        assert after


async def test_a_dead_replica_leaves_the_reconcile_lock(replicas: Opened, pg_url: str) -> None:
    other: GatewayStore = await replicas()
    dying = await psycopg.AsyncConnection.connect(pg_url, autocommit=True)
    await dying.execute("SELECT pg_advisory_lock(%s)", (RECONCILE_LOCK,))  # a replica's pass
    async with other.reconcile_lock() as held:
        assert not held
    await dying.close()  # the process dies: the server ends its session and its locks

    async def free() -> bool:
        async with other.reconcile_lock() as held:
            return held

    await wait_until(free)  # the server notices the closed session a moment later


async def test_a_key_honoured_by_one_replica_is_replayed_by_another(replicas: Opened) -> None:
    one: GatewayStore = await replicas()
    two: GatewayStore = await replicas()
    assert (await one.begin("c", "k", "fp", NOW, LOCK)).outcome is BeginOutcome.STARTED
    assert (await two.begin("c", "k", "fp", NOW, LOCK)).outcome is BeginOutcome.IN_PROGRESS
    assert (await two.begin("c", "k", "other", NOW, LOCK)).outcome is BeginOutcome.MISMATCH
    await one.complete("c", "k", 201, '{"id": "b-1"}')
    replay = await two.begin("c", "k", "fp", NOW, LOCK)
    assert (replay.outcome, replay.status, replay.body) == (
        BeginOutcome.REPLAY,
        201,
        '{"id": "b-1"}',
    )


async def test_an_abandoned_key_is_taken_over_by_another_replica(replicas: Opened) -> None:
    dead: GatewayStore = await replicas()
    alive: GatewayStore = await replicas()
    await dead.begin("c", "k", "fp", NOW, LOCK)
    later = NOW + LOCK + timedelta(seconds=1)
    assert (await alive.begin("c", "k", "fp", later, LOCK)).outcome is BeginOutcome.STARTED
    assert (await dead.begin("c", "k", "fp", later, LOCK)).outcome is BeginOutcome.IN_PROGRESS


async def test_racing_replicas_start_a_key_once(replicas: Opened) -> None:
    stores: list[GatewayStore] = [await replicas() for _ in range(4)]
    for round_ in range(5):
        outcomes = await asyncio.gather(
            *(store.begin("c", f"k{round_}", "fp", NOW, LOCK) for store in stores)
        )
        started = [o for o in outcomes if o.outcome is BeginOutcome.STARTED]
        assert len(started) == 1
        assert {o.outcome for o in outcomes} == {BeginOutcome.STARTED, BeginOutcome.IN_PROGRESS}
    expired = NOW + LOCK + timedelta(seconds=1)
    outcomes = await asyncio.gather(*(s.begin("c", "k0", "fp", expired, LOCK) for s in stores))
    assert sum(o.outcome is BeginOutcome.STARTED for o in outcomes) == 1  # one takes it over
