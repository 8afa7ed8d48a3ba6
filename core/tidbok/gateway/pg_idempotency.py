"""Idempotency keys in PostgreSQL, shared by every replica through one unique key.

:class:`PostgresIdempotency` gives :meth:`begin` exactly the outcomes of
:class:`~tidbok.gateway.idempotency_store.SqliteIdempotency`: a new key (or an abandoned one,
older than the lock timeout, with the same request) is STARTED; another request body is a
MISMATCH; an unfinished key is IN_PROGRESS; a finished one is a REPLAY of its stored answer. The
primary key ``(citizen, key)`` is the unique constraint that makes it safe across replicas: the
first ``INSERT ... ON CONFLICT DO NOTHING`` wins, and every other replica then reads (and locks)
that row, so a key honoured by one replica is replayed by another.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tidbok.gateway.idempotency_store import BeginOutcome, IdempotencyRecord
from tidbok.gateway.pg_base import PostgresBase

#: Tries of begin when the row it collided with is released before it can be read.
_BEGIN_TRIES = 5


class PostgresIdempotency(PostgresBase):
    """:class:`~tidbok.gateway.idempotency_store.IdempotencyStore` on the shared database."""

    async def begin(
        self, citizen: str, key: str, fingerprint: str, now: datetime, lock_timeout: timedelta
    ) -> IdempotencyRecord:
        """Claim ``key`` for a request with ``fingerprint`` or report what holds it."""
        for _ in range(_BEGIN_TRIES):
            record = await self._begin(citizen, key, fingerprint, now, lock_timeout)
            if record is not None:
                return record
        raise RuntimeError("idempotency key kept changing under this request")  # pragma: no cover

    async def _begin(
        self, citizen: str, key: str, fingerprint: str, now: datetime, lock_timeout: timedelta
    ) -> IdempotencyRecord | None:
        async with self.connect() as conn, conn.transaction():
            cursor = await conn.execute(
                "INSERT INTO idempotency (citizen, key, fingerprint, state, created_at) "
                "VALUES (%s, %s, %s, 'in_progress', %s) ON CONFLICT (citizen, key) DO NOTHING",
                (citizen, key, fingerprint, now),
            )
            if cursor.rowcount == 1:
                return IdempotencyRecord(BeginOutcome.STARTED)
            cursor = await conn.execute(
                "SELECT fingerprint, state, status, body, created_at FROM idempotency "
                "WHERE citizen = %s AND key = %s FOR UPDATE",
                (citizen, key),
            )
            row = await cursor.fetchone()
            if row is None:
                return None  # released (or purged) in between: try the insert again
            stored_fingerprint, state, status, body, created_at = row
            if (
                state == "in_progress"
                and created_at + lock_timeout < now
                and stored_fingerprint == fingerprint
            ):
                await conn.execute(
                    "UPDATE idempotency SET state = 'in_progress', status = NULL, body = NULL, "
                    "created_at = %s WHERE citizen = %s AND key = %s",
                    (now, citizen, key),
                )
                return IdempotencyRecord(BeginOutcome.STARTED)
            if stored_fingerprint != fingerprint:
                return IdempotencyRecord(BeginOutcome.MISMATCH)
            if state == "in_progress":
                return IdempotencyRecord(BeginOutcome.IN_PROGRESS)
            return IdempotencyRecord(BeginOutcome.REPLAY, status=status, body=body)

    async def complete(self, citizen: str, key: str, status: int, body: str) -> None:
        """Store the answer of a finished request."""
        await self._write(
            "UPDATE idempotency SET state = 'done', status = %s, body = %s "
            "WHERE citizen = %s AND key = %s",
            (status, body, citizen, key),
        )

    async def release(self, citizen: str, key: str) -> None:
        """Forget a key whose request failed, so that a retry can try again."""
        await self._write(
            "DELETE FROM idempotency WHERE citizen = %s AND key = %s AND state = 'in_progress'",
            (citizen, key),
        )

    async def purge(self, before: datetime) -> int:
        """Forget keys created before ``before``; return how many."""
        return await self._write("DELETE FROM idempotency WHERE created_at < %s", (before,))
