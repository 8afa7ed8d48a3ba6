"""One PostgreSQL database shared by any number of gateway replicas: the pool, locks, migrations.

:class:`PostgresBase` is the base of the PostgreSQL store's parts (outbox, activity intents,
idempotency keys), as :class:`~tidbok.gateway.sqlite_file.SqliteFile` is of the SQLite ones. It
opens a :class:`psycopg_pool.AsyncConnectionPool` (autocommit connections; a multi-statement
change runs in ``conn.transaction()``), migrates the schema under an advisory lock
(:func:`tidbok.gateway.migrations.migrate_postgres`) and offers :meth:`reconcile_lock`.

Why psycopg 3 rather than asyncpg: psycopg is the PostgreSQL adapter most Python operators
already run, speaks libpq, so every libpq connection setting works unchanged (``sslmode``,
``~/.pgpass``, ``PGPASSWORD``, service files, ``target_session_attrs`` for a failover pair), and
ships a maintained async pool with health checks and reconnection (``psycopg_pool``). Its binary
wheel needs no compiler. asyncpg is faster on raw throughput, but the gateway writes a few rows
per citizen request, far from where that matters, and asyncpg implements the protocol itself
(no libpq options, its own pool, no type hints); psycopg is fully typed, which mypy checks here.

The store is never ``exclusive``: other replicas may have writes in flight, so the reconciler
settles another run's intents only after ``intent_deadline``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from tidbok.errors import StoreDown
from tidbok.gateway.auth import GatewayConfigError
from tidbok.gateway.migrations import migrate_postgres
from tidbok.gateway.store_admin import safe_url

log = logging.getLogger("tidbok.gateway.store")

#: The session-level advisory lock held by the replica that reconciles intents.
RECONCILE_LOCK = 0x7469_6462_6F6B_0002


#: Seconds a request waits for a pooled connection before the store counts as down (the citizen's
#: call must answer within the national 3 s).
REQUEST_WAIT = 1.5


class StoreUnavailable(GatewayConfigError):
    """The PostgreSQL store cannot be reached (or refuses the login) when the gateway starts."""


class PostgresBase:
    """The connection pool to the store's database, and what every part of the store needs."""

    def __init__(
        self,
        url: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 10.0,
        lease_seconds: float = 300.0,
    ) -> None:
        self.url = url
        self.min_size = min_size
        self.max_size = max(max_size, 2)  # the reconciler holds one while it queries with another
        self.timeout = timeout
        self.lease_seconds = lease_seconds
        """How long a claim on pending messages or open intents lasts (then others take over)."""
        self.replica = uuid.uuid4().hex
        """This store object's (this replica's) name in the claims it makes."""
        self.migrated: list[int] = []
        """The schema versions :meth:`open` applied (none when another replica had)."""
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] | None = None
        self._reconciling = False
        """Whether this replica holds the reconcile lock (then no other replica is in a pass)."""

    @property
    def pool(self) -> AsyncConnectionPool[AsyncConnection[Any]]:
        """The open pool."""
        if self._pool is None:
            raise RuntimeError("the gateway store is not open")
        return self._pool

    @property
    def exclusive(self) -> bool:
        """Never: other replicas may share the database (and have writes in flight)."""
        return False

    async def open(self) -> None:
        """Open the pool and migrate the schema to the latest version (once across replicas)."""
        if self._pool is not None:
            return
        pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            self.url,
            min_size=self.min_size,
            max_size=self.max_size,
            timeout=self.timeout,
            kwargs={"autocommit": True},
            open=False,
            name="tidbok-gateway",
        )
        try:
            try:
                await pool.open(wait=True, timeout=self.timeout)
            except PoolTimeout:
                raise StoreUnavailable(
                    f"cannot connect to the PostgreSQL store {safe_url(self.url)} within "
                    f"{self.timeout:g} s: check gateway.store.url, the login and that the "
                    "database runs"
                ) from None
            async with pool.connection() as conn:
                self.migrated = await migrate_postgres(conn)
        except BaseException:
            await pool.close(timeout=0.5)  # do not wait out a connection attempt in progress
            raise
        self._pool = pool

    async def close(self) -> None:
        """Close the pool (its connections, and any lock they held, go with it)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def ping(self) -> bool:
        """Whether the database answers."""
        if self._pool is None:
            return False
        try:
            async with self._pool.connection(timeout=self.timeout) as conn:
                await conn.execute("SELECT 1")
        except Exception:
            return False
        return True

    @asynccontextmanager
    async def reconcile_lock(self) -> AsyncIterator[bool]:
        """``pg_try_advisory_lock``: True while this replica alone reconciles, else False.

        While it is held, no other replica is in a pass, so the intents other replicas claimed
        in earlier passes are free: :meth:`open_intents` takes them over at once.

        The lock is held by one pooled connection for the pass and released after it; should the
        release fail, that connection is closed, which releases it too (as a replica's death does).
        """
        async with self.pool.connection() as conn:
            cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (RECONCILE_LOCK,))
            row = await cursor.fetchone()
            held = bool(row and row[0])
            self._reconciling = held
            try:
                yield held
            finally:
                self._reconciling = False
                if held:
                    try:
                        await conn.execute("SELECT pg_advisory_unlock(%s)", (RECONCILE_LOCK,))
                    except Exception:
                        log.warning("could not release the reconcile lock; closing its connection")
                        await conn.close()

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection[Any]]:
        """A pooled connection for one request's work. A database that cannot be reached (no
        connection within :data:`REQUEST_WAIT` s, or one lost) is :class:`StoreDown`, which the
        gateway answers with 503 before touching any backend."""
        try:
            async with self.pool.connection(timeout=min(self.timeout, REQUEST_WAIT)) as conn:
                yield conn
        except (PoolTimeout, psycopg.OperationalError) as error:
            raise StoreDown(
                f"the PostgreSQL store is unavailable ({type(error).__name__})"
            ) from None

    async def _fetch(self, sql: str, params: tuple[Any, ...] | dict[str, Any]) -> list[Any]:
        """The rows of one statement."""
        async with self.connect() as conn:
            cursor = await conn.execute(sql.encode(), params)
            return list(await cursor.fetchall())

    async def _write(self, sql: str, params: tuple[Any, ...] | dict[str, Any]) -> int:
        """One statement in its own transaction; the number of rows it changed."""
        async with self.connect() as conn:
            cursor = await conn.execute(sql.encode(), params)
            return max(cursor.rowcount, 0)


def as_is(moment: datetime) -> datetime:
    """How PostgreSQL takes and gives back a time: the aware datetime itself (``timestamptz``)."""
    return moment
