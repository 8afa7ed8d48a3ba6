"""One SQLite file owned by one gateway: the connection, its group-committed writes, the file lock.

:class:`SqliteFile` is the base of the SQLite store's parts (outbox, idempotency keys, activity
intents). :meth:`SqliteFile.open` brings the file to the latest schema
(:mod:`tidbok.gateway.migrations`) under the file lock, and releases the leases a previous run
left (no other process can hold one while this one has the file).

Every write goes through one :class:`~tidbok.gateway.sqlite_writer.GroupWriter`
(:meth:`SqliteFile._write` for one statement, :meth:`SqliteFile._run` for several that belong
together): concurrent writes are committed together, one transaction and one fsync for all of
them, and each returns only once the commit holding it is done. Reads use :attr:`SqliteFile.db`
directly; they run between two commits in the connection's thread.

The file is held with an exclusive lock (``flock`` on ``<file>.lock``) while it
is open, so a second gateway on the same file refuses to start instead of reconciling the first
one's writes in flight; the kernel releases the lock when a process dies, even by ``SIGKILL``.

The file holds personal identity numbers, so it is created (and kept) readable by its owner only
(mode 0600); SQLite gives its ``-wal`` and ``-shm`` files the database file's mode, and the lock
file is created 0600 too.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import aiosqlite

from tidbok.clock import Clock, SystemClock
from tidbok.gateway.migrations import migrate_sqlite
from tidbok.gateway.sqlite_writer import GroupWriter
from tidbok.logsafe import RedactingFilter

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: no file lock, intents wait for the deadline
    fcntl = None  # type: ignore[assignment]

# aiosqlite logs every statement with its parameters at DEBUG; mask identity numbers there too.
_AIOSQLITE_LOG = logging.getLogger("aiosqlite")
if not any(isinstance(f, RedactingFilter) for f in _AIOSQLITE_LOG.filters):
    _AIOSQLITE_LOG.addFilter(RedactingFilter())


T = TypeVar("T")

#: The mode of the database file and its lock file: the owner alone reads and writes them.
FILE_MODE = 0o600


class StoreInUse(RuntimeError):
    """Another process (or another store object) holds the SQLite file."""


class SqliteFile:
    """The connection to one SQLite file (WAL, synchronous=FULL) and its group-committed writes."""

    def __init__(
        self, path: str | Path, *, lease_seconds: float = 300.0, clock: Clock | None = None
    ) -> None:
        self.path = Path(path)
        self.clock: Clock = clock or SystemClock()
        """What claims and migration records are stamped with (the gateway's clock)."""
        self.lease_seconds = lease_seconds
        """How long :meth:`pending` and :meth:`open_intents` claim rows (see the PostgreSQL
        store; here the process is alone, so only its own claims ever exist)."""
        self.replica = uuid.uuid4().hex
        """This store object's name in the claims it makes."""
        self.migrated: list[int] = []
        """The schema versions :meth:`open` applied."""
        self._db: aiosqlite.Connection | None = None
        self._writer: GroupWriter | None = None
        self._file_lock: IO[str] | None = None

    @property
    def db(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._db is None:
            raise RuntimeError("the gateway store is not open")
        return self._db

    @property
    def exclusive(self) -> bool:
        """Whether this process alone uses the file (so no other gateway has writes in flight)."""
        return self._file_lock is not None

    async def open(self) -> None:
        """Lock the file, connect, and migrate the schema to the latest version if needed."""
        if self._db is not None:
            return
        if self.path.parent != Path():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file_lock = _lock_file(self.path)
        try:
            _create_private(self.path)
            db = await aiosqlite.connect(self.path, isolation_level=None)
            try:
                await db.execute("PRAGMA journal_mode=WAL")
                await db.execute("PRAGMA synchronous=FULL")
                self.migrated = await migrate_sqlite(db, self.clock.now())
                for table in ("outbox", "intents"):
                    await db.execute(
                        f"UPDATE {table} SET claimed_by = NULL, claimed_until = NULL "
                        "WHERE claimed_by IS NOT NULL"
                    )
            except BaseException:
                await db.close()
                raise
        except BaseException:
            self._unlock_file()
            raise
        self._db = db
        self._writer = GroupWriter(db)

    async def close(self) -> None:
        """Close the connection and release the file."""
        if self._db is not None:
            db, self._db = self._db, None
            writer, self._writer = self._writer, None
            try:
                if writer is not None:
                    await writer.drain()
                await db.close()
            finally:
                self._unlock_file()

    async def ping(self) -> bool:
        """Whether the store answers."""
        if self._db is None:
            return False
        try:
            async with self._db.execute("SELECT 1") as cursor:
                return await cursor.fetchone() is not None
        except Exception:
            return False

    @asynccontextmanager
    async def reconcile_lock(self) -> AsyncIterator[bool]:
        """Whether this process may reconcile now: always (it alone uses the file)."""
        yield True

    async def _write(self, sql: str, params: Sequence[Any]) -> int:
        """Commit one statement; the number of rows it changed (once the commit is done)."""
        return await self._run_writer().write(sql, params)

    async def _run(self, unit: Callable[[sqlite3.Connection], T]) -> T:
        """Commit ``unit`` (statements that belong together, run atomically); its result."""
        return await self._run_writer().run(unit)

    def _run_writer(self) -> GroupWriter:
        if self._writer is None:
            raise RuntimeError("the gateway store is not open")
        return self._writer

    def _unlock_file(self) -> None:
        handle, self._file_lock = self._file_lock, None
        if handle is not None:
            handle.close()  # closing the descriptor releases the flock


def _lock_file(path: Path) -> IO[str] | None:
    """Hold ``<path>.lock`` exclusively (None where ``flock`` does not exist)."""
    if fcntl is None:  # pragma: no cover
        return None
    lock_path = path.with_name(path.name + ".lock")
    _create_private(lock_path)
    handle = lock_path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        message = f"another gateway uses {path}; one SQLite file serves one gateway"
        raise StoreInUse(message) from None
    except BaseException:
        handle.close()
        raise
    return handle


def _create_private(path: Path) -> None:
    """Create ``path`` with mode 0600 if it does not exist; take group and other access away."""
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE)
    try:
        if os.fstat(descriptor).st_mode & 0o077:
            os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)


def utc_text(moment: datetime) -> str:
    """A time as the SQLite store writes it: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat()
