"""Schema migrations on both stores: applied once, under a lock, from any earlier version."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import psycopg
import pytest

from tidbok.gateway.migrations import LATEST, MIGRATIONS, SchemaTooNew
from tidbok.gateway.pg_base import StoreUnavailable
from tidbok.gateway.pg_store import PostgresGatewayStore
from tidbok.gateway.sqlite_file import StoreInUse
from tidbok.gateway.store import GatewayStore, SqliteGatewayStore
from tidbok.gateway.store_admin import StoreStatus, build_store, safe_url, store_status
from tidbok.settings import GatewaySettings, load_settings

from .conftest import StoreMaker
from .helpers import TOLVAN, message


def _settings(kind: str, location: str) -> GatewaySettings:
    if kind == "sqlite":
        return GatewaySettings(outbox_path=Path(location))
    return GatewaySettings(store={"url": location})


async def _versions(store: GatewayStore) -> list[int]:
    if isinstance(store, SqliteGatewayStore):
        async with store.db.execute("SELECT version FROM schema_version ORDER BY 1") as cursor:
            return [row[0] for row in await cursor.fetchall()]
    assert isinstance(store, PostgresGatewayStore)
    async with store.pool.connection() as conn:
        found = await conn.execute("SELECT version FROM schema_version ORDER BY 1")
        return [row[0] for row in await found.fetchall()]


async def test_a_new_store_is_migrated_once(make_store: StoreMaker) -> None:
    first = await make_store.opened()
    assert getattr(first, "migrated", None) == [m.version for m in MIGRATIONS]
    assert await _versions(first) == [1, 2, 3] == list(range(1, LATEST + 1))
    await first.close()
    again = await make_store.opened()
    assert getattr(again, "migrated", None) == []
    assert await _versions(again) == [1, 2, 3]


async def test_status_reads_the_version_without_changing_it(
    make_store: StoreMaker, store_kind: str, store_location: str
) -> None:
    settings = _settings(store_kind, store_location)
    before = await store_status(settings)
    assert before == StoreStatus(
        "sqlite" if store_kind == "sqlite" else "postgresql", before.location, 0, LATEST
    )
    assert "migrations pending" in "\n".join(before.lines())
    store = await make_store.opened()
    after = await store_status(settings)  # while the store is open (SQLite: no lock taken)
    assert (after.current, after.latest) == (LATEST, LATEST)
    assert "up to date" in after.lines()[-1]
    await store.add_message(message(1))


async def test_a_newer_schema_is_refused(make_store: StoreMaker) -> None:
    store = await make_store.opened()
    if isinstance(store, SqliteGatewayStore):
        await store.db.execute(
            "INSERT INTO schema_version VALUES (99, 'future', '2030-01-01T00:00:00+00:00')"
        )
    else:
        assert isinstance(store, PostgresGatewayStore)
        async with store.pool.connection() as conn:
            await conn.execute("INSERT INTO schema_version VALUES (99, 'future', now())")
    await store.close()
    with pytest.raises(SchemaTooNew, match="schema version 99"):
        await make_store.opened()


async def test_replicas_starting_together_apply_each_migration_once(pg_url: str) -> None:
    stores = [PostgresGatewayStore(pg_url, max_size=2) for _ in range(4)]
    try:
        await asyncio.gather(*(store.open() for store in stores))
        applied = sorted((store.migrated for store in stores), key=len)
        assert applied == [[], [], [], [1, 2, 3]]
        assert await _versions(stores[0]) == [1, 2, 3]
    finally:
        for store in stores:
            await store.close()


async def test_a_second_process_on_one_sqlite_file_refuses(tmp_path: Path) -> None:
    first = SqliteGatewayStore(tmp_path / "g.sqlite3")
    await first.open()
    try:
        with pytest.raises(StoreInUse, match="one SQLite file serves one gateway"):
            await SqliteGatewayStore(tmp_path / "g.sqlite3").open()
    finally:
        await first.close()


async def test_a_file_from_before_versioning_is_version_1(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # what the gateway wrote before migrations existed
        db.executescript(MIGRATIONS[0].sqlite + ";")
        db.execute(
            "INSERT INTO outbox (id, citizen, kind, unit, unit_name, subject, body, created_at, "
            "seq, state) VALUES ('m-1', '191212121212', 'booked', 'SE2321000016-1234', 'VC', "
            "'s', 'b', '2026-12-01T08:00:00+00:00', 1, 'pending')"
        )
    db.close()
    status = await store_status(GatewaySettings(outbox_path=path))
    assert status.current == 1
    store = SqliteGatewayStore(path)
    await store.open()
    try:
        assert store.migrated == [2, 3]
        assert await _versions(store) == [1, 2, 3]
        assert [m.id for m in await store.pending(10)] == ["m-1"]
    finally:
        await store.close()


_V2_ROWS = [  # (id, seq, state): seq out of step with the ids, as concurrent writes leave it
    ("m-b", 7, "delivered"),
    ("m-a", 3, "pending"),
    ("m-c", 12, "pending"),
]


def _v2_sqlite(path: Path) -> None:
    """A file as versions 1 and 2 left it, with outbox rows."""
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0].sqlite + ";" + MIGRATIONS[1].sqlite + ";")
        db.execute(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL)"
        )
        db.executemany(
            "INSERT INTO schema_version VALUES (?, ?, '2026-11-01T08:00:00+00:00')",
            [(m.version, m.name) for m in MIGRATIONS[:2]],
        )
        db.executemany(
            "INSERT INTO outbox (id, citizen, kind, unit, unit_name, subject, body, created_at, "
            "seq, state, claimed_by, claimed_until) VALUES (?, ?, 'booked', 'SE2321000016-1234', "
            "'VC', 's', 'b', '2026-12-01T08:00:00+00:00', ?, ?, 'old-run', "
            "'2026-12-01T08:05:00+00:00')",
            [(mid, TOLVAN, seq, state) for mid, seq, state in _V2_ROWS],
        )
    db.close()


async def _v2_postgres(url: str) -> None:
    """A database as versions 1 and 2 left it, with outbox rows (``seq`` given explicitly)."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        for migration in MIGRATIONS[:2]:
            for statement in migration.postgres.split(";"):
                if statement.strip():
                    await conn.execute(statement.encode())
        await conn.execute(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TIMESTAMPTZ NOT NULL)"
        )
        for migration in MIGRATIONS[:2]:
            await conn.execute(
                "INSERT INTO schema_version VALUES (%s, %s, now())",
                (migration.version, migration.name),
            )
        for mid, seq, state in _V2_ROWS:
            await conn.execute(
                "INSERT INTO outbox (id, citizen, kind, unit, unit_name, subject, body, "
                "created_at, seq, state) OVERRIDING SYSTEM VALUE VALUES (%s, %s, 'booked', "
                "'SE2321000016-1234', 'VC', 's', 'b', now(), %s, %s)",
                (mid, TOLVAN, seq, state),
            )
        await conn.execute("SELECT setval(pg_get_serial_sequence('outbox', 'seq'), 12)")


async def test_version_3_keeps_the_outbox_and_its_order(
    make_store: StoreMaker, store_kind: str, store_location: str
) -> None:
    """An outbox of version 2 keeps its rows and their order; new messages come after them."""
    if store_kind == "sqlite":
        _v2_sqlite(Path(store_location))
    else:
        await _v2_postgres(store_location)
    store = await make_store.opened()
    assert getattr(store, "migrated", None) == [3]
    assert await _versions(store) == [1, 2, 3]
    await store.add_message(message(1))
    listed = [m.id for m in await store.messages_for(TOLVAN, 10)]
    assert listed == ["m-1", "m-c", "m-b", "m-a"]  # newest first, by seq
    assert [m.id for m in await store.pending(10)] == ["m-a", "m-c", "m-1"]  # claims were freed


def test_the_settings_choose_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(build_store(GatewaySettings(outbox_path=tmp_path / "x")), SqliteGatewayStore)
    monkeypatch.setenv("TIDBOK_GATEWAY__STORE__URL", "postgresql://tidbok@db.example/tidbok")
    monkeypatch.setenv("TIDBOK_GATEWAY__STORE__LEASE_SECONDS", "45")
    settings = load_settings()
    assert settings.gateway.store.url == "postgresql://tidbok@db.example/tidbok"
    store = build_store(settings.gateway)
    assert isinstance(store, PostgresGatewayStore)
    assert (store.lease_seconds, store.exclusive) == (45.0, False)


def test_the_store_url_must_name_postgresql() -> None:
    with pytest.raises(ValueError, match="url"):
        GatewaySettings(store={"url": "mysql://db/x"})
    with pytest.raises(ValueError, match="pool_min_size"):
        GatewaySettings(store={"url": "postgresql://db/x", "pool_min_size": 5, "pool_max_size": 2})


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://tidbok:s3cret@db:5432/gw", "postgresql://tidbok:***@db:5432/gw"),
        ("postgresql://tidbok@db/gw?sslmode=require", "postgresql://tidbok@db/gw?sslmode=require"),
        ("postgresql://db/gw?user=u&password=s3cret", "postgresql://db/gw?user=u&password=***"),
        ("postgresql://postgres:@/t?host=/tmp/pg", "postgresql://postgres@/t?host=/tmp/pg"),
    ],
)
def test_safe_url_hides_the_password(url: str, shown: str) -> None:
    assert safe_url(url) == shown


async def test_an_unreachable_database_stops_the_start_in_one_line(tmp_path: Path) -> None:
    url = f"postgresql://tidbok:s3cret@/gw?host={tmp_path}"
    store = PostgresGatewayStore(url, timeout=0.3)
    with pytest.raises(StoreUnavailable, match="cannot connect to the PostgreSQL store") as info:
        await store.open()
    assert "s3cret" not in str(info.value)
    assert "tidbok:***@" in str(info.value)
    assert not await store.ping()
