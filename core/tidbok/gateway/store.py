"""The gateway's only state: the inbox outbox, the activity intents and the idempotency keys.

:class:`OutboxStore`, :class:`~tidbok.gateway.intent_store.IntentStore` and
:class:`IdempotencyStore` are what the rest of the gateway uses; :class:`SqliteGatewayStore`
implements them on one embedded SQLite file (aiosqlite, WAL), the default for one gateway
process, and :class:`~tidbok.gateway.pg_store.PostgresGatewayStore` on PostgreSQL for several
replicas (claiming pending rows with a lease, ``FOR UPDATE SKIP LOCKED``; delivery stays
exactly-once because the inbox keys on message id). The settings choose one
(:func:`tidbok.gateway.store_admin.build_store`); the schema is versioned in
:mod:`tidbok.gateway.migrations`.
The SQLite file handling is in :mod:`tidbok.gateway.sqlite_file`, the intents in
:mod:`tidbok.gateway.intent_store`, the idempotency keys in
:mod:`tidbok.gateway.idempotency_store` (their names are importable from here too).
"""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from tidbok.clock import Clock, to_stockholm
from tidbok.errors import StoreDown
from tidbok.gateway.idempotency_store import (
    BeginOutcome,
    IdempotencyRecord,
    IdempotencySecretMissing,
    IdempotencyStore,
    SqliteIdempotency,
    citizen_key,
    fingerprint_of,
    idempotency_secret,
)
from tidbok.gateway.intent_store import IntentState, IntentStore, SqliteIntents
from tidbok.gateway.sqlite_file import utc_text

__all__ = [
    "BeginOutcome",
    "DeliveryState",
    "GatewayStore",
    "IdempotencyRecord",
    "IdempotencySecretMissing",
    "IdempotencyStore",
    "IntentStore",
    "OutboxMessage",
    "OutboxStore",
    "SqliteGatewayStore",
    "StoreDown",
    "citizen_key",
    "fingerprint_of",
    "idempotency_secret",
]


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

    @classmethod
    def from_row(cls, row: Sequence[Any], moment: Callable[[Any], datetime]) -> OutboxMessage:
        """A message from a row of ``id, citizen, kind, unit, unit_name, subject, body,
        created_at, state, attempts, delivered_at``; ``moment`` reads a stored time (SQLite:
        ISO text, PostgreSQL: a ``timestamptz``) as an aware datetime."""
        return cls(
            id=row[0],
            citizen=row[1],
            kind=row[2],
            unit=row[3],
            unit_name=row[4],
            subject=row[5],
            body=row[6],
            created_at=to_stockholm(moment(row[7])),
            state=DeliveryState(row[8]),
            attempts=int(row[9]),
            delivered_at=to_stockholm(moment(row[10])) if row[10] else None,
        )

    def insert_row(self, moment: Callable[[datetime], Any]) -> tuple[Any, ...]:
        """The values of ``INSERT INTO outbox (id, citizen, kind, unit, unit_name, subject, body,
        created_at, state)`` for a new, pending message; ``moment`` writes the time."""
        return (
            self.id,
            self.citizen,
            self.kind,
            self.unit,
            self.unit_name,
            self.subject,
            self.body,
            moment(self.created_at),
            DeliveryState.PENDING.value,
        )

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

    async def add_activity_message(
        self, message: OutboxMessage, intent_id: str, booking_id: str | None
    ) -> None:
        """Store the message of an intent's write and confirm the intent, in one transaction.

        A message with that id already stored is kept as it is (the same activity, recorded
        twice), so one intent never has two messages.
        """
        ...

    async def pending(self, limit: int) -> list[OutboxMessage]:
        """Claim up to ``limit`` pending messages, oldest first, for this store's worker.

        A claim (a lease of ``lease_seconds``) hides the message from other replicas until it is
        delivered, refused for good, or the lease runs out (the claiming replica died); this store
        gets its own claims again. So two replicas never deliver one message at once.
        """
        ...

    async def mark_delivered(self, message_id: str, at: datetime) -> None:
        """Record that the inbox has stored the message."""
        ...

    async def mark_all_delivered(self, messages: Sequence[OutboxMessage], at: datetime) -> None:
        """Record that the inbox has stored each of ``messages`` (as claimed), in one transaction
        (PostgreSQL: one statement).

        A message already recorded as delivered is left as it is.
        """
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

    async def purge_messages(self, before: datetime) -> int:
        """Delete messages delivered (or refused for good, by creation) before ``before``.

        Pending messages are never deleted. The rows go in batches of :data:`PURGE_BATCH`, each
        its own short transaction, so writers wait for one batch at most.
        """
        ...


class GatewayStore(OutboxStore, IntentStore, IdempotencyStore, Protocol):
    """All the stores, as the gateway opens and closes them."""

    @property
    def exclusive(self) -> bool:
        """Whether this process alone uses the store, so no other gateway has writes in flight."""
        ...

    async def open(self) -> None:
        """Connect and create the schema if needed."""
        ...

    async def close(self) -> None:
        """Close the connection."""
        ...

    async def ping(self) -> bool:
        """Whether the store answers."""
        ...

    def reconcile_lock(self) -> AbstractAsyncContextManager[bool]:
        """Held (True) while this replica alone reconciles intents; False: another one does."""
        ...


#: The most rows one purge statement deletes (see :meth:`OutboxStore.purge_messages`).
PURGE_BATCH = 500

# ``seq`` is the rowid (migration 3): SQLite assigns the next one without reading the table.
_INSERT_MESSAGE = (
    "INTO outbox (id, citizen, kind, unit, unit_name, subject, body, created_at, state) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

_PURGE = (
    "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox "
    "WHERE (state = ? AND julianday(delivered_at) < julianday(?)) "
    "OR (state = ? AND julianday(created_at) < julianday(?)) LIMIT ?)"
)


class SqliteGatewayStore(SqliteIntents, SqliteIdempotency):
    """:class:`OutboxStore`, :class:`IntentStore` and :class:`IdempotencyStore` on one file.

    With ``citizen_secret`` (the gateway passes its idempotency secret), a delivered message
    keeps the citizen only as an HMAC of the identity number: enough for ``GET /v1/inbox``
    (:meth:`messages_for` looks up both), not the number itself.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        citizen_secret: bytes | None = None,
        lease_seconds: float = 300.0,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(path, lease_seconds=lease_seconds, clock=clock)
        self._citizen_secret = citizen_secret

    def _pseudonym(self, citizen: str) -> str | None:
        if self._citizen_secret is None:
            return None
        return "hmac:" + hmac.new(self._citizen_secret, citizen.encode(), "sha256").hexdigest()

    async def add_message(self, message: OutboxMessage) -> None:
        """Store a new pending message; committed when this returns."""
        await self._write("INSERT " + _INSERT_MESSAGE, message.insert_row(datetime.isoformat))

    async def add_activity_message(
        self, message: OutboxMessage, intent_id: str, booking_id: str | None
    ) -> None:
        """Store the message of an intent's write and confirm the intent, in one transaction."""

        def confirm(conn: sqlite3.Connection) -> None:
            row = message.insert_row(datetime.isoformat)
            conn.execute("INSERT OR IGNORE " + _INSERT_MESSAGE, row)
            conn.execute(
                "UPDATE intents SET state = ?, booking_id = COALESCE(?, booking_id) WHERE id = ?",
                (IntentState.CONFIRMED.value, booking_id, intent_id),
            )

        await self._run(confirm)

    async def pending(self, limit: int) -> list[OutboxMessage]:
        """Claim up to ``limit`` pending messages, oldest first (claims by others excepted)."""
        now = self.clock.now()
        until = utc_text(now + timedelta(seconds=self.lease_seconds))

        def claim(conn: sqlite3.Connection) -> list[OutboxMessage]:
            rows = conn.execute(
                _SELECT + "WHERE state = ? AND (claimed_until IS NULL OR claimed_until < ? "
                "OR claimed_by = ?) ORDER BY seq LIMIT ?",
                (DeliveryState.PENDING.value, utc_text(now), self.replica, limit),
            ).fetchall()
            messages = [OutboxMessage.from_row(row, datetime.fromisoformat) for row in rows]
            conn.executemany(
                "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                [(self.replica, until, message.id) for message in messages],
            )
            return messages

        return await self._run(claim)

    async def mark_delivered(self, message_id: str, at: datetime) -> None:
        """Record that the inbox has stored the message (and forget the number, with a secret)."""

        def mark(conn: sqlite3.Connection) -> None:
            row = conn.execute("SELECT citizen FROM outbox WHERE id = ?", (message_id,)).fetchone()
            pseudonym = self._pseudonym(row[0]) if row is not None else None
            conn.execute(_MARK_DELIVERED, (utc_text(at), pseudonym, message_id))

        await self._run(mark)

    async def mark_all_delivered(self, messages: Sequence[OutboxMessage], at: datetime) -> None:
        """Record that the inbox has stored each of ``messages``, in one transaction (one commit).

        The pseudonym comes from each message's citizen (a pending row holds the number itself);
        a row already delivered keeps its state and pseudonym.
        """
        if not messages:
            return
        when = utc_text(at)
        rows = [(when, self._pseudonym(message.citizen), message.id) for message in messages]

        def mark(conn: sqlite3.Connection) -> None:
            conn.executemany(_MARK_DELIVERED, rows)

        await self._run(mark)

    async def record_failure(self, message_id: str, error: str, dead: bool) -> None:
        """Count a failed attempt; ``dead`` stops further attempts.

        A message still pending stays claimed: this store retries it after its backoff.
        """
        state = DeliveryState.DEAD if dead else DeliveryState.PENDING
        await self._write(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, state = ? WHERE id = ?",
            (error[:500], state.value, message_id),
        )

    async def messages_for(self, citizen: str, limit: int) -> list[OutboxMessage]:
        """The citizen's messages, newest first."""
        pseudonym = self._pseudonym(citizen) or citizen
        messages = await self._select(
            "WHERE citizen IN (?, ?) ORDER BY seq DESC LIMIT ?", (citizen, pseudonym, limit)
        )
        return [replace(message, citizen=citizen) for message in messages]

    async def count_pending(self) -> int:
        """How many messages wait for delivery."""
        async with self.db.execute(
            "SELECT COUNT(*) FROM outbox WHERE state = ?", (DeliveryState.PENDING.value,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def purge_messages(self, before: datetime) -> int:
        """Delete messages delivered (or refused for good, by creation) before ``before``.

        The rows hold the citizen's personal identity number: after delivery they stay only for
        ``GET /v1/inbox`` during the retention (``gateway.inbox_retention``).
        """
        return await purge_in_batches(self._write, _PURGE, utc_text(before))

    async def _select(self, where: str, params: tuple[Any, ...]) -> list[OutboxMessage]:
        async with self.db.execute(_SELECT + where, params) as cursor:
            rows = await cursor.fetchall()
        return [OutboxMessage.from_row(row, datetime.fromisoformat) for row in rows]


_SELECT = (
    "SELECT id, citizen, kind, unit, unit_name, subject, body, created_at, state, "
    "attempts, delivered_at FROM outbox "
)


_MARK_DELIVERED = (
    f"UPDATE outbox SET state = '{DeliveryState.DELIVERED}', delivered_at = ?, "
    "attempts = attempts + 1, last_error = NULL, citizen = COALESCE(?, citizen), "
    f"claimed_by = NULL, claimed_until = NULL WHERE id = ? AND state <> '{DeliveryState.DELIVERED}'"
)


async def purge_in_batches(
    write: Callable[[str, tuple[Any, ...]], Awaitable[int]], sql: str, before: Any
) -> int:
    """Run a store's purge statement (delivered before ``before``, or dead and created before
    it; at most :data:`PURGE_BATCH` rows) until a batch removes fewer; the rows removed."""
    params = (
        DeliveryState.DELIVERED.value,
        before,
        DeliveryState.DEAD.value,
        before,
        PURGE_BATCH,
    )
    removed = 0
    while True:
        count = max(await write(sql, params), 0)
        removed += count
        if count < PURGE_BATCH:
            return removed
