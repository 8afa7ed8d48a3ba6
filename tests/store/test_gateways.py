"""Two gateways (replicas) on one PostgreSQL store, end to end over HTTP.

Each replica has its own booking service over the same in-memory scheduling systems, its own
outbox worker delivering to one mock inbox, and its own reconciler; the store is one fresh
database of the session's real PostgreSQL server, chosen by ``[gateway.store] url``.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.conninfo import conninfo_to_dict

from tests.core.memory_system import MemoryPlugin
from tests.gateway.conftest import (
    NOW,
    PMO_UNIT,
    TOLVAN,
    Systems,
    at,
    make_settings,
    make_systems,
    wait_until,
)
from tidbok.clock import FrozenClock
from tidbok.events import ActivityIntent, ActivityKind
from tidbok.gateway import OutboxRecorder, RunningGateway, issue_token, start_gateway
from tidbok.gateway.pg_store import PostgresGatewayStore
from tidbok.gateway.reconciler import Reconciler
from tidbok.plugins import PluginRegistry
from tidbok.service import BookingService
from tidbok_mocks.inbox import running_inbox


async def replica(
    stack: AsyncExitStack, tmp_path: Path, url: str, inbox: str, systems: Systems
) -> tuple[RunningGateway, httpx.AsyncClient]:
    """A gateway on the store at ``url``, closed with ``stack``."""
    registry = PluginRegistry()  # its own hooks (outbox recorder), the same scheduling systems
    registry.register(MemoryPlugin(systems.pasis_system, systems.pmo_system), name="memory")
    settings = make_settings(
        tmp_path / "unused.sqlite3", inbox, inbox_api_key="inbox-key", store={"url": url}
    )
    service = await stack.enter_async_context(
        BookingService(settings, registry=registry, clock=FrozenClock(NOW))
    )
    running = await stack.enter_async_context(await start_gateway(settings, service, port=0))
    client = await stack.enter_async_context(httpx.AsyncClient(base_url=running.url))
    return running, client


def _headers(key: str) -> dict[str, str]:
    from tests.gateway.conftest import AUDIENCE, ISSUER, SECRET

    token = issue_token(
        SECRET, TOLVAN.value, audience=AUDIENCE, issuer=ISSUER, expires_at=NOW.replace(year=2027)
    )
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": key}


async def test_two_replicas_share_keys_messages_and_the_inbox(tmp_path: Path, pg_url: str) -> None:
    systems = make_systems()
    async with running_inbox(api_key="inbox-key") as inbox, AsyncExitStack() as stack:
        one, client_one = await replica(stack, tmp_path, pg_url, inbox.url, systems)
        two, client_two = await replica(stack, tmp_path, pg_url, inbox.url, systems)
        assert isinstance(one.store, PostgresGatewayStore)
        assert isinstance(two.store, PostgresGatewayStore)
        assert not tmp_path.joinpath("unused.sqlite3").exists()
        slot = systems.pmo.add_slot(PMO_UNIT, at(1, 10))
        body = {"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True}
        first = await client_one.post("/v1/bookings", json=body, headers=_headers("k1"))
        again = await client_two.post("/v1/bookings", json=body, headers=_headers("k1"))
        assert first.status_code == again.status_code == 201, again.text
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert len(systems.pmo.bookings) == 1

        async def delivered() -> bool:
            return await one.store.count_pending() == 0

        await wait_until(delivered, seconds=5.0)
        assert [m.content.kind for m in inbox.state.store.all()] == ["booked"]
        assert inbox.state.store.deliveries == 1
        seen = (await client_two.get("/v1/inbox", headers=_headers("x"))).json()
        assert [m["delivered"] for m in seen["messages"]] == [True]


async def test_one_replica_reconciles_while_the_other_waits(tmp_path: Path, pg_url: str) -> None:
    systems = make_systems()
    clock = FrozenClock(NOW)
    settings = make_settings(tmp_path / "unused.sqlite3", None, store={"url": pg_url})
    one, two = PostgresGatewayStore(pg_url), PostgresGatewayStore(pg_url)
    await one.open()
    await two.open()
    try:
        slot = systems.pmo.add_slot(PMO_UNIT, at(2, 10))
        intent = ActivityIntent.model_validate(
            {
                "id": "intent-1",
                "kind": ActivityKind.BOOKED,
                "unit": PMO_UNIT,
                "unit_name": "Barnmorskemottagningen Solna",
                "system": "memory_pmo",
                "subject_of_care": TOLVAN,
                "slot_id": slot.id,
                "start": slot.start,
                "created_at": NOW,
            }
        )
        await one.add_intent(intent, run="a-dead-replica")
        clock.advance(timedelta(seconds=61))  # past the deadline: due on any replica
        async with BookingService(settings, registry=systems.registry, clock=clock) as service:
            reconciler = Reconciler(two, service, OutboxRecorder(two), deadline=60, interval=60)
            async with one.reconcile_lock() as held:
                assert held
                report = await reconciler.reconcile()  # the other replica is reconciling
                assert (report.delivered, report.dropped, report.left) == (0, 0, 0)
                assert await two.count_open_intents() == 1
            report = await reconciler.reconcile()
            assert (report.delivered, report.dropped, report.left) == (0, 1, 0)
            assert await two.count_open_intents() == 0
    finally:
        await one.close()
        await two.close()


async def test_a_database_outage_answers_503_before_any_backend_and_recovers(
    tmp_path: Path, pg_url: str, pg_server: Any
) -> None:
    """The database refuses connections for a while: a booking answers 503 problem+json at once
    (within the 3 s), the scheduling system is never called, and once the database is back the
    same request books, with no restart."""
    systems = make_systems()
    database = conninfo_to_dict(pg_url)["dbname"]

    def admin(*statements: str) -> None:
        with psycopg.connect(pg_server.get_uri(), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement.encode(), (database,) if "%s" in statement else None)

    async with running_inbox(api_key="inbox-key") as inbox, AsyncExitStack() as stack:
        _, client = await replica(stack, tmp_path, pg_url, inbox.url, systems)
        slot = systems.pmo.add_slot(PMO_UNIT, at(1, 10))
        body = {"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True}
        await asyncio.to_thread(
            admin,
            f"ALTER DATABASE {database} WITH ALLOW_CONNECTIONS false",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
        )
        started = time.monotonic()
        down = await client.post("/v1/bookings", json=body, headers=_headers("k-outage"))
        took = time.monotonic() - started
        await asyncio.to_thread(admin, f"ALTER DATABASE {database} WITH ALLOW_CONNECTIONS true")
        assert down.status_code == 503, down.text
        assert down.headers["Content-Type"].startswith("application/problem+json")
        assert down.json()["code"] == "store_unavailable"
        assert "Retry-After" in down.headers
        assert took < 3.0
        assert systems.pmo.bookings == {}

        async def booked() -> bool:
            again = await client.post("/v1/bookings", json=body, headers=_headers("k-outage"))
            return again.status_code == 201

        await wait_until(booked, seconds=45.0)  # the pool reconnects with a backoff
        assert len(systems.pmo.bookings) == 1
