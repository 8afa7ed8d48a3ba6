"""The gateway store on PostgreSQL, for any number of gateway replicas on one database.

:class:`PostgresGatewayStore` implements :class:`~tidbok.gateway.store.GatewayStore` (outbox,
activity intents, idempotency keys) with the semantics of
:class:`~tidbok.gateway.store.SqliteGatewayStore`; ``tests/store`` runs one suite against both.
What sharing adds:

- :meth:`pending` claims the messages it returns with a lease (``FOR UPDATE SKIP LOCKED``, then
  ``claimed_by``/``claimed_until``), so two replicas' workers never deliver one message at once;
  a replica that dies leaves its claims to run out (``gateway.store.lease_seconds``), and then
  another takes them over. Delivery stays exactly-once in the inbox, which keys on message id.
- Intents are claimed the same way when the reconciler reads them, and the reconciler runs on
  one replica at a time (:meth:`~tidbok.gateway.pg_base.PostgresBase.reconcile_lock`).
- Idempotency keys are shared through their primary key (:mod:`tidbok.gateway.pg_idempotency`).
- ``seq`` (the outbox's order) is an identity column (unique since migration 3), so concurrent
  writers never collide and a write never reads the table.

The pool, the advisory locks, the migrations and why psycopg are in :mod:`tidbok.gateway.pg_base`.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from tidbok.gateway.intent_store import IntentState
from tidbok.gateway.pg_base import as_is
from tidbok.gateway.pg_idempotency import PostgresIdempotency
from tidbok.gateway.pg_intents import CLAIM, PostgresIntents
from tidbok.gateway.store import DeliveryState, OutboxMessage, purge_in_batches

_COLUMNS = (
    "id, citizen, kind, unit, unit_name, subject, body, created_at, state, attempts, "
    "delivered_at, seq"
)

_INSERT_MESSAGE = (
    "INSERT INTO outbox (id, citizen, kind, unit, unit_name, subject, body, created_at, state) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


class PostgresGatewayStore(PostgresIntents, PostgresIdempotency):
    """:class:`~tidbok.gateway.store.GatewayStore` on one PostgreSQL database.

    ``citizen_secret`` works as in :class:`~tidbok.gateway.store.SqliteGatewayStore`: a delivered
    message keeps the citizen only as an HMAC of the identity number.
    """

    def __init__(
        self,
        url: str,
        *,
        citizen_secret: bytes | None = None,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 10.0,
        lease_seconds: float = 300.0,
    ) -> None:
        super().__init__(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout,
            lease_seconds=lease_seconds,
        )
        self._citizen_secret = citizen_secret

    def _pseudonym(self, citizen: str) -> str | None:
        if self._citizen_secret is None:
            return None
        return "hmac:" + hmac.new(self._citizen_secret, citizen.encode(), "sha256").hexdigest()

    async def add_message(self, message: OutboxMessage) -> None:
        """Store a new pending message; committed when this returns."""
        await self._write(_INSERT_MESSAGE, message.insert_row(as_is))

    async def add_activity_message(
        self, message: OutboxMessage, intent_id: str, booking_id: str | None
    ) -> None:
        """Store the message of an intent's write and confirm the intent, in one transaction."""
        async with self.connect() as conn, conn.transaction():
            await conn.execute(
                (_INSERT_MESSAGE + " ON CONFLICT (id) DO NOTHING").encode(),
                message.insert_row(as_is),
            )
            await conn.execute(
                "UPDATE intents SET state = %s, booking_id = COALESCE(%s, booking_id), "
                "claimed_by = NULL, claimed_until = NULL WHERE id = %s",
                (IntentState.CONFIRMED.value, booking_id, intent_id),
            )

    async def pending(self, limit: int) -> list[OutboxMessage]:
        """Claim up to ``limit`` pending messages, oldest first (others' live claims skipped)."""
        sql = CLAIM.format(
            table="outbox",
            order="seq",
            columns=", ".join(f"t.{column.strip()}" for column in _COLUMNS.split(",")),
        )
        rows = await self._fetch(
            sql,
            {
                "state": DeliveryState.PENDING.value,
                "take_over": False,
                "me": self.replica,
                "limit": limit,
                "lease": self.lease_seconds,
            },
        )
        rows.sort(key=lambda row: row[11])
        return [OutboxMessage.from_row(row, as_is) for row in rows]

    async def mark_delivered(self, message_id: str, at: datetime) -> None:
        """Record that the inbox has stored the message (and forget the number, with a secret)."""
        async with self.connect() as conn, conn.transaction():
            cursor = await conn.execute(
                "SELECT citizen FROM outbox WHERE id = %s FOR UPDATE", (message_id,)
            )
            row = await cursor.fetchone()
            pseudonym = self._pseudonym(row[0]) if row is not None else None
            await conn.execute(
                "UPDATE outbox SET state = %s, delivered_at = %s, attempts = attempts + 1, "
                "last_error = NULL, citizen = COALESCE(%s, citizen), claimed_by = NULL, "
                "claimed_until = NULL WHERE id = %s AND state <> %s",
                (
                    DeliveryState.DELIVERED.value,
                    at,
                    pseudonym,
                    message_id,
                    DeliveryState.DELIVERED.value,
                ),
            )

    async def mark_all_delivered(self, messages: Sequence[OutboxMessage], at: datetime) -> None:
        """Record that the inbox has stored each of ``messages``, in one statement.

        The pseudonym comes from each message's citizen (a pending row holds the number itself);
        a row already delivered keeps its state and pseudonym.
        """
        if not messages:
            return
        await self._write(
            "UPDATE outbox AS o SET state = %s, delivered_at = %s, attempts = o.attempts + 1, "
            "last_error = NULL, citizen = COALESCE(marks.pseudonym, o.citizen), "
            "claimed_by = NULL, claimed_until = NULL "
            "FROM unnest(%s::text[], %s::text[]) AS marks (id, pseudonym) "
            "WHERE o.id = marks.id AND o.state <> %s",
            (
                DeliveryState.DELIVERED.value,
                at,
                [message.id for message in messages],
                [self._pseudonym(message.citizen) for message in messages],
                DeliveryState.DELIVERED.value,
            ),
        )

    async def record_failure(self, message_id: str, error: str, dead: bool) -> None:
        """Count a failed attempt; ``dead`` stops further attempts.

        A message still pending stays claimed by this replica, which retries it after its
        backoff; should this replica die, another takes it over when the lease runs out.
        """
        state = DeliveryState.DEAD if dead else DeliveryState.PENDING
        await self._write(
            "UPDATE outbox SET attempts = attempts + 1, last_error = %s, state = %s WHERE id = %s",
            (error[:500], state.value, message_id),
        )

    async def messages_for(self, citizen: str, limit: int) -> list[OutboxMessage]:
        """The citizen's messages, newest first."""
        pseudonym = self._pseudonym(citizen) or citizen
        rows = await self._fetch(
            f"SELECT {_COLUMNS} FROM outbox WHERE citizen IN (%s, %s) ORDER BY seq DESC LIMIT %s",
            (citizen, pseudonym, limit),
        )
        return [replace(OutboxMessage.from_row(row, as_is), citizen=citizen) for row in rows]

    async def count_pending(self) -> int:
        """How many messages wait for delivery."""
        rows = await self._fetch(
            "SELECT COUNT(*) FROM outbox WHERE state = %s", (DeliveryState.PENDING.value,)
        )
        return int(rows[0][0]) if rows else 0

    async def purge_messages(self, before: datetime) -> int:
        """Delete messages delivered (or refused for good, by creation) before ``before``.

        In batches of :data:`~tidbok.gateway.store.PURGE_BATCH` rows, each its own transaction;
        rows another transaction holds are left for the next purge. Pending rows are never
        deleted.
        """
        return await purge_in_batches(self._write, _PURGE, before)


_PURGE = (
    "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox "
    "WHERE (state = %s AND delivered_at < %s) OR (state = %s AND created_at < %s) "
    "LIMIT %s FOR UPDATE SKIP LOCKED)"
)
