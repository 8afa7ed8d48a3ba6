"""The outbox-load scenario, shared by the test (2,000 messages) and the bench (10,000).

Booking activities are written through the gateway's :class:`OutboxRecorder` into a real SQLite
outbox; an :class:`OutboxWorker` delivers them to the mock inbox while three seeded fault rules make
30 % of the inbox requests fail: an injected 503, a connection reset before the inbox stores
anything, and ``commit_then_drop`` (the inbox stores the message, then the connection dies, so the
worker never hears of its success and must send it again).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from tidbok.clock import STOCKHOLM, FrozenClock
from tidbok.events import ActivityKind, BookingActivity
from tidbok.gateway.outbox import OutboxRecorder, OutboxWorker
from tidbok.gateway.store import SqliteGatewayStore
from tidbok.identity import PersonalIdentityNumber
from tidbok_mocks.inbox import running_inbox
from tidbok_mocks.inbox.store import MessageIn, PutOutcome, StoredMessage

FAILURE_RATE = 0.30
FAULT_KINDS = ("http_503", "reset", "commit_then_drop")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
CITIZENS = [PersonalIdentityNumber(text) for text in ("191212121212", "199001012385")]
KINDS = list(ActivityKind)


@dataclass(frozen=True)
class OutboxLoadResult:
    """What happened: counts to assert on and times to report."""

    activities: int
    outbox_states: Counter[str]
    outbox_ids: frozenset[str]
    inbox_ids: frozenset[str]
    created_per_id: Counter[str]
    injected_failures: int
    puts_stored_or_replayed: int
    write_seconds: float
    deliver_seconds: float


def activity(number: int) -> BookingActivity:
    """The ``number``-th activity: kinds, citizens and times vary, content is deterministic."""
    start = NOW + timedelta(days=1 + number % 30, minutes=15 * (number % 24))
    kind = KINDS[number % len(KINDS)]
    return BookingActivity(
        kind=kind,
        unit="SE2321000016-1111",
        unit_name="Vårdcentralen Tensta",
        system="pasis",
        subject_of_care=CITIZENS[number % 2],
        booking_id=f"bk-{number}",
        start=start,
        end=start + timedelta(minutes=30),
        time_type_name="Läkarbesök",
        previous_start=start - timedelta(days=1) if kind is ActivityKind.REBOOKED else None,
        occurred_at=NOW,
    )


async def run_outbox_load(
    activities: int, directory: Path, deadline: float = 120.0
) -> OutboxLoadResult:
    """Write ``activities`` messages, deliver them through a 30 %-failing inbox, report."""
    per_rule = 1 - (1 - FAILURE_RATE) ** (1 / len(FAULT_KINDS))
    store = SqliteGatewayStore(directory / "outbox.sqlite3")
    await store.open()
    try:
        async with running_inbox(api_key="inbox-key") as inbox:
            created: Counter[str] = Counter()
            original_put = inbox.state.store.put

            def counting_put(
                message_id: str, content: MessageIn, now: datetime
            ) -> tuple[PutOutcome, StoredMessage]:
                outcome, stored = original_put(message_id, content, now)
                if outcome is PutOutcome.CREATED:
                    created[message_id] += 1
                return outcome, stored

            inbox.state.store.put = counting_put  # type: ignore[method-assign]
            async with httpx.AsyncClient(base_url=inbox.admin_url) as admin:
                for seed, kind in enumerate(FAULT_KINDS, start=11):
                    spec = {
                        "kind": kind,
                        "match": {"method": "PUT", "path": "^/api/messages/"},
                        "probability": per_rule,
                        "seed": seed,
                    }
                    (await admin.post("/faults", json=spec)).raise_for_status()

                began = time.perf_counter()
                recorder = OutboxRecorder(store)
                for number in range(activities):
                    pending = recorder.tidbok_booking_activity(activity(number))
                    if pending is not None:
                        await pending
                written = time.perf_counter()

                worker = OutboxWorker(
                    store,
                    inbox.url,
                    FrozenClock(NOW),
                    api_key="inbox-key",
                    backoff_initial=0.001,
                    backoff_max=0.001,
                    poll_interval=0.05,
                )
                worker.start()
                try:
                    async with asyncio.timeout(deadline):
                        while await store.count_pending():  # noqa: ASYNC110 - polling the store
                            await asyncio.sleep(0.02)
                finally:
                    await worker.stop()
                delivered = time.perf_counter()
                rules = (await admin.get("/faults")).json()

            async with store.db.execute("SELECT id, state FROM outbox") as cursor:
                rows = list(await cursor.fetchall())
            rules = rules if isinstance(rules, list) else rules.get("faults", [])
            return OutboxLoadResult(
                activities=activities,
                outbox_states=Counter(str(row[1]) for row in rows),
                outbox_ids=frozenset(str(row[0]) for row in rows),
                inbox_ids=frozenset(message.id for message in inbox.state.store.all()),
                created_per_id=created,
                injected_failures=sum(int(rule["fired"]) for rule in rules),
                puts_stored_or_replayed=inbox.state.store.deliveries,
                write_seconds=written - began,
                deliver_seconds=delivered - written,
            )
    finally:
        await store.close()
