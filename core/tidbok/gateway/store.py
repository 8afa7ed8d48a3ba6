"""The gateway's only state: the inbox outbox and the idempotency keys, behind small protocols.

:class:`OutboxStore` and :class:`IdempotencyStore` are what the rest of the gateway uses;
:class:`SqliteGatewayStore` implements both on one embedded SQLite file (aiosqlite, WAL). A
PostgreSQL implementation for several replicas implements the same methods (claiming pending rows
with ``FOR UPDATE SKIP LOCKED``; delivery stays exactly-once because the inbox keys on message id).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

from tidbok.clock import to_stockholm
from tidbok.identity import PersonalIdentityNumber
from tidbok.logsafe import RedactingFilter

# aiosqlite logs every statement with its parameters at DEBUG; mask identity numbers there too.
_AIOSQLITE_LOG = logging.getLogger("aiosqlite")
if not any(isinstance(f, RedactingFilter) for f in _AIOSQLITE_LOG.filters):
    _AIOSQLITE_LOG.addFilter(RedactingFilter())


class DeliveryState(StrEnum):
    """Where an outbox message is on its way to the inbox."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    """The inbox refused it for good (a 4xx other than 408/429); kept for an operator."""


@dataclass(frozen=True)
class OutboxMessage:
    """One inbox message, written before the citizen gets the answer (R10)."""

    id: str
    citizen: str
    """The full personal identity number, for the inbox; never logged."""
    kind: str
    unit: str
    unit_name: str
    subject: str
    body: str
    created_at: datetime
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    delivered_at: datetime | None = None

    def wire(self) -> dict[str, Any]:
        """The JSON the inbox service receives."""
        return {
            "id": self.id,
            "citizen": self.citizen,
            "kind": self.kind,
            "unit": self.unit,
            "unit_name": self.unit_name,
            "subject": self.subject,
            "body": self.body,
            "created_at": self.created_at.isoformat(),
        }


class OutboxStore(Protocol):
    """Durable storage of inbox messages waiting for (or done with) delivery."""

    async def add_message(self, message: OutboxMessage) -> None:
        """Store a new pending message (durably, before returning)."""
        ...

    async def pending(self, limit: int) -> list[OutboxMessage]:
        """Up to ``limit`` pending messages, oldest first."""
        ...

    async def mark_delivered(self, message_id: str, at: datetime) -> None:
        """Record that the inbox has stored the message."""
        ...

    async def record_failure(self, message_id: str, error: str, dead: bool) -> None:
        """Count a failed attempt; ``dead`` stops further attempts."""
        ...

    async def messages_for(self, citizen: str, limit: int) -> list[OutboxMessage]:
        """The citizen's messages, newest first."""
        ...

    async def count_pending(self) -> int:
        """How many messages wait for delivery."""
        ...


class BeginOutcome(StrEnum):
    """What :meth:`IdempotencyStore.begin` found."""

    STARTED = "started"
    """The key is new (or abandoned): the caller does the work and then completes it."""
    REPLAY = "replay"
    """The key finished before with the same request: answer with the stored response."""
    IN_PROGRESS = "in_progress"
    """The same key is being worked on right now."""
    MISMATCH = "mismatch"
    """The key was used with another request body."""


@dataclass(frozen=True)
class IdempotencyRecord:
    """The stored state of one key."""

    outcome: BeginOutcome
    status: int | None = None
    body: str | None = None


class IdempotencyStore(Protocol):
    """Idempotency keys, per citizen, with the answer of the request that first used each."""

    async def begin(
        self, citizen: str, key: str, fingerprint: str, now: datetime, lock_timeout: timedelta
    ) -> IdempotencyRecord:
        """Claim ``key`` for a request with ``fingerprint`` or report what holds it."""
        ...

    async def complete(self, citizen: str, key: str, status: int, body: str) -> None:
        """Store the answer of a finished request."""
        ...

    async def release(self, citizen: str, key: str) -> None:
        """Forget a key whose request failed, so that a retry can try again."""
        ...

    async def purge(self, before: datetime) -> int:
        """Forget keys created before ``before``; return how many."""
        ...


class GatewayStore(OutboxStore, IdempotencyStore, Protocol):
    """Both stores, as the gateway opens and closes them."""

    async def open(self) -> None:
        """Connect and create the schema if needed."""
        ...

    async def close(self) -> None:
        """Close the connection."""
        ...

    async def ping(self) -> bool:
        """Whether the store answers."""
        ...


def citizen_key(citizen: PersonalIdentityNumber) -> str:
    """A stable key for a citizen's idempotency keys that is not the number itself."""
    return hashlib.sha256(b"tidbok-idempotency:" + citizen.value.encode()).hexdigest()


_SCHEMA = """
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
CREATE TABLE IF NOT EXISTS idempotency (
    citizen TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (citizen, key)
);
"""


class SqliteGatewayStore:
    """:class:`OutboxStore` and :class:`IdempotencyStore` on one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: aiosqlite.Connection | None = None
        # One connection: statements from concurrent requests must not mix into a transaction.
        self._lock = asyncio.Lock()

    @property
    def db(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._db is None:
            raise RuntimeError("the gateway store is not open")
        return self._db

    async def open(self) -> None:
        """Connect and create the schema if needed."""
        if self._db is not None:
            return
        if self.path.parent != Path():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(self.path, isolation_level=None)
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=FULL")
        await db.executescript(_SCHEMA)
        self._db = db

    async def close(self) -> None:
        """Close the connection."""
        if self._db is not None:
            db, self._db = self._db, None
            await db.close()

    async def ping(self) -> bool:
        """Whether the store answers."""
        if self._db is None:
            return False
        try:
            async with self._db.execute("SELECT 1") as cursor:
                return await cursor.fetchone() is not None
        except Exception:
            return False

    # -- outbox ------------------------------------------------------------------------------

    async def _write(self, sql: str, params: tuple[Any, ...]) -> int:
        async with self._lock:
            cursor = await self.db.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
            return count

    async def add_message(self, message: OutboxMessage) -> None:
        """Store a new pending message; committed when this returns."""
        await self._write(
            "INSERT INTO outbox (id, citizen, kind, unit, unit_name, subject, body, created_at, "
            "seq, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
            "(SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox), ?)",
            (
                message.id,
                message.citizen,
                message.kind,
                message.unit,
                message.unit_name,
                message.subject,
                message.body,
                message.created_at.isoformat(),
                DeliveryState.PENDING.value,
            ),
        )

    async def pending(self, limit: int) -> list[OutboxMessage]:
        """Up to ``limit`` pending messages, oldest first."""
        return await self._select(
            "WHERE state = ? ORDER BY seq LIMIT ?", (DeliveryState.PENDING.value, limit)
        )

    async def mark_delivered(self, message_id: str, at: datetime) -> None:
        """Record that the inbox has stored the message."""
        await self._write(
            "UPDATE outbox SET state = ?, delivered_at = ?, attempts = attempts + 1, "
            "last_error = NULL WHERE id = ?",
            (DeliveryState.DELIVERED.value, at.isoformat(), message_id),
        )

    async def record_failure(self, message_id: str, error: str, dead: bool) -> None:
        """Count a failed attempt; ``dead`` stops further attempts."""
        state = DeliveryState.DEAD if dead else DeliveryState.PENDING
        await self._write(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, state = ? WHERE id = ?",
            (error[:500], state.value, message_id),
        )

    async def messages_for(self, citizen: str, limit: int) -> list[OutboxMessage]:
        """The citizen's messages, newest first."""
        return await self._select("WHERE citizen = ? ORDER BY seq DESC LIMIT ?", (citizen, limit))

    async def count_pending(self) -> int:
        """How many messages wait for delivery."""
        async with self.db.execute(
            "SELECT COUNT(*) FROM outbox WHERE state = ?", (DeliveryState.PENDING.value,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _select(self, where: str, params: tuple[Any, ...]) -> list[OutboxMessage]:
        query = (
            "SELECT id, citizen, kind, unit, unit_name, subject, body, created_at, state, "
            f"attempts, delivered_at FROM outbox {where}"
        )
        async with self.db.execute(query, params) as cursor:
            rows = await cursor.fetchall()
        return [
            OutboxMessage(
                id=row[0],
                citizen=row[1],
                kind=row[2],
                unit=row[3],
                unit_name=row[4],
                subject=row[5],
                body=row[6],
                created_at=to_stockholm(datetime.fromisoformat(row[7])),
                state=DeliveryState(row[8]),
                attempts=int(row[9]),
                delivered_at=to_stockholm(datetime.fromisoformat(row[10])) if row[10] else None,
            )
            for row in rows
        ]

    # -- idempotency -------------------------------------------------------------------------

    async def begin(
        self, citizen: str, key: str, fingerprint: str, now: datetime, lock_timeout: timedelta
    ) -> IdempotencyRecord:
        """Claim ``key`` for a request with ``fingerprint`` or report what holds it."""
        async with self._lock:
            return await self._begin(citizen, key, fingerprint, now, lock_timeout)

    async def _begin(
        self, citizen: str, key: str, fingerprint: str, now: datetime, lock_timeout: timedelta
    ) -> IdempotencyRecord:
        db = self.db
        await db.execute("BEGIN IMMEDIATE")
        try:
            async with db.execute(
                "SELECT fingerprint, state, status, body, created_at FROM idempotency "
                "WHERE citizen = ? AND key = ?",
                (citizen, key),
            ) as cursor:
                row = await cursor.fetchone()
            record: IdempotencyRecord
            if row is None or (
                row[1] == "in_progress"
                and datetime.fromisoformat(row[4]) + lock_timeout < now
                and row[0] == fingerprint
            ):
                await db.execute(
                    "INSERT OR REPLACE INTO idempotency (citizen, key, fingerprint, state, "
                    "created_at) VALUES (?, ?, ?, 'in_progress', ?)",
                    (citizen, key, fingerprint, _utc(now)),
                )
                record = IdempotencyRecord(BeginOutcome.STARTED)
            elif row[0] != fingerprint:
                record = IdempotencyRecord(BeginOutcome.MISMATCH)
            elif row[1] == "in_progress":
                record = IdempotencyRecord(BeginOutcome.IN_PROGRESS)
            else:
                record = IdempotencyRecord(BeginOutcome.REPLAY, status=row[2], body=row[3])
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        return record

    async def complete(self, citizen: str, key: str, status: int, body: str) -> None:
        """Store the answer of a finished request."""
        await self._write(
            "UPDATE idempotency SET state = 'done', status = ?, body = ? "
            "WHERE citizen = ? AND key = ?",
            (status, body, citizen, key),
        )

    async def release(self, citizen: str, key: str) -> None:
        """Forget a key whose request failed, so that a retry can try again."""
        await self._write(
            "DELETE FROM idempotency WHERE citizen = ? AND key = ? AND state = 'in_progress'",
            (citizen, key),
        )

    async def purge(self, before: datetime) -> int:
        """Forget keys created before ``before``; return how many."""
        count = await self._write("DELETE FROM idempotency WHERE created_at < ?", (_utc(before),))
        return max(count, 0)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def fingerprint_of(payload: Any) -> str:
    """A stable digest of a request body (canonical JSON)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
