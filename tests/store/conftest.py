"""The store suite's fixtures: each test runs against SQLite and a real PostgreSQL server.

The PostgreSQL server is started once per test session by ``pgserver`` (a PostgreSQL build in a
wheel) in a temporary folder, with one database for the suite that each test gets empty: its
schema dropped and the sessions left on it ended (with their locks), so tests never see each
other's rows or locks (a ``CREATE DATABASE`` per test took 0.2 s each, 10 s a run). Nothing is
mocked and nothing is skipped: without the server the PostgreSQL half fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tidbok.gateway.pg_store import PostgresGatewayStore
from tidbok.gateway.store import GatewayStore, SqliteGatewayStore

#: The citizen secret both kinds are built with (delivered messages keep an HMAC only).
CITIZEN_SECRET = b"store-suite-citizen-secret-32-bytes!"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """One PostgreSQL server for the whole session (about a second to start).

    Its folder is not under pytest's ``pytest-of-<user>``: every pytest run (the contract kit's
    tests start some) makes that folder private again, and pgserver, run as root, starts the
    server as its own ``pgserver`` user, who must be able to reach the data folder.
    """
    folder = Path(tempfile.mkdtemp(prefix="tidbok-pg-"))
    runtime = Path(tempfile.gettempdir(), "tidbok-pgserver-runtime")  # pgserver's lock file
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pgserver

    server = pgserver.get_server(folder / "data", cleanup_mode="stop")
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        # A throwaway server: no waiting for the disk (CREATE DATABASE per test, commits).
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = off".encode())
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_database(pg_server: Any) -> str:
    """The URL of the suite's database on the session's server."""
    with psycopg.connect(pg_server.get_uri(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE store_suite")
    return str(pg_server.get_uri("store_suite"))


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """The URL of an empty database: the suite's, emptied (no tables, sessions or locks)."""
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return pg_database


@dataclass
class StoreMaker:
    """Builds store objects of one kind on one database (each object: a replica, for PG)."""

    kind: str
    location: str
    made: list[GatewayStore] = field(default_factory=list)

    def __call__(self, **options: Any) -> GatewayStore:
        store: GatewayStore
        options.setdefault("citizen_secret", CITIZEN_SECRET)
        if self.kind == "sqlite":
            store = SqliteGatewayStore(self.location, **options)
        else:
            store = PostgresGatewayStore(self.location, max_size=4, **options)
        self.made.append(store)
        return store

    async def opened(self, **options: Any) -> GatewayStore:
        store = self(**options)
        await store.open()
        return store


@pytest.fixture(params=["sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_location(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The SQLite file or the PostgreSQL database URL of this test."""
    if store_kind == "sqlite":
        return str(tmp_path / "gateway.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def make_store(store_kind: str, store_location: str) -> AsyncIterator[StoreMaker]:
    maker = StoreMaker(store_kind, store_location)
    yield maker
    for store in maker.made:
        await store.close()


@pytest.fixture
async def store(make_store: StoreMaker) -> GatewayStore:
    """An open store of the parametrized kind."""
    return await make_store.opened()


@pytest.fixture
async def replicas(pg_url: str) -> AsyncIterator[Callable[..., Any]]:
    """Open PostgreSQL stores on one database: what two (or more) gateway replicas use."""
    maker = StoreMaker("postgres", pg_url)
    yield maker.opened
    for store in maker.made:
        await store.close()
