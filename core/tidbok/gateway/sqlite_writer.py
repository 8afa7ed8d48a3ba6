"""Group commit for the SQLite store: concurrent writes share one transaction and one fsync.

Every write of the SQLite store (:class:`~tidbok.gateway.sqlite_file.SqliteFile`) is a *unit*: a
plain function of the :class:`sqlite3.Connection` (one statement, or several that belong
together, such as claiming rows or confirming an intent with its message). :meth:`GroupWriter.run`
queues the unit; when no commit is in progress it starts one at once, otherwise the unit waits for
the current commit to end and is then committed with every unit that queued meanwhile:

- one ``BEGIN IMMEDIATE``; each unit under its own ``SAVEPOINT``, so a unit that raises (a
  constraint violation, say) is rolled back alone and its caller gets that very exception, while
  the others go on; then one ``COMMIT``: one fsync (WAL, ``synchronous=FULL``) for the batch;
- the whole batch runs as ONE function in the connection's thread: one thread hop, not one (or
  three) per statement;
- a caller's ``await`` returns only after the ``COMMIT`` that contains its unit, so a write is as
  durable when it returns as with a commit of its own. If ``BEGIN`` or ``COMMIT`` fails (the file
  is locked past the busy timeout, the disk is full), every unit of the batch fails with that
  error and none is committed.

Units run one after the other in the queue's order, so each sees the ones before it (the same
serial order as one lock around each); a unit that reads and then writes (an idempotency key's
claim) stays atomic because nothing else runs on the connection meanwhile. Reads go through the
same connection and thread (:attr:`SqliteFile.db`): they run between two batches, never inside
one, so they see committed rows only.

Why aiosqlite's thread and not a connection of our own: the store's reads, its migrations and the
tests use the aiosqlite connection, and its ``PRAGMA`` settings (``busy_timeout``) must hold for the
writes too; a second connection would take a second write lock on the file for no gain, the
process being alone on it. aiosqlite has no public "run this function in the connection's thread",
so :func:`_in_thread` uses ``Connection._execute`` and ``Connection._conn`` (both in aiosqlite
since 0.16 and unchanged up to 0.22); it is the only place that does, and the store's tests
exercise it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import aiosqlite

T = TypeVar("T")

#: A write of the store: a function run in the connection's thread inside the batch's transaction.
Unit = Callable[[sqlite3.Connection], Any]

#: The most units one transaction holds (the rest wait for the next commit).
MAX_BATCH = 1000


@dataclass(frozen=True)
class _Failed:
    """The exception one unit raised (rolled back to its savepoint)."""

    error: Exception


def statement(sql: str, params: Sequence[Any]) -> Callable[[sqlite3.Connection], int]:
    """A unit of one statement; its result is the number of rows the statement changed."""

    def unit(conn: sqlite3.Connection) -> int:
        return conn.execute(sql, params).rowcount

    return unit


class GroupWriter:
    """Commits the units of concurrent callers together (see the module's docstring)."""

    def __init__(self, db: aiosqlite.Connection, *, max_batch: int = MAX_BATCH) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: list[tuple[Unit, asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def run(self, unit: Callable[[sqlite3.Connection], T]) -> T:
        """Commit ``unit`` (with whatever else is queued); its result once the commit is done.

        The exception ``unit`` raised, or the one that stopped the batch's transaction, is
        raised here; either way nothing of ``unit`` is committed.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((unit, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return cast(T, await future)

    async def write(self, sql: str, params: Sequence[Any]) -> int:
        """Commit one statement; the number of rows it changed."""
        return await self.run(statement(sql, params))

    async def drain(self) -> None:
        """Wait until every queued unit is committed (or has failed)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.wait({self._flusher})

    async def _flush(self) -> None:
        """Commit the queue batch by batch until it is empty."""
        while self._queue:
            batch = [entry for entry in self._queue[: self._max_batch] if not entry[1].done()]
            del self._queue[: self._max_batch]
            if not batch:
                continue
            try:
                outcomes = await _in_thread(self._db, [unit for unit, _ in batch])
            except asyncio.CancelledError:  # the loop is shutting down: nobody waits any more
                for _, future in batch + self._queue:
                    future.cancel()
                self._queue = []
                raise
            except BaseException as error:  # the transaction failed: nothing is committed
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # the caller went away; its unit is committed all the same
                    continue
                if isinstance(outcome, _Failed):
                    future.set_exception(outcome.error)
                else:
                    future.set_result(outcome)


async def _in_thread(db: aiosqlite.Connection, units: list[Unit]) -> list[Any]:
    """Run :func:`commit_batch` in the connection's thread (aiosqlite's queue): one hop."""
    conn = db._conn  # private aiosqlite API: see the module docstring
    return cast(list[Any], await db._execute(commit_batch, conn, units))


def commit_batch(conn: sqlite3.Connection, units: list[Unit]) -> list[Any]:
    """``BEGIN IMMEDIATE``, each unit under a savepoint, ``COMMIT``: each unit's result or failure.

    Raises (after rolling back) when the transaction itself fails: nothing is committed then.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        outcomes: list[Any] = []
        for unit in units:
            conn.execute("SAVEPOINT unit")
            try:
                outcome = unit(conn)
            except Exception as error:
                if not conn.in_transaction:  # SQLite rolled the whole transaction back
                    raise
                conn.execute("ROLLBACK TO unit")
                outcome = _Failed(error)
            conn.execute("RELEASE unit")
            outcomes.append(outcome)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes
