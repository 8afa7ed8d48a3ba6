"""The durable outbox (R10): written before the answer, delivered exactly once, across restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from tidbok.clock import FrozenClock
from tidbok.gateway import RunningGateway, SqliteGatewayStore, start_gateway
from tidbok.gateway.store import DeliveryState
from tidbok.models import BookedBy
from tidbok.service import BookingService
from tidbok_mocks.inbox import InboxServer

from .conftest import (
    NOW,
    PMO_UNIT,
    TOLVAN,
    Gateway,
    Systems,
    at,
    make_settings,
    make_systems,
    wait_until,
)


@asynccontextmanager
async def gateway_on(
    outbox: Path, inbox_url: str | None, systems: Systems, **options: Any
) -> AsyncIterator[tuple[RunningGateway, httpx.AsyncClient]]:
    settings = make_settings(outbox, inbox_url, **{"inbox_api_key": "inbox-key", **options})
    clock = FrozenClock(NOW)
    async with BookingService(settings, registry=systems.registry, clock=clock) as service:
        running = await start_gateway(settings, service, port=0)
        async with running, httpx.AsyncClient(base_url=running.url) as client:
            yield running, client


def _auth(gw_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {gw_token}"}


def _token() -> str:
    from datetime import timedelta

    from tidbok.gateway import issue_token

    from .conftest import AUDIENCE, ISSUER, SECRET

    return issue_token(
        SECRET, TOLVAN.value, audience=AUDIENCE, issuer=ISSUER, expires_at=NOW + timedelta(hours=1)
    )


async def _book(client: httpx.AsyncClient, systems: Systems) -> httpx.Response:
    slot = systems.pmo.add_slot(PMO_UNIT, at(1, 10))
    response = await client.post(
        "/v1/bookings",
        json={"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True},
        headers=_auth(_token()),
    )
    assert response.status_code == 201, response.text
    return response


async def test_message_is_stored_before_the_answer(gw: Gateway) -> None:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    await gw.client.post(
        "/v1/bookings",
        json={"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True},
        headers=gw.auth(),
    )
    stored = await gw.gateway.store.messages_for(TOLVAN.value, 10)
    assert [message.kind for message in stored] == ["booked"]


async def test_staff_made_bookings_create_no_message(gw: Gateway) -> None:
    gw.pmo.add_booking(PMO_UNIT, TOLVAN, at(2, 10), booked_by=BookedBy.STAFF)
    assert (await gw.client.get("/v1/bookings", headers=gw.auth())).status_code == 200
    assert await gw.gateway.store.messages_for(TOLVAN.value, 10) == []
    assert (await gw.client.get("/v1/inbox", headers=gw.auth())).json()["messages"] == []


async def test_restart_delivers_what_was_left_exactly_once(
    tmp_path: Path, inbox: InboxServer
) -> None:
    outbox = tmp_path / "outbox.sqlite3"
    systems = make_systems()
    # First run: the inbox cannot be reached (a closed port), so nothing is delivered.
    async with gateway_on(outbox, "http://127.0.0.1:9", systems) as (running, client):
        await _book(client, systems)
        assert await running.store.count_pending() == 1
        inbox_view = (await client.get("/v1/inbox", headers=_auth(_token()))).json()
        assert inbox_view["messages"][0]["delivered"] is False
    assert inbox.state.store.all() == []

    # Second run on the same file, with the inbox up: delivered once.
    async with gateway_on(outbox, inbox.url, make_systems()) as (running, client):

        async def delivered() -> bool:
            return await running.store.count_pending() == 0

        await wait_until(delivered)
        inbox_view = (await client.get("/v1/inbox", headers=_auth(_token()))).json()
        assert [m["delivered"] for m in inbox_view["messages"]] == [True]

    # A third run delivers nothing again.
    async with gateway_on(outbox, inbox.url, make_systems()) as (running, client):
        assert await running.store.count_pending() == 0
    stored = inbox.state.store.all()
    assert len(stored) == 1
    assert inbox.state.store.deliveries == 1
    assert stored[0].content.citizen == TOLVAN.value
    assert stored[0].content.subject == "Bokad tid: Läkarbesök"
    async with httpx.AsyncClient(base_url=inbox.url) as reader:
        listed = (
            await reader.get(
                f"/api/citizens/{TOLVAN.value}/messages", headers={"X-Api-Key": "inbox-key"}
            )
        ).json()
    assert len(listed["messages"]) == 1


async def test_worker_not_started_then_restarted(tmp_path: Path, inbox: InboxServer) -> None:
    outbox = tmp_path / "outbox.sqlite3"
    systems = make_systems()
    settings = make_settings(outbox, inbox.url, inbox_api_key="inbox-key")
    async with BookingService(settings, registry=systems.registry, clock=FrozenClock(NOW)) as svc:
        running = await start_gateway(settings, svc, port=0, start_worker=False)
        async with running, httpx.AsyncClient(base_url=running.url) as client:
            await _book(client, systems)
            await _book(client, systems)
    assert inbox.state.store.all() == []
    async with gateway_on(outbox, inbox.url, make_systems()) as (running, _client):

        async def both() -> bool:
            return len(inbox.state.store.all()) == 2

        await wait_until(both)
    assert inbox.state.store.deliveries == 2


async def test_inbox_failing_for_a_while_then_recovering(
    tmp_path: Path, inbox: InboxServer
) -> None:
    async with httpx.AsyncClient(base_url=inbox.admin_url) as admin:
        fault = await admin.post(
            "/faults", json={"kind": "http_503", "times": 3, "match": {"method": "PUT"}}
        )
        assert fault.status_code == 201
        systems = make_systems()
        async with gateway_on(tmp_path / "o.sqlite3", inbox.url, systems) as (_, client):
            await _book(client, systems)

            async def delivered() -> bool:
                return len(inbox.state.store.all()) == 1

            await wait_until(delivered)
            metrics = (await client.get("/metrics")).text
        log = (await admin.get("/requests")).json()["requests"]
    statuses = [entry["status"] for entry in log if entry["method"] == "PUT"]
    assert statuses == [503, 503, 503, 201]
    assert inbox.state.store.deliveries == 1
    assert 'tidbok_outbox_delivery_failures_total{kind="transient"} 3' in metrics
    assert "tidbok_outbox_delivered_total 1" in metrics


async def test_lost_answer_is_retried_and_stored_once(tmp_path: Path, inbox: InboxServer) -> None:
    async with httpx.AsyncClient(base_url=inbox.admin_url) as admin:
        await admin.post("/faults", json={"kind": "commit_then_drop", "times": 1})
        systems = make_systems()
        async with gateway_on(tmp_path / "o.sqlite3", inbox.url, systems) as (running, client):
            await _book(client, systems)

            async def done() -> bool:
                return await running.store.count_pending() == 0

            await wait_until(done)
    assert inbox.state.store.deliveries == 2  # the dropped answer, then the retry
    assert len(inbox.state.store.all()) == 1


async def test_permanent_refusal_is_not_retried(tmp_path: Path, inbox: InboxServer) -> None:
    systems = make_systems()
    async with gateway_on(tmp_path / "o.sqlite3", inbox.url, systems, inbox_api_key="wrong") as (
        running,
        client,
    ):
        await _book(client, systems)

        async def dead() -> bool:
            pending = await running.store.count_pending()
            messages = await running.store.messages_for(TOLVAN.value, 5)
            return pending == 0 and messages[0].state is DeliveryState.DEAD

        await wait_until(dead)
    assert inbox.state.store.all() == []


async def test_store_survives_reopen(tmp_path: Path) -> None:
    from tidbok.gateway.messages import message_for

    path = tmp_path / "s.sqlite3"
    store = SqliteGatewayStore(path)
    await store.open()
    from tidbok.events import ActivityKind, BookingActivity

    activity = BookingActivity(
        kind=ActivityKind.CANCELLED,
        unit=PMO_UNIT,
        unit_name="Barnmorskemottagningen Solna",
        system="memory_pmo",
        subject_of_care=TOLVAN,
        booking_id="bk-1",
        start=at(2, 10),
        end=at(2, 11),
        time_type_name="Provtagning",
        occurred_at=NOW,
    )
    message = message_for(activity)
    await store.add_message(message)
    await store.close()
    again = SqliteGatewayStore(path)
    await again.open()
    [pending] = await again.pending(10)
    await again.close()
    assert pending.id == message.id
    assert pending.body == (
        "Din tid för Provtagning hos Barnmorskemottagningen Solna "
        "torsdag 3 december 2026 kl. 10:00 är avbokad."
    )
