"""Activity intents as the gateway keeps them: the protocol and its SQLite part.

The outbox recorder stores each :class:`~tidbok.events.ActivityIntent` before the write is sent
(:meth:`IntentStore.add_intent`); the write's inbox message and the intent's confirmation are then
committed in one transaction (:meth:`~tidbok.gateway.store.OutboxStore.add_activity_message`). An
intent the backend refused is dropped. What is left open is settled by the reconciler
(:mod:`tidbok.gateway.reconciler`), which reads the booking back. A confirmed intent names the
booking its message is about, so that reading back never gives one booking two messages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from tidbok.events import ActivityIntent
from tidbok.gateway.sqlite_file import SqliteFile, utc_text


class IntentState(StrEnum):
    """Where an intent is: announced, or settled with its message written."""

    OPEN = "open"
    """Stored before the write was sent; how the write ended is not recorded yet."""
    CONFIRMED = "confirmed"
    """The write happened and its inbox message is in the outbox."""


@dataclass(frozen=True)
class StoredIntent:
    """An intent with the gateway run that stored it and its state."""

    intent: ActivityIntent
    run: str
    """The id of the gateway run (process start) that announced it."""
    state: IntentState = IntentState.OPEN
    booking_id: str | None = None
    """The booking the intent is about: the one it changes, or (confirmed) the one it made or
    moved (a system may give a moved booking a new id; the intent's own ``booking_id`` keeps the
    one it changed)."""


class IntentStore(Protocol):
    """Durable storage of activity intents until each is confirmed or dropped."""

    async def add_intent(self, intent: ActivityIntent, run: str) -> None:
        """Store an open intent durably before returning (a failure refuses the write)."""
        ...

    async def drop_intent(self, intent_id: str) -> None:
        """Forget an open intent whose write did not happen."""
        ...

    async def open_intents(self, limit: int) -> list[StoredIntent]:
        """Claim up to ``limit`` open intents, oldest first, for this store's reconciler.

        Like :meth:`~tidbok.gateway.store.OutboxStore.pending`: another replica's claims are
        skipped until their lease runs out; this store gets its own again.
        """
        ...

    async def count_open_intents(self) -> int:
        """How many intents are open."""
        ...

    async def claimed(self, kinds: Iterable[str], booking_id: str, but: str) -> bool:
        """Whether an intent other than ``but``, of one of ``kinds``, is confirmed for it."""
        ...

    async def confirmed_on(self, target: str, but: str) -> list[ActivityIntent]:
        """The confirmed intents (other than ``but``) of writes that changed booking ``target``."""
        ...

    async def purge_intents(self, before: datetime) -> int:
        """Forget confirmed intents created before ``before``; return how many."""
        ...


class SqliteIntents(SqliteFile):
    """:class:`IntentStore` on the gateway's SQLite file."""

    async def add_intent(self, intent: ActivityIntent, run: str) -> None:
        """Store an open intent; committed when this returns."""
        await self._write(
            "INSERT INTO intents (id, run, kind, state, target, booking_id, created_at, intent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            intent_row(intent, run, utc_text),
        )

    async def drop_intent(self, intent_id: str) -> None:
        """Forget an open intent whose write did not happen."""
        await self._write(
            "DELETE FROM intents WHERE id = ? AND state = ?", (intent_id, IntentState.OPEN.value)
        )

    async def open_intents(self, limit: int) -> list[StoredIntent]:
        """Claim up to ``limit`` open intents, oldest first (claims by others excepted)."""
        now = self.clock.now()
        until = utc_text(now + timedelta(seconds=self.lease_seconds))

        def claim(conn: sqlite3.Connection) -> list[Any]:
            rows = conn.execute(
                "SELECT intent, run, state, booking_id, id FROM intents WHERE state = ? AND "
                "(claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?) "
                "ORDER BY created_at, id LIMIT ?",
                (IntentState.OPEN.value, utc_text(now), self.replica, limit),
            ).fetchall()
            conn.executemany(
                "UPDATE intents SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                [(self.replica, until, row[4]) for row in rows],
            )
            return rows

        rows = await self._run(claim)
        return [
            StoredIntent(
                intent=ActivityIntent.model_validate_json(row[0]),
                run=row[1],
                state=IntentState(row[2]),
                booking_id=row[3],
            )
            for row in rows
        ]

    async def count_open_intents(self) -> int:
        """How many intents are open."""
        async with self.db.execute(
            "SELECT COUNT(*) FROM intents WHERE state = ?", (IntentState.OPEN.value,)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def claimed(self, kinds: Iterable[str], booking_id: str, but: str) -> bool:
        """Whether an intent other than ``but``, of one of ``kinds``, is confirmed for it."""
        wanted = list(kinds)
        marks = ", ".join("?" for _ in wanted)
        async with self.db.execute(
            f"SELECT 1 FROM intents WHERE booking_id = ? AND state = ? AND id != ? "
            f"AND kind IN ({marks}) LIMIT 1",
            (booking_id, IntentState.CONFIRMED.value, but, *wanted),
        ) as cursor:
            return await cursor.fetchone() is not None

    async def confirmed_on(self, target: str, but: str) -> list[ActivityIntent]:
        """The confirmed intents (other than ``but``) of writes that changed booking ``target``."""
        async with self.db.execute(
            "SELECT intent FROM intents WHERE target = ? AND state = ? AND id != ? "
            "ORDER BY created_at, id",
            (target, IntentState.CONFIRMED.value, but),
        ) as cursor:
            rows = await cursor.fetchall()
        return [ActivityIntent.model_validate_json(row[0]) for row in rows]

    async def purge_intents(self, before: datetime) -> int:
        """Forget confirmed intents created before ``before``; return how many."""
        count = await self._write(
            "DELETE FROM intents WHERE state = ? AND created_at < ?",
            (IntentState.CONFIRMED.value, utc_text(before)),
        )
        return max(count, 0)


def intent_row(
    intent: ActivityIntent, run: str, moment: Callable[[datetime], Any]
) -> tuple[Any, ...]:
    """The values of ``INSERT INTO intents (id, run, kind, state, target, booking_id,
    created_at, intent)`` for an open intent; ``moment`` writes the time (SQLite: UTC text,
    PostgreSQL: the aware datetime)."""
    return (
        intent.id,
        run,
        intent.kind.value,
        IntentState.OPEN.value,
        intent.booking_id,
        intent.booking_id,
        moment(intent.created_at),
        intent.model_dump_json(),
    )
