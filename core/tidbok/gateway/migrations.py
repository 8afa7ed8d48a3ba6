"""The gateway store's schema, as numbered migrations for SQLite and PostgreSQL.

Each :class:`Migration` has a version, a name and its SQL for both stores; ``schema_version``
records the ones applied (version, name, when). :func:`migrate_sqlite` and
:func:`migrate_postgres` bring a store to :data:`LATEST` when it opens (and for
``tidbok store migrate``), each under a lock so that one process applies each migration once,
however many start together:

- SQLite: the gateway already holds the file lock (one process per file); the steps and their
  ``schema_version`` rows are committed in one ``BEGIN IMMEDIATE`` transaction.
- PostgreSQL: one transaction holds ``pg_advisory_xact_lock(MIGRATION_LOCK)``; a replica starting
  at the same time waits for it, then finds the steps recorded and applies none (PostgreSQL's DDL
  is transactional, so a failed step leaves nothing half done).

A SQLite file written before versioning (its tables but no ``schema_version``) is recorded as
version 1, which is exactly that schema. To change the schema, append a migration; never edit
one that has shipped.

Version 3 makes the outbox's ``seq`` (its delivery and listing order) a key the database assigns:
on SQLite the rowid (``INTEGER PRIMARY KEY AUTOINCREMENT``; the table is copied, rows and ``seq``
kept), on PostgreSQL the identity column it already was, now unique. Writing a message no longer
reads ``MAX(seq)``, so its cost does not grow with the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import aiosqlite

if TYPE_CHECKING:
    from psycopg import AsyncConnection


@dataclass(frozen=True)
class Migration:
    """One schema step: the same change, in each store's SQL (statements separated by ``;``)."""

    version: int
    name: str
    sqlite: str
    postgres: str


_SQLITE_V1 = """
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    citizen TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_state ON outbox (state, seq);
CREATE INDEX IF NOT EXISTS outbox_citizen ON outbox (citizen, seq);
CREATE TABLE IF NOT EXISTS intents (
    id TEXT PRIMARY KEY,
    run TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',
    target TEXT,
    booking_id TEXT,
    created_at TEXT NOT NULL,
    intent TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS intents_state ON intents (state, created_at);
CREATE INDEX IF NOT EXISTS intents_booking ON intents (booking_id, state);
CREATE INDEX IF NOT EXISTS intents_target ON intents (target, state);
CREATE TABLE IF NOT EXISTS idempotency (
    citizen TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (citizen, key)
)
"""

_POSTGRES_V1 = """
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    citizen TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at TIMESTAMPTZ
);
CREATE INDEX outbox_state ON outbox (state, seq);
CREATE INDEX outbox_citizen ON outbox (citizen, seq);
CREATE TABLE intents (
    id TEXT PRIMARY KEY,
    run TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',
    target TEXT,
    booking_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    intent TEXT NOT NULL
);
CREATE INDEX intents_state ON intents (state, created_at);
CREATE INDEX intents_booking ON intents (booking_id, state);
CREATE INDEX intents_target ON intents (target, state);
CREATE TABLE idempotency (
    citizen TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (citizen, key)
)
"""

_OUTBOX_COLUMNS = (
    "id, citizen, kind, unit, unit_name, subject, body, created_at, state, attempts, "
    "last_error, delivered_at, claimed_by, claimed_until"
)

# SQLite cannot change a column into the rowid: the outbox is copied into a table whose ``seq`` is
# the rowid (AUTOINCREMENT: never reused, even after a purge), keeping every row and its ``seq``.
_SQLITE_V3 = f"""
CREATE TABLE outbox_v3 (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    citizen TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at TEXT,
    claimed_by TEXT,
    claimed_until TEXT
);
INSERT INTO outbox_v3 (seq, {_OUTBOX_COLUMNS})
    SELECT seq, {_OUTBOX_COLUMNS} FROM outbox ORDER BY seq;
DROP TABLE outbox;
ALTER TABLE outbox_v3 RENAME TO outbox;
CREATE INDEX outbox_state ON outbox (state, seq);
CREATE INDEX outbox_citizen ON outbox (citizen, seq)
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "outbox, intents and idempotency keys", _SQLITE_V1, _POSTGRES_V1),
    Migration(
        2,
        "leases on outbox messages and intents",
        """
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
ALTER TABLE intents ADD COLUMN claimed_by TEXT;
ALTER TABLE intents ADD COLUMN claimed_until TEXT
""",
        """
ALTER TABLE outbox ADD COLUMN claimed_by TEXT, ADD COLUMN claimed_until TIMESTAMPTZ;
ALTER TABLE intents ADD COLUMN claimed_by TEXT, ADD COLUMN claimed_until TIMESTAMPTZ
""",
    ),
    Migration(
        3,
        "the outbox's seq is a key the database assigns",
        _SQLITE_V3,
        # Already an identity column here (version 1): it becomes a key as well.
        "ALTER TABLE outbox ADD CONSTRAINT outbox_seq_key UNIQUE (seq)",
    ),
)

#: The schema version this code writes and reads.
LATEST = MIGRATIONS[-1].version

#: The PostgreSQL advisory lock (transaction-level) under which migrations are applied.
MIGRATION_LOCK = 0x7469_6462_6F6B_0001

_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at {time} NOT NULL)"
)


class SchemaTooNew(RuntimeError):
    """The store was migrated by a newer tidbok than this one."""


def _check_known(current: int, where: str) -> None:
    if current > LATEST:
        raise SchemaTooNew(
            f"{where} has schema version {current}, newer than this tidbok's {LATEST}: "
            "run the tidbok version that migrated it (or a newer one)"
        )


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


async def sqlite_version(db: aiosqlite.Connection) -> int:
    """The file's schema version: 0 when empty, 1 for a file from before versioning."""
    tables = await _sqlite_tables(db)
    if "schema_version" in tables:
        async with db.execute("SELECT MAX(version) FROM schema_version") as cursor:
            row = await cursor.fetchone()
        if row is not None and row[0] is not None:
            return int(row[0])
    return 1 if "outbox" in tables else 0


async def migrate_sqlite(db: aiosqlite.Connection, now: datetime) -> list[int]:
    """Apply the missing migrations in one transaction (the caller holds the file lock); each is
    recorded as applied at ``now``.

    Returns the versions applied. ``db`` must be in autocommit mode (``isolation_level=None``).
    """
    applied: list[int] = []
    await db.execute("BEGIN IMMEDIATE")
    try:
        current = await sqlite_version(db)
        _check_known(current, "the SQLite file")
        await db.execute(_VERSION_TABLE.format(time="TEXT"))
        if current == 1 and not await _sqlite_recorded(db):
            await _sqlite_record(db, MIGRATIONS[0], now)  # a file from before versioning
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            for statement in _statements(migration.sqlite):
                await db.execute(statement)
            await _sqlite_record(db, migration, now)
            applied.append(migration.version)
        await db.execute("COMMIT")
    except BaseException:
        await db.execute("ROLLBACK")
        raise
    return applied


async def _sqlite_tables(db: aiosqlite.Connection) -> set[str]:
    async with db.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cursor:
        return {row[0] for row in await cursor.fetchall()}


async def _sqlite_recorded(db: aiosqlite.Connection) -> bool:
    async with db.execute("SELECT 1 FROM schema_version LIMIT 1") as cursor:
        return await cursor.fetchone() is not None


async def _sqlite_record(db: aiosqlite.Connection, migration: Migration, now: datetime) -> None:
    await db.execute(
        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
        (migration.version, migration.name, now.astimezone(UTC).isoformat()),
    )


async def postgres_version(conn: AsyncConnection[Any]) -> int:
    """The database's schema version (0 when it has no ``schema_version`` table)."""
    cursor = await conn.execute("SELECT to_regclass('schema_version') IS NOT NULL")
    row = await cursor.fetchone()
    if row is None or not row[0]:
        return 0
    cursor = await conn.execute("SELECT MAX(version) FROM schema_version")
    row = await cursor.fetchone()
    return int(row[0]) if row is not None and row[0] is not None else 0


async def migrate_postgres(conn: AsyncConnection[Any]) -> list[int]:
    """Apply the missing migrations under the migration lock; return the versions applied.

    One transaction: concurrent callers wait for the lock and then find nothing left to do.
    """
    applied: list[int] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        await conn.execute(_VERSION_TABLE.format(time="TIMESTAMPTZ"))
        current = await postgres_version(conn)
        _check_known(current, "the PostgreSQL database")
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            for statement in _statements(migration.postgres):
                await conn.execute(statement.encode())
            await conn.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (%s, %s, now())",
                (migration.version, migration.name),
            )
            applied.append(migration.version)
    return applied
