"""The booking race on a freshly started gateway (issue 17): 1,000 citizens at once on 100 slots.

A gateway that has not made one backend call yet (no warm-up, no pooled connection) gets 1,000
bookings at the same moment, 10 citizens for each of 100 slots of one PASiS unit. Every slot must
be booked exactly once, every other citizen told the slot is taken, nobody answered a 5xx, and
each booking must reach the inbox once. Before the backend client ran over aiohttp with a fair
queue, httpcore's pool bookkeeping made the gateway answer most of them 503/504 and book 0-31
slots. How fast it goes is measured by ``bench/run.py`` (the gateway benchmark), not here.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.gateway import RunningGateway, issue_token, start_gateway
from tidbok.identity import luhn_ok
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings
from tidbok_mocks import run_pasis
from tidbok_mocks.inbox import InboxServer, running_inbox

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
SECRET = "race-secret-that-is-long-enough-for-hs256"
AUDIENCE = "tidbok-race"
UNIT = "SE2321000016-8003"
SLOTS = 100
CITIZENS = 1_000
DEADLINE = 20.0
"""Seconds each citizen's call may take: the correctness half only. Within the 2.5 s service
level, a 2-core machine busy with the rest of the suite would turn slowness into 504s; how fast the
race goes is the benchmark's figure."""


def citizen(number: int) -> str:
    """The ``number``-th of 1,000 valid personnummer, all born on 1 January 1980."""
    nine = f"800101{number:03d}"
    check = next(digit for digit in "0123456789" if luhn_ok(nine + digit))
    return f"19{nine}{check}"


def slot_id(index: int) -> str:
    return f"race-{index}"


async def seed(admin_url: str) -> None:
    """One unit with one time type and 100 free slots, through the mock's admin API."""
    async with httpx.AsyncClient(base_url=admin_url, timeout=30) as admin:
        scenario = {
            "units": [{"id": UNIT, "name": "Vårdcentralen Kapplöpning"}],
            "time_types": [{"id": "TT-race", "unit": UNIT, "name": "Läkarbesök", "level": 4}],
        }
        (await admin.post("/scenario", json=scenario)).raise_for_status()
        for index in range(SLOTS):
            start = NOW + timedelta(days=2 + index // 40, minutes=15 * (index % 40))
            slot = {
                "id": slot_id(index),
                "unit": UNIT,
                "time_type": "TT-race",
                "start": start.isoformat(),
            }
            (await admin.post("/slots", json=slot)).raise_for_status()


class World:
    """The fresh gateway, its PASiS mock's admin URL and the inbox."""

    def __init__(self, gateway: RunningGateway, mock_admin: str, inbox: InboxServer) -> None:
        self.gateway = gateway
        self.mock_admin = mock_admin
        self.inbox = inbox


@asynccontextmanager
async def fresh_gateway(directory: Path) -> AsyncIterator[World]:
    """A gateway just started over a seeded PASiS mock, delivering to a mock inbox."""
    async with run_pasis(now=NOW) as mock, running_inbox(api_key="inbox-key") as inbox:
        await seed(mock.admin_url)
        settings = TidbokSettings(
            backends={
                "pasis": {
                    "system": "pasis",
                    "base_url": mock.api_url,
                    "credentials": {"api_key": mock.api_key},
                }
            },
            units=[
                {
                    "hsa_id": UNIT,
                    "name": "Vårdcentralen Kapplöpning",
                    "backend": "pasis",
                    "case_types": [{"kind": "book"}, {"kind": "manage"}],
                }
            ],
            resilience={"deadline": DEADLINE},
            gateway={
                "jwt_secret": SECRET,
                "jwt_audience": AUDIENCE,
                "outbox_path": str(directory / "outbox.sqlite3"),
                "inbox_url": inbox.url,
                "inbox_api_key": "inbox-key",
                "delivery_poll_interval": 0.1,
            },
        )
        async with BookingService(settings, clock=FrozenClock(NOW)) as service:
            gateway = await start_gateway(settings, service, host="127.0.0.1", port=0)
            async with gateway:
                yield World(gateway, mock.admin_url, inbox)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with fresh_gateway(tmp_path) as started:
        yield started


async def race(url: str) -> list[tuple[str, int, dict[str, Any]]]:
    """Every citizen's booking attempt, all at once: (citizen, status, answer)."""
    people = [citizen(number) for number in range(CITIZENS)]
    tokens = [
        issue_token(SECRET, person, audience=AUDIENCE, expires_at=NOW + timedelta(hours=2))
        for person in people
    ]
    # aiohttp, one connection per citizen: the citizens' side must not queue on its own pool.
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(
        url, connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as session:

        async def attempt(number: int) -> tuple[str, int, dict[str, Any]]:
            async with session.post(
                "/v1/bookings",
                json={"unit": UNIT, "slot_id": slot_id(number % SLOTS), "accept_terms": True},
                headers={"Authorization": f"Bearer {tokens[number]}"},
            ) as answer:
                return people[number], answer.status, json.loads(await answer.read())

        return await asyncio.gather(*(attempt(number) for number in range(CITIZENS)))


async def test_a_fresh_gateway_books_every_slot_once_and_answers_everyone(world: World) -> None:
    answers = await race(world.gateway.url)

    statuses = Counter(status for _, status, _ in answers)
    assert statuses == {201: SLOTS, 409: CITIZENS - SLOTS}, statuses
    refusals = Counter(answer.get("code") for _, status, answer in answers if status == 409)
    assert refusals == {"slot_taken": CITIZENS - SLOTS}

    async with httpx.AsyncClient(base_url=world.mock_admin, timeout=30) as admin:
        book = (await admin.get("/appointment-book", params={"unit": UNIT})).json()["entries"]
    assert len(book) == SLOTS
    booked_slots = Counter(str(entry.get("slot") or entry.get("slot_id")) for entry in book)
    assert set(booked_slots) == {slot_id(index) for index in range(SLOTS)}
    assert set(booked_slots.values()) == {1}

    winners = {person for person, status, _ in answers if status == 201}
    assert len(winners) == SLOTS

    async def delivered() -> bool:
        return await world.gateway.store.count_pending() == 0

    for _ in range(200):
        if await delivered():
            break
        await asyncio.sleep(0.05)
    messages = world.inbox.state.store.all()
    assert Counter(message.content.citizen for message in messages) == Counter(winners)
