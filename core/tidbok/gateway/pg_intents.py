"""Activity intents in PostgreSQL: :class:`~tidbok.gateway.intent_store.IntentStore` for replicas.

The same rows and semantics as :class:`~tidbok.gateway.intent_store.SqliteIntents` (times as
``TIMESTAMPTZ``). :meth:`PostgresIntents.open_intents` claims the intents it returns with a lease
(``FOR UPDATE SKIP LOCKED``, ``claimed_until``): a second replica reading at the same moment gets
other intents, and an intent claimed by a replica that died is taken over once its lease ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tidbok.events import ActivityIntent
from tidbok.gateway.intent_store import IntentState, StoredIntent, intent_row
from tidbok.gateway.pg_base import PostgresBase, as_is

#: Claim open (or pending) rows: skip rows another transaction holds, and rows another replica
#: claimed whose lease has not run out (unless ``take_over``); ``{table}``, ``{order}`` and
#: ``{columns}`` are filled in.
CLAIM = """
WITH picked AS (
    SELECT id FROM {table}
    WHERE state = %(state)s
      AND (claimed_until IS NULL OR claimed_until < clock_timestamp() OR claimed_by = %(me)s
           OR %(take_over)s)
    ORDER BY {order}
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE {table} AS t
SET claimed_by = %(me)s,
    claimed_until = clock_timestamp() + make_interval(secs => %(lease)s)
FROM picked WHERE t.id = picked.id
RETURNING {columns}
"""


class PostgresIntents(PostgresBase):
    """:class:`~tidbok.gateway.intent_store.IntentStore` on the shared database."""

    async def add_intent(self, intent: ActivityIntent, run: str) -> None:
        """Store an open intent; committed when this returns."""
        await self._write(
            "INSERT INTO intents (id, run, kind, state, target, booking_id, created_at, intent) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            intent_row(intent, run, as_is),
        )

    async def drop_intent(self, intent_id: str) -> None:
        """Forget an open intent whose write did not happen."""
        await self._write(
            "DELETE FROM intents WHERE id = %s AND state = %s", (intent_id, IntentState.OPEN.value)
        )

    async def open_intents(self, limit: int) -> list[StoredIntent]:
        """Claim up to ``limit`` open intents, oldest first (others' live claims skipped).

        Under :meth:`reconcile_lock` other replicas' claims are taken over at once: they were
        made in passes that have ended (a pass holds the lock throughout).
        """
        sql = CLAIM.format(
            table="intents",
            order="created_at, id",
            columns="t.intent, t.run, t.state, t.booking_id, t.created_at, t.id",
        )
        rows = await self._fetch(
            sql,
            {
                "state": IntentState.OPEN.value,
                "take_over": self._reconciling,
                "me": self.replica,
                "limit": limit,
                "lease": self.lease_seconds,
            },
        )
        rows.sort(key=lambda row: (row[4], row[5]))
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
        rows = await self._fetch(
            "SELECT COUNT(*) FROM intents WHERE state = %s", (IntentState.OPEN.value,)
        )
        return int(rows[0][0]) if rows else 0

    async def claimed(self, kinds: Iterable[str], booking_id: str, but: str) -> bool:
        """Whether an intent other than ``but``, of one of ``kinds``, is confirmed for it."""
        rows = await self._fetch(
            "SELECT 1 FROM intents WHERE booking_id = %s AND state = %s AND id <> %s "
            "AND kind = ANY(%s) LIMIT 1",
            (booking_id, IntentState.CONFIRMED.value, but, list(kinds)),
        )
        return bool(rows)

    async def confirmed_on(self, target: str, but: str) -> list[ActivityIntent]:
        """The confirmed intents (other than ``but``) of writes that changed booking ``target``."""
        rows = await self._fetch(
            "SELECT intent FROM intents WHERE target = %s AND state = %s AND id <> %s "
            "ORDER BY created_at, id",
            (target, IntentState.CONFIRMED.value, but),
        )
        return [ActivityIntent.model_validate_json(row[0]) for row in rows]

    async def purge_intents(self, before: datetime) -> int:
        """Forget confirmed intents created before ``before``; return how many."""
        return await self._write(
            "DELETE FROM intents WHERE state = %s AND created_at < %s",
            (IntentState.CONFIRMED.value, before),
        )
