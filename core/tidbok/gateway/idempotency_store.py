"""Idempotency keys (``Idempotency-Key`` on ``POST /v1/bookings``): the protocol and SQLite.

:class:`IdempotencyStore` is what :mod:`tidbok.gateway.idempotency` uses; :class:`SqliteIdempotency`
implements it as one part of :class:`~tidbok.gateway.store.SqliteGatewayStore`. Keys are kept per
citizen under :func:`citizen_key`, an HMAC of the identity number under a secret of the settings
(:func:`idempotency_secret`), never the number itself nor a hash anyone could recompute.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from tidbok.gateway.auth import GatewayConfigError
from tidbok.gateway.sqlite_file import SqliteFile, utc_text
from tidbok.identity import PersonalIdentityNumber
from tidbok.settings import GatewaySettings


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


#: The shortest ``idempotency_secret`` accepted.
MIN_SECRET_LENGTH = 32


class IdempotencySecretMissing(GatewayConfigError):
    """The gateway has no secret to key its idempotency records with."""


def idempotency_secret(settings: GatewaySettings) -> bytes:
    """The HMAC key of idempotency records: ``idempotency_secret``, else derived from the JWT one.

    Raises :class:`IdempotencySecretMissing` when neither is set (or the secret is too short).
    """
    if settings.idempotency_secret is not None:
        secret = settings.idempotency_secret.get_secret_value()
        if len(secret) < MIN_SECRET_LENGTH:
            message = f"gateway.idempotency_secret needs at least {MIN_SECRET_LENGTH} characters"
            raise IdempotencySecretMissing(message)
        return secret.encode()
    if settings.jwt_secret is not None:
        jwt_secret = settings.jwt_secret.get_secret_value().encode()
        return hmac.new(jwt_secret, b"tidbok-idempotency-secret", hashlib.sha256).digest()
    raise IdempotencySecretMissing(
        "set gateway.idempotency_secret (at least 32 characters): without jwt_secret there is "
        "no secret to key idempotency records with"
    )


def citizen_key(citizen: PersonalIdentityNumber, secret: bytes) -> str:
    """A stable key for a citizen's idempotency keys: an HMAC of the number under ``secret``.

    Without the secret it cannot be recomputed from the (few) possible identity numbers.
    """
    return hmac.new(secret, citizen.value.encode(), hashlib.sha256).hexdigest()


class SqliteIdempotency(SqliteFile):
    """:class:`IdempotencyStore` on the gateway's SQLite file."""

    async def begin(
        self, citizen: str, key: str, fingerprint: str, now: datetime, lock_timeout: timedelta
    ) -> IdempotencyRecord:
        """Claim ``key`` for a request with ``fingerprint`` or report what holds it."""

        def claim(conn: sqlite3.Connection) -> IdempotencyRecord:
            return _begin(conn, citizen, key, fingerprint, now, lock_timeout)

        return await self._run(claim)

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
        count = await self._write(
            "DELETE FROM idempotency WHERE created_at < ?", (utc_text(before),)
        )
        return max(count, 0)


def _begin(
    conn: sqlite3.Connection,
    citizen: str,
    key: str,
    fingerprint: str,
    now: datetime,
    lock_timeout: timedelta,
) -> IdempotencyRecord:
    """Claim ``key`` or report what holds it (one unit of the store's group commit)."""
    row = conn.execute(
        "SELECT fingerprint, state, status, body, created_at FROM idempotency "
        "WHERE citizen = ? AND key = ?",
        (citizen, key),
    ).fetchone()
    if row is None or (
        row[1] == "in_progress"
        and datetime.fromisoformat(row[4]) + lock_timeout < now
        and row[0] == fingerprint
    ):
        conn.execute(
            "INSERT OR REPLACE INTO idempotency (citizen, key, fingerprint, state, "
            "created_at) VALUES (?, ?, ?, 'in_progress', ?)",
            (citizen, key, fingerprint, utc_text(now)),
        )
        return IdempotencyRecord(BeginOutcome.STARTED)
    if row[0] != fingerprint:
        return IdempotencyRecord(BeginOutcome.MISMATCH)
    if row[1] == "in_progress":
        return IdempotencyRecord(BeginOutcome.IN_PROGRESS)
    return IdempotencyRecord(BeginOutcome.REPLAY, status=row[2], body=row[3])


def fingerprint_of(payload: Any) -> str:
    """A stable digest of a request body (canonical JSON)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
