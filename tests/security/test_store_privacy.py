"""The gateway's SQLite file: private mode, retention of delivered messages, keyed idempotency.

Each test here fails on the code before issue 12: the file was created 0644, delivered outbox rows
(with the full personal identity number) were kept forever, and idempotency records were keyed on
an unkeyed sha256 of the number, which anyone can recompute for every possible number.
"""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.gateway.runner import purge_expired
from tidbok.gateway.store import (
    DeliveryState,
    IdempotencySecretMissing,
    OutboxMessage,
    SqliteGatewayStore,
    citizen_key,
    idempotency_secret,
)
from tidbok.identity import PersonalIdentityNumber
from tidbok.settings import GatewaySettings

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
TOLVAN = PersonalIdentityNumber("191212121212")
SECRET = "a-test-secret-that-is-long-enough-for-hmac"


def _message(number: int) -> OutboxMessage:
    return OutboxMessage(
        id=f"m{number}",
        citizen=TOLVAN.value,
        kind="booked",
        unit="SE2321000016-1234",
        unit_name="Vårdcentralen",
        subject="Bokad tid",
        body="Du har en bokad tid.",
        created_at=NOW,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_fresh_store_and_its_side_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite3"
    store = SqliteGatewayStore(path)
    await store.open()
    try:
        await store.add_message(_message(1))
        files = [path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", ".lock"))]
        for file in files:
            assert file.exists(), file
            assert _mode(file) == 0o600, f"{file.name}: {oct(_mode(file))}"
    finally:
        await store.close()


async def test_an_existing_readable_store_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    store = SqliteGatewayStore(path)
    await store.open()
    await store.close()
    assert _mode(path) == 0o600


async def test_after_the_retention_the_outbox_holds_no_identity_number(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite3"
    clock = FrozenClock(NOW)
    settings = GatewaySettings(jwt_secret=SecretStr(SECRET), inbox_retention=30 * 86400.0)
    store = SqliteGatewayStore(path)
    await store.open()
    try:
        await store.add_message(_message(1))
        await store.add_message(_message(2))
        await store.mark_delivered("m1", clock.now())
        await store.record_failure("m2", "inbox answered 400", dead=True)
        clock.advance(timedelta(days=29))
        await purge_expired(store, clock, settings)
        kept = await store.messages_for(TOLVAN.value, 10)
        assert [m.state for m in kept] == [DeliveryState.DEAD, DeliveryState.DELIVERED]
        await store.add_message(_message(3))  # still pending: kept until delivered
        clock.advance(timedelta(days=2))
        await purge_expired(store, clock, settings)
        assert [m.id for m in await store.messages_for(TOLVAN.value, 10)] == ["m3"]
        await store.mark_delivered("m3", clock.now())
        clock.advance(timedelta(days=31))
        await purge_expired(store, clock, settings)
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT * FROM outbox").fetchall()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert rows == []
    assert TOLVAN.value not in repr(rows)


def test_idempotency_records_are_keyed_with_a_secret() -> None:
    unkeyed = hashlib.sha256(b"tidbok-idempotency:" + TOLVAN.value.encode()).hexdigest()
    derived = idempotency_secret(GatewaySettings(jwt_secret=SecretStr(SECRET)))
    own = idempotency_secret(GatewaySettings(idempotency_secret=SecretStr("x" * 32)))
    keys = {citizen_key(TOLVAN, derived), citizen_key(TOLVAN, own)}
    assert len(keys) == 2
    assert unkeyed not in keys
    assert hashlib.sha256(TOLVAN.value.encode()).hexdigest() not in keys


def test_a_gateway_without_any_secret_has_no_idempotency_key() -> None:
    for settings in (
        GatewaySettings(jwt_algorithm="RS256", jwt_public_key="pem"),
        GatewaySettings(idempotency_secret=SecretStr("short")),
    ):
        with pytest.raises(IdempotencySecretMissing, match="idempotency_secret"):
            idempotency_secret(settings)


async def test_a_delivered_message_keeps_only_a_keyed_pseudonym(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite3"
    store = SqliteGatewayStore(path, citizen_secret=SECRET.encode())
    await store.open()
    try:
        await store.add_message(_message(1))
        await store.add_message(_message(2))
        await store.mark_delivered("m1", NOW)
        listed = await store.messages_for(TOLVAN.value, 10)  # what GET /v1/inbox reads
        assert [(m.id, m.citizen) for m in listed] == [("m2", TOLVAN.value), ("m1", TOLVAN.value)]
        other = PersonalIdentityNumber("199001012385").value
        assert await store.messages_for(other, 10) == []
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("SELECT id, citizen FROM outbox").fetchall())
    assert rows["m2"] == TOLVAN.value  # pending: the inbox still needs the number
    assert TOLVAN.value not in rows["m1"]
    assert rows["m1"].startswith("hmac:")
