"""Provider states in system-neutral words, on top of a plugin's :class:`ContractSeeder`.

A test says "a free slot tomorrow at 10:00 of a time type bookable via 1177" as
``await scenario.free_slot(scenario.day(1, 10))``; the scenario asks the plugin's seeder and keeps
the suite's clock in step with the backend's. A state the seeder cannot create (for example faults
in a real test environment) skips the test with the seeder's reason.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TypeVar

import pytest

from tidbok.clock import STOCKHOLM, FrozenClock, SystemClock, to_stockholm
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Access1177, BookedBy
from tidbok_contract.seeding import (
    AppointmentRecord,
    ContractSeeder,
    FaultKind,
    FaultTarget,
    SeededInvitation,
    SeedingUnsupported,
)

T = TypeVar("T")

#: The unit with both "book" and "cancel/rebook" activated.
UNIT = "SE2321000016-7001"
#: A second unit that only activated "book", under a name of its own (R5).
BOOK_ONLY_UNIT = "SE2321000016-7002"
#: A unit that only shows booked times ("Bokade tider").
VIEW_UNIT = "SE2321000016-7003"
UNIT_NAMES = {
    UNIT: "Vårdcentralen Kontraktet",
    BOOK_ONLY_UNIT: "Provtagningen Kontraktet",
    VIEW_UNIT: "Ögonmottagningen Kontraktet",
}
#: The unit's own name for the book case type at BOOK_ONLY_UNIT (R5: units may rename).
RENAMED_BOOK = "Boka provtagning"

#: Test personal identity numbers (Skatteverket's test series).
CITIZEN = PersonalIdentityNumber("191212121212")
OTHER_CITIZEN = PersonalIdentityNumber("199001012385")

#: The instant every test starts at, unless it travels: a Tuesday morning in Stockholm.
DEFAULT_NOW = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)

#: Accesses every system can express exactly (PASiS levels 4, 3, 2, 1; PMO flags).
BOOKABLE = Access1177(visible=True, bookable=True, changeable=True)
CHANGEABLE = Access1177(visible=True, changeable=True)
SHOWN_ONLY = Access1177(visible=True)
NOT_SHOWN = Access1177()

TIME_TYPE_NAMES = {
    BOOKABLE: "Läkarbesök",
    CHANGEABLE: "Återbesök sjuksköterska",
    SHOWN_ONLY: "Provtagning",
    NOT_SHOWN: "Intern administration",
}


@dataclass
class ContractScenario:
    """Seeds the backend through the plugin's seeder; keeps the suite's clock in step."""

    seeder: ContractSeeder
    clock: FrozenClock
    clock_settable: bool = True
    _time_types: dict[tuple[str, Access1177, str], str] = field(default_factory=dict)

    async def start(self, now: datetime = DEFAULT_NOW) -> None:
        """Empty the backend, set its clock and create the suite's units."""
        await self._seed(self.seeder.reset(), "reset the backend")
        try:
            await self.seeder.set_clock(now)
            self.clock.set(now)
        except SeedingUnsupported:
            self.clock_settable = False
            self.clock.set(SystemClock().now())  # a real environment keeps real time
        for hsa_id, name in UNIT_NAMES.items():
            await self._seed(self.seeder.add_unit(hsa_id, name), "create a unit")

    @property
    def now(self) -> datetime:
        """The current instant for the suite and the backend."""
        return self.clock.now()

    async def travel(self, now: datetime) -> None:
        """Move both the backend's and the suite's clock to ``now``."""
        if not self.clock_settable:
            pytest.skip("not applicable: the test environment's clock cannot be set")
        await self._seed(self.seeder.set_clock(now), "set the clock")
        self.clock.set(now)

    def day(self, offset: int, hour: int, minute: int = 0, fold: int = 0) -> datetime:
        """Stockholm wall-clock time ``hour:minute`` on the day ``offset`` days from today."""
        today = self.clock.now().date()
        wall = datetime.combine(today + timedelta(days=offset), time(hour, minute), STOCKHOLM)
        return wall.replace(fold=fold)

    def later(self, delta: timedelta) -> datetime:
        """The instant ``delta`` of elapsed time from now (right across daylight saving)."""
        return to_stockholm(self.clock.now().astimezone(STOCKHOLM) + delta)

    async def time_type(
        self, access: Access1177 = BOOKABLE, unit: str = UNIT, name: str | None = None
    ) -> str:
        """A time type of ``access`` at ``unit`` (created once per test and name)."""
        name = name or TIME_TYPE_NAMES[access]
        key = (unit, access, name)
        if key not in self._time_types:
            self._time_types[key] = await self._seed(
                self.seeder.add_time_type(unit, name, access), "create a time type"
            )
        return self._time_types[key]

    async def free_slot(
        self,
        start: datetime,
        access: Access1177 = BOOKABLE,
        unit: str = UNIT,
        minutes: int = 30,
        time_type_name: str | None = None,
    ) -> str:
        """A free slot of a time type with ``access``; returns its id."""
        type_id = await self.time_type(access, unit, time_type_name)
        return await self._seed(
            self.seeder.add_free_slot(unit, type_id, start, minutes), "create a free slot"
        )

    async def booking(
        self,
        start: datetime,
        citizen: PersonalIdentityNumber = CITIZEN,
        access: Access1177 = BOOKABLE,
        booked_by: BookedBy = BookedBy.STAFF,
        hidden: bool = False,
        unit: str = UNIT,
        minutes: int = 30,
    ) -> str:
        """A booking made by staff (default) or the citizen; returns its id."""
        type_id = await self.time_type(access, unit)
        return await self._seed(
            self.seeder.add_booking(unit, type_id, citizen, start, minutes, booked_by, hidden),
            "create a booking",
        )

    async def invitation(
        self,
        starts: list[datetime],
        citizen: PersonalIdentityNumber = CITIZEN,
        unit: str = UNIT,
        access: Access1177 = BOOKABLE,
    ) -> SeededInvitation:
        """An open invitation for ``citizen`` offering slots of ``access`` at ``starts`` (R15)."""
        type_id = await self.time_type(access, unit)
        return await self._seed(
            self.seeder.add_invitation(unit, type_id, citizen, starts), "open an invitation"
        )

    async def appointment_book(self, unit: str = UNIT) -> list[AppointmentRecord]:
        """The unit's bookings as staff see them (R2), hidden ones included."""
        return await self._seed(self.seeder.appointment_book(unit), "read the appointment book")

    async def fault(self, kind: FaultKind, target: FaultTarget, times: int = 1) -> None:
        """Make the next ``times`` calls of ``target`` fail with ``kind``."""
        await self._seed(self.seeder.inject_fault(kind, target, times), f"inject {kind}")

    async def clear_faults(self) -> None:
        """Remove every injected fault."""
        await self._seed(self.seeder.clear_faults(), "clear faults")

    async def set_down(self, down: bool) -> None:
        """Take the backend down (every call refused) or bring it up again."""
        await self._seed(self.seeder.set_down(down), "take the backend down")

    @staticmethod
    async def _seed(pending: Awaitable[T], what: str) -> T:
        try:
            return await pending
        except SeedingUnsupported as error:
            pytest.skip(f"not applicable: the seeder cannot {what} ({error})")


def bookings_at(records: list[AppointmentRecord], start: datetime) -> list[AppointmentRecord]:
    """The appointment-book records that start at the instant ``start``."""
    return [record for record in records if record.start == start]
