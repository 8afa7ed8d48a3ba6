"""Real ``tidbok serve`` processes over the mock backends, for the kill and replica tests.

Mock PASiS, mock PMO and the mock inbox run in the test's process (:func:`running_mocks`); each
gateway is a ``python -m tidbok serve --config FILE`` subprocess (:class:`GatewayProcess`) that
can be SIGKILLed and restarted. :class:`Killer` records every write the mocks commit (the truth
the tests compare the inbox with) and kills a gateway from inside a mock at an armed point.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx

from tidbok.clock import STOCKHOLM
from tidbok.events import ActivityKind, BookingActivity
from tidbok.gateway import issue_token
from tidbok.gateway.ids import encode_id
from tidbok.gateway.messages import compose
from tidbok.identity import PersonalIdentityNumber
from tidbok_mocks import run_pasis, run_pmo
from tidbok_mocks.common.schedule import BookedBy, Booking, Schedule, Slot
from tidbok_mocks.inbox import InboxServer, running_inbox

SECRET = "kill-test-secret-that-is-long-enough-for-hs256"
PASIS_UNIT = "SE2321000016-7001"
PMO_UNIT = "SE2321000016-7002"
UNITS = (PASIS_UNIT, PMO_UNIT)
UNIT_NAMES = {PASIS_UNIT: "Vårdcentralen Kista", PMO_UNIT: "Barnmorskemottagningen Solna"}
TIME_TYPES = {PASIS_UNIT: "Läkarbesök", PMO_UNIT: "Provtagning"}
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
    """Kills ``gateway`` from inside the mocks at the armed point; records every commit.

    With ``only`` set, an armed ``commit`` fires only on the commits it accepts (e.g. those of
    the citizens whose requests go through ``gateway`` when several gateways share the mocks).
    """

    gateway: GatewayProcess
    committed: list[Committed] = field(default_factory=list)
    armed: str | None = None
    fired: Counter[str] = field(default_factory=Counter)
    only: Callable[[Committed], bool] | None = None

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
        commit = Committed(kind, person, unit.upper(), *times)
        self.committed.append(commit)
        if self.armed == "commit" and (self.only is None or self.only(commit)):
            self._fire()  # before the mock answers: the gateway never hears of the commit

    def _fire(self) -> None:
        self.fire(self.armed or "?")

    def fire(self, mode: str) -> None:
        """Kill the gateway now, counting the kill under ``mode`` if it was alive."""
        self.armed = None
        if self.gateway.alive:
            self.fired[mode] += 1
            self.gateway.kill()

    def expected(self) -> Counter[tuple[str, str, str, str]]:
        """The inbox messages the committed writes call for."""
        return Counter(activity.expected() for activity in self.committed)


def delivered(inbox: InboxServer) -> Counter[tuple[str, str, str, str]]:
    """The (citizen, kind, subject, body) of every message the mock inbox stored."""
    return Counter(
        (m.content.citizen, m.content.kind, m.content.subject, m.content.body)
        for m in inbox.state.store.all()
    )


class GatewayProcess:
    """``python -m tidbok serve --config FILE`` as a subprocess that can be SIGKILLed."""

    def __init__(self, config: Path, log: Path, log_level: str = "INFO") -> None:
        self.config = config
        self.log = log
        self.log_level = log_level
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
            self.log_level,
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


def write_config(
    path: Path,
    pasis: Any,
    pmo: Any | None,
    inbox: InboxServer | None,
    store: str,
    lease_seconds: float = 300.0,
    extra: str = "",
    **gateway: float | str,
) -> None:
    """``tidbok serve`` settings for the mocks and the inbox, with fast background loops.

    ``pmo`` None leaves out PMO and its unit; ``inbox`` None leaves messages in the outbox.
    ``store`` is the SQLite file, or a ``postgresql://`` URL (``[gateway.store] url``) with
    ``lease_seconds``; ``gateway`` adds or overrides ``[gateway]`` settings; ``extra`` is more
    TOML (other sections) for the end of the file.
    """
    backends = {PASIS_UNIT: "pasis"} | ({PMO_UNIT: "pmo"} if pmo is not None else {})
    units = "\n".join(
        f'[[units]]\nhsa_id = "{unit}"\nname = "{UNIT_NAMES[unit]}"\nbackend = "{backend}"\n'
        'case_types = [{ kind = "book" }, { kind = "manage" }]\n'
        for unit, backend in backends.items()
    )
    pmo_backend = (
        f'[backends.pmo]\nsystem = "pmo"\nbase_url = "{pmo.url}"\ncredentials = '
        f'{{ client_id = "{pmo.client_id}", client_secret = "{pmo.client_secret}", '
        f'token_url = "{pmo.token_url}" }}\n'
        if pmo is not None
        else ""
    )
    options: dict[str, float | str] = {
        "delivery_poll_interval": 0.1,
        "delivery_backoff_initial": 0.05,
        "delivery_backoff_max": 0.5,
        "reconcile_interval": 1,
        **({"inbox_url": inbox.url, "inbox_api_key": "inbox-key"} if inbox is not None else {}),
        **gateway,
    }
    if store.startswith("postgresql://"):
        where = f'[gateway.store]\nurl = "{store}"\nlease_seconds = {lease_seconds}\n'
    else:
        where, options["outbox_path"] = "", store
    lines = "\n".join(
        f'{name} = "{value}"' if isinstance(value, str) else f"{name} = {value}"
        for name, value in options.items()
    )
    path.write_text(
        f"""[plugins]
allow = {json.dumps(sorted(set(backends.values())))}

[backends.pasis]
system = "pasis"
base_url = "{pasis.api_url}"
credentials = {{ api_key = "{pasis.api_key}" }}

{pmo_backend}
{units}
[gateway]
port = 0
jwt_secret = "{SECRET}"
{lines}

{where}
{extra}""",
        encoding="utf-8",
    )


async def seed(client: httpx.AsyncClient, admin_url: str, unit: str, days: range) -> datetime:
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


@dataclass
class Mocks:
    """Mock PASiS and mock PMO with the units seeded, and the mock inbox."""

    pasis: Any
    pmo: Any
    inbox: InboxServer
    now: datetime

    @property
    def schedules(self) -> dict[str, Schedule[Any, Any]]:
        return {PASIS_UNIT: self.pasis.state.schedule, PMO_UNIT: self.pmo.state.schedule}

    def tokens(self, citizens: Collection[str]) -> dict[str, str]:
        """A citizen token for each of ``citizens``, valid for two hours of the mocks' time."""
        expires = self.now + timedelta(hours=2)
        return {c: issue_token(SECRET, c, audience="tidbok", expires_at=expires) for c in citizens}


@contextlib.asynccontextmanager
async def running_mocks(days: range) -> AsyncIterator[Mocks]:
    """Both mocks (each unit with free slots on ``days``) and the inbox, in this process."""
    async with (
        run_pasis(demo_data=False) as pasis,
        run_pmo(demo_data=False) as pmo,
        running_inbox(api_key="inbox-key") as inbox,
    ):
        async with httpx.AsyncClient(timeout=10) as admin:
            now = await seed(admin, pasis.admin_url, PASIS_UNIT, days)
            await seed(admin, pmo.admin_url, PMO_UNIT, days)
        yield Mocks(pasis, pmo, inbox, now)


async def settled(client: httpx.AsyncClient, url: str, seconds: float = 30) -> dict[str, Any]:
    """``/readyz`` once nothing waits in the outbox and no intent is open (or after ``seconds``)."""
    ready: dict[str, Any] = {}
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            while not (ready.get("outbox_pending") == 0 and ready.get("outbox_intents") == 0):
                await asyncio.sleep(0.05)
                ready = (await client.get(url + "/readyz")).json()
    return ready


def next_write(
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
