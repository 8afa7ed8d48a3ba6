"""The kill test: ``tidbok serve`` is SIGKILLed at random points and no inbox message is lost.

Mock PASiS, mock PMO and the mock inbox run in this process; the gateway runs as a real
``python -m tidbok serve --config FILE`` subprocess on one SQLite file. Four citizens make 100
activities over HTTP (bookings, rebookings, cancellations at both units) while the gateway is
killed with SIGKILL at seeded random points and restarted on the same file:

- ``commit``: inside the mock, right after it committed a write and before it answers (the
  window in which a message used to be lost);
- ``before_write``: inside the mock, when a write arrives, which it then drops (so it did not
  happen, but its intent is stored);
- ``timer``: a random few milliseconds after a request was sent;
- ``startup``: right after a restart, while the reconciler settles what the dead run left.

The truth is what the mocks committed (their appointment books, recorded as each write commits),
not what the client heard. At the end every committed activity has exactly one message in the mock
inbox, and no message exists for an activity that did not happen.

Run it alone (another seed: ``TIDBOK_KILL_SEED=7``)::

    .venv/bin/pytest -q tests/gateway/test_kill.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx

from tidbok.clock import STOCKHOLM
from tidbok.events import ActivityKind, BookingActivity
from tidbok.gateway import SqliteGatewayStore, issue_token, start_gateway
from tidbok.gateway.ids import encode_id
from tidbok.gateway.messages import compose
from tidbok.identity import PersonalIdentityNumber
from tidbok.service import BookingService
from tidbok.settings import load_settings
from tidbok_mocks import run_pasis, run_pmo
from tidbok_mocks.common.schedule import BookedBy, Booking, Schedule, Slot
from tidbok_mocks.inbox import InboxServer, running_inbox

SEED = int(os.environ.get("TIDBOK_KILL_SEED", "20261201"))
ACTIVITIES = 100
KILLS = ("commit", "commit", "before_write", "before_write", "timer", "startup")
SECRET = "kill-test-secret-that-is-long-enough-for-hs256"
PASIS_UNIT = "SE2321000016-7001"
PMO_UNIT = "SE2321000016-7002"
UNIT_NAMES = {PASIS_UNIT: "Vårdcentralen Kista", PMO_UNIT: "Barnmorskemottagningen Solna"}
TIME_TYPES = {PASIS_UNIT: "Läkarbesök", PMO_UNIT: "Provtagning"}
HOUR = timedelta(hours=1)
CITIZENS = ("191212121212", "199001012385", "198507099805", "200002292381")


@dataclass(frozen=True)
class Committed:
    """One citizen write the backend committed (the truth)."""

    kind: ActivityKind
    citizen: str
    unit: str
    start: datetime
    previous_start: datetime | None = None

    def expected(self) -> tuple[str, str, str, str]:
        """The (citizen, kind, subject, body) of its inbox message."""
        activity = BookingActivity(
            kind=self.kind,
            unit=self.unit,
            unit_name=UNIT_NAMES[self.unit],
            system="x",
            subject_of_care=PersonalIdentityNumber(self.citizen),
            booking_id="x",
            start=self.start,
            end=self.start + timedelta(minutes=30),
            time_type_name=TIME_TYPES[self.unit],
            previous_start=self.previous_start,
            occurred_at=self.start,
        )
        subject, body = compose(activity)
        return self.citizen, self.kind.value, subject, body


@dataclass
class Killer:
    """Kills the gateway from inside the mocks at the armed point; records every commit."""

    gateway: GatewayProcess
    committed: list[Committed] = field(default_factory=list)
    armed: str | None = None
    fired: Counter[str] = field(default_factory=Counter)

    def watch(self, schedule: Schedule[Any, Any]) -> None:
        """Wrap the schedule's writes (the mock's handlers call these under its lock)."""
        book, move, cancel = schedule.book, schedule.move, schedule.cancel

        def booking(slot: Slot, **options: Any) -> Booking:
            self._before_write()
            made = book(slot, **options)
            if options["booked_by"] is BookedBy.CITIZEN:
                self._commit(ActivityKind.BOOKED, made.person, slot.unit_id, slot.start)
            return made

        def moving(booking: Booking, new_slot: Slot, **options: Any) -> Booking:
            self._before_write()
            before = schedule.slot_of(booking).start
            moved = move(booking, new_slot, **options)
            self._commit(
                ActivityKind.REBOOKED, moved.person, new_slot.unit_id, new_slot.start, before
            )
            return moved

        def cancelling(booking: Booking, **options: Any) -> Booking:
            self._before_write()
            cancelled = cancel(booking, **options)
            start = schedule.slot_of(cancelled).start
            self._commit(ActivityKind.CANCELLED, cancelled.person, cancelled.unit_id, start)
            return cancelled

        schedule.book = booking  # type: ignore[method-assign]
        schedule.move = moving  # type: ignore[method-assign]
        schedule.cancel = cancelling  # type: ignore[method-assign]

    def _before_write(self) -> None:
        if self.armed == "before_write":
            self._fire()
            raise RuntimeError("the gateway died before its write arrived")

    def _commit(self, kind: ActivityKind, person: str, unit: str, *times: datetime) -> None:
        self.committed.append(Committed(kind, person, unit.upper(), *times))
        if self.armed == "commit":
            self._fire()  # before the mock answers: the gateway never hears of the commit

    def _fire(self) -> None:
        self.fire(self.armed or "?")

    def fire(self, mode: str) -> None:
        """Kill the gateway now, counting the kill under ``mode`` if it was alive."""
        self.armed = None
        if self.gateway.alive:
            self.fired[mode] += 1
            self.gateway.kill()


class GatewayProcess:
    """``python -m tidbok serve --config FILE`` as a subprocess that can be SIGKILLed."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""
        self.starts = 0
        self._log_file: IO[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None and self.url != ""

    async def start(self) -> None:
        self._log_file = self._log_file or self.log.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tidbok",
            "--log-level",
            "INFO",
            "serve",
            "--config",
            str(self.config),
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log_file,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.starts += 1
        assert self.process.stdout is not None
        async with asyncio.timeout(30):
            while True:
                line = (await self.process.stdout.readline()).decode()
                assert line, f"the gateway exited at start; see {self.log}"
                if "listening on" in line:
                    self.url = line.rsplit(" ", 1)[1].strip()
                    return

    def kill(self) -> None:
        """SIGKILL, and wait until the process is really dead (a zombie) before returning."""
        process = self.process
        if process is None or process.returncode is not None or not self.url:
            return
        self.url = ""
        os.kill(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{process.pid}/stat").read_text().split(") ", 1)[1][0]
            except (FileNotFoundError, IndexError):
                return
            if state in "ZX":
                return
            time.sleep(0.001)

    async def reap(self) -> None:
        if self.process is not None and self.process.returncode is None and not self.url:
            await self.process.wait()

    async def stop(self) -> None:
        process = self.process
        if process is not None and process.returncode is None:
            if self.url:
                process.send_signal(signal.SIGINT)
                try:
                    async with asyncio.timeout(10):
                        await process.wait()
                except TimeoutError:
                    process.kill()
            if process.returncode is None:
                process.kill()
                await process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def _config(path: Path, pasis: Any, pmo: Any, inbox: InboxServer, outbox: Path) -> None:
    units = "\n".join(
        f'[[units]]\nhsa_id = "{unit}"\nname = "{UNIT_NAMES[unit]}"\nbackend = "{backend}"\n'
        'case_types = [{ kind = "book" }, { kind = "manage" }]\n'
        for unit, backend in ((PASIS_UNIT, "pasis"), (PMO_UNIT, "pmo"))
    )
    path.write_text(
        f"""[plugins]
allow = ["pasis", "pmo"]

[backends.pasis]
system = "pasis"
base_url = "{pasis.api_url}"
credentials = {{ api_key = "{pasis.api_key}" }}

[backends.pmo]
system = "pmo"
base_url = "{pmo.url}"
credentials = {{ client_id = "{pmo.client_id}", client_secret = "{pmo.client_secret}", \
token_url = "{pmo.token_url}" }}

{units}
[gateway]
port = 0
jwt_secret = "{SECRET}"
outbox_path = "{outbox}"
inbox_url = "{inbox.url}"
inbox_api_key = "inbox-key"
delivery_poll_interval = 0.1
delivery_backoff_initial = 0.05
delivery_backoff_max = 0.5
reconcile_interval = 1
""",
        encoding="utf-8",
    )


async def _seed(client: httpx.AsyncClient, admin_url: str, unit: str, days: range) -> datetime:
    """The unit, its time type and free slots on ``days`` after the mock's today."""
    clock = (await client.get(f"{admin_url}/clock")).json()
    today = datetime.fromisoformat(clock["today"]).date()
    (await client.post(f"{admin_url}/units", json={"id": unit, "name": UNIT_NAMES[unit]}))
    time_type = (
        await client.post(f"{admin_url}/time-types", json={"unit": unit, "name": TIME_TYPES[unit]})
    ).json()
    for day in days:
        date = today + timedelta(days=day)
        for hour in (9, 10, 11, 13, 14):
            start = datetime(date.year, date.month, date.day, hour, tzinfo=STOCKHOLM)
            slot = {"unit": unit, "time_type": time_type["id"], "start": start.isoformat()}
            (await client.post(f"{admin_url}/slots", json=slot)).raise_for_status()
    return datetime.fromisoformat(clock["now"])


@contextlib.asynccontextmanager
async def _world(tmp_path: Path) -> AsyncIterator[tuple[Any, Any, InboxServer, GatewayProcess]]:
    async with (
        run_pasis(demo_data=False) as pasis,
        run_pmo(demo_data=False) as pmo,
        running_inbox(api_key="inbox-key") as inbox,
    ):
        config = tmp_path / "tidbok.toml"
        _config(config, pasis, pmo, inbox, tmp_path / "outbox.sqlite3")
        gateway = GatewayProcess(config, tmp_path / "gateway.log")
        try:
            yield pasis, pmo, inbox, gateway
        finally:
            await gateway.stop()


async def test_sigkill_at_random_points_loses_no_message_and_invents_none(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    async with _world(tmp_path) as (pasis, pmo, inbox, gateway):
        async with httpx.AsyncClient(timeout=10) as admin:
            now = await _seed(admin, pasis.admin_url, PASIS_UNIT, range(3, 11))
            await _seed(admin, pmo.admin_url, PMO_UNIT, range(3, 11))
        schedules = {PASIS_UNIT: pasis.state.schedule, PMO_UNIT: pmo.state.schedule}
        killer = Killer(gateway)
        for schedule in schedules.values():
            killer.watch(schedule)
        tokens = {
            citizen: issue_token(
                SECRET, citizen, audience="tidbok", expires_at=now + timedelta(hours=2)
            )
            for citizen in CITIZENS
        }
        plan = dict(zip(rng.sample(range(3, ACTIVITIES - 3), len(KILLS)), KILLS, strict=True))
        startup_kills = 0
        attempts: Counter[str] = Counter()

        async def ensure_running() -> None:
            nonlocal startup_kills
            while not gateway.alive:
                await gateway.reap()
                await gateway.start()
                if startup_kills:
                    startup_kills -= 1
                    await asyncio.sleep(rng.uniform(0, 0.05))
                    killer.fire("startup")

        async with httpx.AsyncClient(timeout=20) as client:
            for number in range(ACTIVITIES):
                await ensure_running()
                mode = plan.get(number)
                if mode == "startup":
                    startup_kills += 1
                    killer.fire("startup")
                    await ensure_running()
                elif mode in ("commit", "before_write"):
                    killer.armed = mode
                elif mode == "timer":
                    delay = rng.uniform(0, 0.03)
                    asyncio.get_running_loop().call_later(delay, killer.fire, "timer")
                citizen = rng.choice(CITIZENS)
                unit = rng.choice((PASIS_UNIT, PMO_UNIT))
                action, request = _next_write(rng, schedules[unit], citizen, unit)
                attempts[action] += 1
                with contextlib.suppress(httpx.TransportError):
                    await client.post(
                        gateway.url + request[0],
                        json=request[1],
                        headers={"Authorization": f"Bearer {tokens[citizen]}"},
                    )
            killer.armed = None

            await ensure_running()
            ready = await _settled(client, gateway.url)
        await gateway.stop()

        expected = Counter(activity.expected() for activity in killer.committed)
        delivered = Counter(
            (m.content.citizen, m.content.kind, m.content.subject, m.content.body)
            for m in inbox.state.store.all()
        )
        report = (
            f"seed {SEED}: {sum(attempts.values())} activities {dict(attempts)}, "
            f"{len(killer.committed)} committed, kills {dict(killer.fired)}, "
            f"{gateway.starts} starts; log {gateway.log}"
        )
        print(report)
        assert ready["outbox_pending"] == ready["outbox_intents"] == 0, f"{ready}; {report}"
        assert expected - delivered == Counter(), f"messages missing; {report}"
        assert delivered - expected == Counter(), f"messages for nothing; {report}"
        assert sum(attempts.values()) == ACTIVITIES
        assert sum(killer.fired.values()) >= 4, report
        assert killer.fired["commit"] >= 1, report  # a write committed that nobody confirmed
        assert len(killer.committed) >= ACTIVITIES // 2, report


async def test_a_locked_store_refuses_the_booking_and_the_mock_books_nothing(
    tmp_path: Path,
) -> None:
    """The issue's first case, on the real PASiS mock: the SQLite file is locked by another
    process past the busy timeout; the booking answers 503 and the appointment book stays empty."""
    async with _world(tmp_path) as (pasis, _pmo, _inbox, gateway):
        async with httpx.AsyncClient(timeout=10) as admin:
            now = await _seed(admin, pasis.admin_url, PASIS_UNIT, range(3, 4))
            slot = (await admin.get(f"{pasis.admin_url}/slots")).json()["slots"][0]
        settings = load_settings(gateway.config)
        async with BookingService(settings) as service:
            running = await start_gateway(settings, service)
            store = running.store
            assert isinstance(store, SqliteGatewayStore)
            await store.db.execute("PRAGMA busy_timeout = 100")  # the default waits 5 s
            token = issue_token(SECRET, CITIZENS[0], audience="tidbok", expires_at=now + HOUR)
            body = {"unit": PASIS_UNIT, "slot_id": slot["id"], "accept_terms": True}
            async with running, httpx.AsyncClient(base_url=running.url) as client:
                locker = sqlite3.connect(store.path, isolation_level=None)
                try:
                    locker.execute("BEGIN EXCLUSIVE")
                    refused = await client.post(
                        "/v1/bookings", json=body, headers={"Authorization": f"Bearer {token}"}
                    )
                finally:
                    locker.execute("ROLLBACK")
                    locker.close()
                assert refused.status_code == 503, refused.text
                assert refused.json()["code"] == "activity_not_recorded"
                async with httpx.AsyncClient(base_url=pasis.admin_url) as admin:
                    book = (await admin.get("/appointment-book?include_cancelled=true")).json()
                    writes = [
                        entry
                        for entry in (await admin.get("/requests")).json()["requests"]
                        if entry["method"] == "POST"
                    ]
                assert book["entries"] == []
                assert writes == []  # the write never reached PASiS
                assert await store.messages_for(CITIZENS[0], 5) == []


async def _settled(client: httpx.AsyncClient, url: str, seconds: float = 30) -> dict[str, Any]:
    """``/readyz`` once nothing waits in the outbox and no intent is open (or after ``seconds``)."""
    ready: dict[str, Any] = {}
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while not (ready.get("outbox_pending") == 0 and ready.get("outbox_intents") == 0):
                await asyncio.sleep(0.05)
                ready = (await client.get(url + "/readyz")).json()
    return ready


def _next_write(
    rng: random.Random, schedule: Schedule[Any, Any], citizen: str, unit: str
) -> tuple[str, tuple[str, dict[str, Any] | None]]:
    """The citizen's next write at the unit, chosen from what the backend holds now."""
    mine = schedule.bookings_of(person=citizen, unit_id=unit)
    free = [slot for slot in schedule.slots_of(unit) if slot.free]
    choices = ["book"] if len(mine) < 3 else []
    if mine:
        choices += ["rebook", "cancel"]
    action = rng.choice(choices)
    if action == "book":
        return action, (
            "/v1/bookings",
            {"unit": unit, "slot_id": rng.choice(free).id, "accept_terms": True},
        )
    booking = encode_id(unit, rng.choice(mine).id)
    if action == "rebook":
        return action, (f"/v1/bookings/{booking}/rebook", {"slot_id": rng.choice(free).id})
    return action, (f"/v1/bookings/{booking}/cancel", None)
