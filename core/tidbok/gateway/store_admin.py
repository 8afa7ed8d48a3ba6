"""Which store the settings choose, and what operators ask of it (status, migrate).

:func:`build_store` gives the gateway its store: SQLite at ``gateway.outbox_path`` when
``gateway.store.url`` is unset, else PostgreSQL (psycopg is imported only then, so the SQLite
default needs no PostgreSQL packages). :func:`store_status` and :func:`migrate_store` are
``tidbok store status`` and ``tidbok store migrate``; :func:`safe_url` shows a URL without its
password.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiosqlite

from tidbok.clock import Clock
from tidbok.gateway.migrations import LATEST, sqlite_version
from tidbok.gateway.store import GatewayStore, SqliteGatewayStore
from tidbok.settings import GatewaySettings


class PostgresMissing(RuntimeError):
    """``gateway.store.url`` names PostgreSQL, but psycopg is not installed."""


def build_store(
    settings: GatewaySettings,
    *,
    citizen_secret: bytes | None = None,
    outbox_path: str | Path | None = None,
    clock: Clock | None = None,
) -> GatewayStore:
    """The store the settings choose, not opened yet (``outbox_path`` overrides the SQLite file;
    ``clock`` stamps the SQLite store's claims and records: the gateway's)."""
    store = settings.store
    if store.url is None:
        return SqliteGatewayStore(
            outbox_path if outbox_path is not None else settings.outbox_path,
            citizen_secret=citizen_secret,
            lease_seconds=store.lease_seconds,
            clock=clock,
        )
    try:
        from tidbok.gateway.pg_store import PostgresGatewayStore
    except ImportError:  # pragma: no cover - the dev install has it
        raise PostgresMissing(
            "gateway.store.url names PostgreSQL: install tidbok[postgres] (psycopg 3 and its pool)"
        ) from None
    return PostgresGatewayStore(
        store.url,
        citizen_secret=citizen_secret,
        min_size=store.pool_min_size,
        max_size=store.pool_max_size,
        timeout=store.connect_timeout,
        lease_seconds=store.lease_seconds,
    )


def safe_url(url: str) -> str:
    """``url`` with any password (in the authority or a ``password=`` parameter) masked."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, colon, password = userinfo.partition(":")
        netloc = f"{user}:***@{hostport}" if colon and password else f"{user}@{hostport}"
    query = urlencode(
        [
            (name, "***" if name.lower() == "password" else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="/*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@dataclass(frozen=True)
class StoreStatus:
    """What ``tidbok store status`` prints."""

    kind: str
    """``sqlite`` or ``postgresql``."""
    location: str
    """The SQLite file, or the PostgreSQL URL without its password."""
    current: int
    """The schema version the store has (0: nothing created yet)."""
    latest: int = LATEST
    """The schema version this tidbok writes."""

    def lines(self) -> list[str]:
        """The status as the command prints it."""
        if self.current == self.latest:
            state = "up to date"
        elif self.current < self.latest:
            state = "migrations pending: run tidbok store migrate (or start the gateway)"
        else:
            state = "newer than this tidbok: run the version that migrated it"
        return [
            f"store:   {self.kind}",
            f"at:      {self.location}",
            f"schema:  version {self.current} (latest {self.latest}): {state}",
        ]


async def store_status(settings: GatewaySettings) -> StoreStatus:
    """The store's kind, where it is and its schema version, changing nothing.

    The SQLite file is read without taking its lock, so this works while a gateway runs.
    """
    url = settings.store.url
    if url is None:
        path = settings.outbox_path
        current = 0
        if path.exists():
            async with aiosqlite.connect(f"file:{path}?mode=ro", uri=True) as db:
                current = await sqlite_version(db)
        return StoreStatus("sqlite", str(path), current)
    from psycopg import AsyncConnection

    from tidbok.gateway.migrations import postgres_version

    conn = await AsyncConnection.connect(
        url, autocommit=True, connect_timeout=max(1, round(settings.store.connect_timeout))
    )
    async with conn:
        current = await postgres_version(conn)
    return StoreStatus("postgresql", safe_url(url), current)


async def migrate_store(settings: GatewaySettings) -> tuple[list[int], StoreStatus]:
    """Bring the store to the latest schema (as a gateway's start does); the versions applied.

    For SQLite this takes the file's lock, so it refuses while a gateway uses the file
    (:class:`~tidbok.gateway.sqlite_file.StoreInUse`); that gateway migrated it when it started.
    """
    store = build_store(settings)
    await store.open()
    try:
        applied = list(getattr(store, "migrated", []))
    finally:
        await store.close()
    return applied, await store_status(settings)
