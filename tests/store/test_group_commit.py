"""SQLite group commit: concurrent writes share one commit; a failing one fails alone.

Commits are counted on the real connection (sqlite3's trace callback sees every statement the
store runs) and the rows are read back through a second connection, so only what was committed
to the file counts.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from tidbok.clock import FrozenClock
from tidbok.gateway.idempotency_store import BeginOutcome
from tidbok.gateway.sqlite_writer import GroupWriter, statement
from tidbok.gateway.store import SqliteGatewayStore

from .helpers import NOW, intent

WRITERS = 200


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SqliteGatewayStore]:
    store = SqliteGatewayStore(tmp_path / "gateway.sqlite3", clock=FrozenClock(NOW))
    await store.open()
    yield store
    await store.close()


async def _trace(store: SqliteGatewayStore) -> list[str]:
    """Every statement the store's connection runs from now on."""
    statements: list[str] = []
    await store.db.set_trace_callback(statements.append)
    return statements


def _committed(store: SqliteGatewayStore, sql: str) -> list[tuple[object, ...]]:
    """Rows as another connection reads them from the file: committed rows only."""
    reader = sqlite3.connect(store.path)
    try:
        return list(reader.execute(sql).fetchall())
    finally:
        reader.close()


async def test_concurrent_writes_share_far_fewer_commits(
    sqlite_store: SqliteGatewayStore,
) -> None:
    statements = await _trace(sqlite_store)
    await asyncio.gather(
        *(sqlite_store.add_intent(intent(number), "run") for number in range(WRITERS))
    )
    commits = statements.count("COMMIT")
    inserts = [s for s in statements if s.startswith("INSERT INTO intents")]
    assert len(inserts) == WRITERS
    assert 1 <= commits <= WRITERS // 20, commits
    assert _committed(sqlite_store, "SELECT COUNT(*) FROM intents") == [(WRITERS,)]


async def test_a_failing_statement_fails_only_its_own_caller(
    sqlite_store: SqliteGatewayStore,
) -> None:
    await sqlite_store.add_intent(intent(7), "run")
    statements = await _trace(sqlite_store)
    outcomes = await asyncio.gather(
        *(sqlite_store.add_intent(intent(number), "run") for number in range(1, 51)),
        return_exceptions=True,
    )
    failed = {n + 1: o for n, o in enumerate(outcomes) if isinstance(o, BaseException)}
    assert list(failed) == [7]
    assert isinstance(failed[7], sqlite3.IntegrityError)  # as without group commit
    assert statements.count("COMMIT") <= 2
    ids = _committed(sqlite_store, "SELECT id FROM intents ORDER BY created_at")
    assert ids == [(f"i-{number}",) for number in range(1, 51)]


async def test_a_claim_in_a_batch_sees_the_claims_before_it(
    sqlite_store: SqliteGatewayStore,
) -> None:
    """Twenty concurrent requests with one idempotency key: one starts, the others wait."""
    outcomes = await asyncio.gather(
        *(
            sqlite_store.begin("citizen", "key-1", "print", NOW, timedelta(seconds=30))
            for _ in range(20)
        )
    )
    assert sorted(o.outcome for o in outcomes).count(BeginOutcome.STARTED) == 1
    assert {o.outcome for o in outcomes} == {BeginOutcome.STARTED, BeginOutcome.IN_PROGRESS}


async def test_a_transaction_that_cannot_start_fails_the_whole_batch(
    sqlite_store: SqliteGatewayStore,
) -> None:
    await sqlite_store.db.execute("PRAGMA busy_timeout = 50")
    locker = sqlite3.connect(sqlite_store.path, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        outcomes = await asyncio.gather(
            *(sqlite_store.add_intent(intent(number), "run") for number in range(5)),
            return_exceptions=True,
        )
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert all(isinstance(o, sqlite3.OperationalError) for o in outcomes), outcomes
    assert _committed(sqlite_store, "SELECT COUNT(*) FROM intents") == [(0,)]
    await sqlite_store.add_intent(intent(9), "run")
    assert _committed(sqlite_store, "SELECT id FROM intents") == [("i-9",)]


async def test_a_failing_unit_is_rolled_back_whole_and_the_others_commit(
    sqlite_store: SqliteGatewayStore,
) -> None:
    """A unit of several statements that raises after its first leaves nothing behind."""
    writer = GroupWriter(sqlite_store.db)
    insert = "INSERT INTO idempotency (citizen, key, fingerprint, state, created_at) "

    def half_then_fail(conn: sqlite3.Connection) -> int:
        conn.execute(insert + "VALUES ('c', 'half', 'f', 'in_progress', 'now')")
        raise ValueError("the second step refused")

    def whole(key: str) -> Callable[[sqlite3.Connection], int]:
        return statement(insert + "VALUES ('c', ?, 'f', 'in_progress', 'now')", (key,))

    statements = await _trace(sqlite_store)
    outcomes = await asyncio.gather(
        writer.run(whole("before")),
        writer.run(half_then_fail),
        writer.run(whole("after")),
        return_exceptions=True,
    )
    assert outcomes[0] == 1
    assert isinstance(outcomes[1], ValueError)
    assert outcomes[2] == 1
    assert statements.count("COMMIT") <= 2
    keys = _committed(sqlite_store, "SELECT key FROM idempotency ORDER BY key")
    assert keys == [("after",), ("before",)]
