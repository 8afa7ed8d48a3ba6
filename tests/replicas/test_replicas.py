"""Three ``tidbok serve`` replicas on one PostgreSQL database, under faults and races.

Each test starts three real ``python -m tidbok serve --config FILE`` processes with the same
settings, sharing one fresh database on the session's PostgreSQL server (``pgserver``); mock
PASiS, mock PMO and the mock inbox run in this process (``tests/gateway/processes.py``, as in the
kill test). The truth is what the mocks committed, recorded as each write commits:

- under faults: 300 citizen activities (bookings, rebookings, cancellations at both units) from
  six clients spread over the replicas, while one replica is SIGKILLed inside the mock right
  after it committed a write (its answer is lost) and another at a random moment; both are
  restarted later. A client whose replica died retries on another one (with the same
  Idempotency-Key for a booking). Afterwards every committed activity has exactly one message in
  the mock inbox and no message exists for an activity that did not happen;
- a race: 50 citizens booking one slot through the three replicas get exactly one 201;
- one Idempotency-Key sent to two replicas at once makes one booking, and the answer is replayed.

Run it alone (another seed: ``TIDBOK_REPLICA_SEED=7``)::

    .venv/bin/pytest -q tests/replicas
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.gateway.processes import (
    CITIZENS,
    PASIS_UNIT,
    PMO_UNIT,
    UNITS,
    GatewayProcess,
    Killer,
    Mocks,
    delivered,
    next_write,
    running_mocks,
    settled,
    write_config,
)
from tidbok.events import ActivityKind
from tidbok.identity import PersonalIdentityNumber, luhn_ok

SEED = int(os.environ.get("TIDBOK_REPLICA_SEED", "20261201"))
REPLICAS = 3
ACTIVITIES = 300
RACERS = 50
# A replica that dies leaves its claims on pending messages (for ``[gateway.store]
# lease_seconds``), its open intents (settled by another replica after intent_deadline) and its
# unfinished Idempotency-Keys; the others take them over after these few seconds (the defaults,
# minutes, are for production). intent_deadline stays above the resilience deadline of a write
# (shortened too: the mocks answer in milliseconds).
LEASE = 1.0
FAST = {
    "intent_deadline": 2,
    "reconcile_interval": 0.25,
    "idempotency_lock_timeout": 3.5,
    "delivery_timeout": 1,
}
SETTLED_AFTER = FAST["intent_deadline"] + LEASE + 2 * FAST["reconcile_interval"]
"""Seconds after which another replica has settled a dead replica's intent. A client whose
replica died under a write waits that long before it retries on another replica: had it changed
that booking again sooner, it would meet the reconciler's flaw that
test_a_rebooking_whose_answer_was_lost_keeps_its_message_when_changed_again shows (a lost
rebooking's message dropped). The retried booking's Idempotency-Key is free again by then
(``idempotency_lock_timeout``)."""
RESILIENCE = "[resilience]\ndeadline = 1.5\n"
BOOKED, REBOOKED = ActivityKind.BOOKED, ActivityKind.REBOOKED


def citizens(count: int) -> list[str]:
    """``count`` valid personnummer after the four of the kill test (born 1980-01-01)."""
    numbers = []
    for serial in itertools.count(100):
        base = f"800101{serial:03d}"
        check = next(str(digit) for digit in range(10) if luhn_ok(f"{base}{digit}"))
        numbers.append(PersonalIdentityNumber(f"19{base}{check}").value)
        if len(numbers) == count:
            return numbers
    raise AssertionError("unreachable")


@dataclass
class Cluster:
    """The mocks and three gateway replicas on one PostgreSQL database."""

    mocks: Mocks
    replicas: list[GatewayProcess]
    killer: Killer
    client: httpx.AsyncClient
    served: Counter[int] = field(default_factory=Counter)
    """Answers each replica gave (by index)."""
    retries: int = 0
    """Requests sent again to another replica because the first one died under them."""

    async def send(
        self, home: int, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> httpx.Response:
        """POST through replica ``home``, or the next one alive while it is dead.

        A replica that dies under the request makes the client retry on the next one (after
        :data:`SETTLED_AFTER`); 409 ``idempotency_conflict`` (the key is in use by a request on
        another replica) is retried too, with the same key.
        """
        async with asyncio.timeout(30):
            turn = 0
            while True:
                index = (home + turn) % REPLICAS
                replica = self.replicas[index]
                if not replica.alive:
                    turn += 1
                    await asyncio.sleep(0.01 if turn % REPLICAS else 0.2)
                    continue
                try:
                    answer = await self.client.post(replica.url + path, json=body, headers=headers)
                except httpx.TransportError:
                    self.retries += 1
                    turn += 1
                    await asyncio.sleep(SETTLED_AFTER)
                    continue
                self.served[index] += 1
                if answer.status_code == 409 and _code(answer) == "idempotency_conflict":
                    await asyncio.sleep(0.25)
                    continue
                return answer

    async def settle(self) -> dict[str, Any]:
        """``/readyz`` of a live replica once the shared outbox is empty and no intent open."""
        replica = next(r for r in self.replicas if r.alive)
        return await settled(self.client, replica.url)

    def report(self) -> str:
        return (
            f"seed {SEED}: {len(self.killer.committed)} committed, kills "
            f"{dict(self.killer.fired)}, starts {[r.starts for r in self.replicas]}, served "
            f"{dict(self.served)}, {self.retries} retried; logs {self.replicas[0].log.parent}"
        )


def _code(answer: httpx.Response) -> str | None:
    if answer.headers.get("content-type", "").startswith("application/problem+json"):
        return str(answer.json().get("code"))
    return None


@contextlib.asynccontextmanager
async def _cluster(tmp_path: Path, pg_url: str, days: range) -> AsyncIterator[Cluster]:
    async with running_mocks(days) as mocks:
        config = tmp_path / "tidbok.toml"
        write_config(config, mocks.pasis, mocks.pmo, mocks.inbox, pg_url, LEASE, RESILIENCE, **FAST)
        replicas = [GatewayProcess(config, tmp_path / f"replica-{n}.log") for n in range(REPLICAS)]
        killer = Killer(replicas[0])
        for schedule in mocks.schedules.values():
            killer.watch(schedule)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        try:
            # All three start at once on the empty database: one migrates it (under an advisory
            # lock), the others wait for that and find it migrated.
            await asyncio.gather(*(replica.start() for replica in replicas))
            async with httpx.AsyncClient(timeout=20, limits=limits) as client:
                for replica in replicas:
                    ready = (await client.get(replica.url + "/readyz")).json()
                    assert ready["outbox"] == "ok", ready
                yield Cluster(mocks, replicas, killer, client)
        finally:
            await asyncio.gather(*(replica.stop() for replica in replicas))


def _assert_inbox_matches_the_mocks(cluster: Cluster, ready: dict[str, Any]) -> None:
    expected, sent = cluster.killer.expected(), delivered(cluster.mocks.inbox)
    report = cluster.report()
    print(report)
    assert ready.get("outbox_pending") == ready.get("outbox_intents") == 0, f"{ready}; {report}"
    assert expected - sent == Counter(), f"messages missing; {report}"
    assert sent - expected == Counter(), f"messages for nothing; {report}"


async def test_replicas_under_sigkill_lose_no_message_and_invent_none(
    tmp_path: Path, pg_url: str
) -> None:
    rng = random.Random(SEED)
    people = [*CITIZENS, *citizens(2)]
    async with _cluster(tmp_path, pg_url, range(3, 15)) as cluster:
        replicas, killer = cluster.replicas, cluster.killer
        tokens = cluster.mocks.tokens(people)
        homes = {citizen: n % REPLICAS for n, citizen in enumerate(people)}
        numbers = itertools.count()
        attempts: Counter[str] = Counter()
        answers: Counter[int] = Counter()
        restarts: list[asyncio.Task[None]] = []
        kill_at, timer_at = rng.randrange(40, 80), rng.randrange(150, 190)

        def restart(replica: GatewayProcess) -> Callable[[], None]:
            async def again() -> None:
                await replica.reap()
                await replica.start()

            return lambda: restarts.append(asyncio.create_task(again()))

        def timer_kill() -> None:
            if replicas[2].alive:
                killer.fired["timer"] += 1
                replicas[2].kill()

        def arm_timer() -> None:
            asyncio.get_running_loop().call_later(rng.uniform(0, 0.03), timer_kill)

        plan: dict[int, Callable[[], None]] = {
            # replica 0 dies inside the mock, after committing one of its clients' writes
            kill_at: lambda: setattr(killer, "armed", "commit"),
            kill_at + 90: restart(replicas[0]),
            # replica 2 dies a few milliseconds after some request left a client
            timer_at: arm_timer,
            timer_at + 60: restart(replicas[2]),
        }
        killer.only = lambda commit: homes[commit.citizen] == 0 and commit.kind is BOOKED

        async def client(citizen: str) -> None:
            own = random.Random(f"{SEED}-{citizen}")
            while (number := next(numbers)) < ACTIVITIES:
                if number in plan:
                    plan[number]()
                unit = own.choice(UNITS)
                schedule = cluster.mocks.schedules[unit]
                action, (path, body) = next_write(own, schedule, citizen, unit)
                attempts[action] += 1
                headers = {"Authorization": f"Bearer {tokens[citizen]}"}
                if action == "book":
                    headers["Idempotency-Key"] = f"activity-{number}"
                answer = await cluster.send(homes[citizen], path, body, headers)
                answers[answer.status_code] += 1

        async with asyncio.timeout(60):
            await asyncio.gather(*(client(citizen) for citizen in people))
            await asyncio.gather(*restarts)
        killer.armed = None
        ready = await cluster.settle()

        print(f"{dict(attempts)}; answers {dict(answers)}")
        _assert_inbox_matches_the_mocks(cluster, ready)
        report = cluster.report()
        assert sum(attempts.values()) == ACTIVITIES, report
        assert killer.fired == Counter(commit=1, timer=1), report
        assert [replica.starts for replica in replicas] == [2, 1, 2], report
        assert all(cluster.served[n] >= 10 for n in range(REPLICAS)), report
        assert cluster.retries >= 1, report  # a client whose replica died went to another
        assert len(killer.committed) >= ACTIVITIES // 2, report
        assert not [status for status in answers if status >= 500], f"{answers}; {report}"


async def test_racers_through_three_replicas_book_one_slot_once(
    tmp_path: Path, pg_url: str
) -> None:
    racers = citizens(RACERS)
    async with _cluster(tmp_path, pg_url, range(3, 4)) as cluster:
        tokens = cluster.mocks.tokens(racers)
        schedule = cluster.mocks.schedules[PASIS_UNIT]
        slot = next(slot for slot in schedule.slots_of(PASIS_UNIT) if slot.free)
        body = {"unit": PASIS_UNIT, "slot_id": slot.id, "accept_terms": True}
        answers = await asyncio.gather(
            *(
                cluster.send(n % REPLICAS, "/v1/bookings", body, {"Authorization": f"Bearer {t}"})
                for n, t in enumerate(tokens.values())
            )
        )
        statuses = Counter(answer.status_code for answer in answers)
        codes = Counter(_code(answer) for answer in answers if answer.status_code == 409)
        assert statuses == Counter({201: 1, 409: RACERS - 1}), statuses
        assert codes == Counter(slot_taken=RACERS - 1), codes
        assert {n for n, count in cluster.served.items() if count} == set(range(REPLICAS))
        winner = next(answer for answer in answers if answer.status_code == 201)
        booked = [c for c in cluster.killer.committed if c.kind is ActivityKind.BOOKED]
        assert len(booked) == 1, booked
        assert len(schedule.bookings_of(person=booked[0].citizen, unit_id=PASIS_UNIT)) == 1
        assert datetime.fromisoformat(winner.json()["booking"]["start"]) == booked[0].start
        _assert_inbox_matches_the_mocks(cluster, await cluster.settle())


async def test_one_idempotency_key_sent_to_two_replicas_books_once(
    tmp_path: Path, pg_url: str
) -> None:
    async with _cluster(tmp_path, pg_url, range(3, 4)) as cluster:
        citizen = CITIZENS[0]
        schedule = cluster.mocks.schedules[PASIS_UNIT]
        slot = next(slot for slot in schedule.slots_of(PASIS_UNIT) if slot.free)
        body = {"unit": PASIS_UNIT, "slot_id": slot.id, "accept_terms": True}
        headers = {
            "Authorization": f"Bearer {cluster.mocks.tokens([citizen])[citizen]}",
            "Idempotency-Key": "the-same-key-twice",
        }
        # At once to replicas 0 and 1 (the second waits while the first holds the key), then
        # again to replica 2.
        first, second = await asyncio.gather(
            *(cluster.send(n, "/v1/bookings", body, headers) for n in (0, 1))
        )
        third = await cluster.send(2, "/v1/bookings", body, headers)
        answers = (first, second, third)
        assert [answer.status_code for answer in answers] == [201] * 3, [a.text for a in answers]
        assert first.json() == second.json() == third.json()
        replayed = [answer.headers.get("Idempotent-Replayed") for answer in answers]
        assert Counter(replayed) == Counter({"true": 2, None: 1}), replayed
        assert cluster.served[2] == 1
        assert len(cluster.killer.committed) == 1, cluster.killer.committed
        assert len(schedule.bookings_of(person=citizen, unit_id=PASIS_UNIT)) == 1
        _assert_inbox_matches_the_mocks(cluster, await cluster.settle())


async def test_a_rebooking_whose_answer_was_lost_keeps_its_message_when_changed_again(
    tmp_path: Path, pg_url: str
) -> None:
    """Replica 0 dies right after the mock committed a rebooking (A to B); before its intent is
    due, the citizen moves the booking again (B to C) through replica 1. The mock committed both
    rebookings, so the inbox must get both messages."""
    async with _cluster(tmp_path, pg_url, range(3, 5)) as cluster:
        citizen = CITIZENS[0]
        schedule = cluster.mocks.schedules[PMO_UNIT]
        a, b, c = [slot for slot in schedule.slots_of(PMO_UNIT) if slot.free][:3]
        headers = {"Authorization": f"Bearer {cluster.mocks.tokens([citizen])[citizen]}"}
        booked = await cluster.send(
            0, "/v1/bookings", {"unit": PMO_UNIT, "slot_id": a.id, "accept_terms": True}, headers
        )
        assert booked.status_code == 201, booked.text
        rebook = f"/v1/bookings/{booked.json()['booking']['id']}/rebook"
        cluster.killer.armed = "commit"
        with pytest.raises(httpx.TransportError):
            await cluster.client.post(
                cluster.replicas[0].url + rebook, json={"slot_id": b.id}, headers=headers
            )
        assert cluster.killer.fired["commit"] == 1
        again = await cluster.send(1, rebook, {"slot_id": c.id}, headers)
        assert again.status_code == 200, again.text
        assert [commit.kind for commit in cluster.killer.committed] == [BOOKED, REBOOKED, REBOOKED]
        _assert_inbox_matches_the_mocks(cluster, await cluster.settle())
