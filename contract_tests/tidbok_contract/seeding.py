"""Provider states for the contract suite, in system-neutral words.

The contract suite (``tidbok_contract``) never knows a system's wire format. It asks a plugin's
:class:`ContractSeeder` to put the backend into a state ("a free slot tomorrow at 10:00 of a time
type bookable via 1177", "a booking made by staff that starts in 23 hours", "it is now 23:30 on
the evening before"), then checks the plugin through :class:`~tidbok.service.BookingService`.

A plugin offers this through the ``tidbok_contract_targets`` hook: a :class:`ContractTarget`
per system, which starts the system's mock in-process (the default) or connects to a real test
environment, and hands back a :class:`ContractEnvironment`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tidbok.identity import PersonalIdentityNumber
from tidbok.models import Access1177, BookedBy
from tidbok.settings import BackendSettings


class FaultKind(StrEnum):
    """Faults a seeder can make the backend show, for resilience contract tests."""

    DELAY = "delay"
    """Answer later than the attempt timeout."""
    HTTP_500 = "http_500"
    """Answer 500 in the system's own error format (PASiS ``TEKNISKT_FEL``, PMO's
    ``internal-error`` problem, riv's ``soap:Server`` fault) without performing the operation:
    nothing is written."""
    HTTP_503 = "http_503"
    """Service unavailable, with Retry-After."""
    RESET = "reset"
    """Cut the connection without an answer (before any write happens)."""
    MALFORMED = "malformed"
    """Answer 200 with a body that is not valid JSON."""
    COMMIT_THEN_DROP = "commit_then_drop"
    """Perform the write, then cut the connection before the answer."""
    COMMIT_THEN_500 = "commit_then_500"
    """Perform the write, then answer 500 instead of its answer ("committed, then failed")."""
    COMMIT_AFTER_CLIENT_TIMEOUT = "commit_after_client_timeout"
    """Take the write, wait past the client's attempt timeout, then perform it (and answer late)."""


class FaultTarget(StrEnum):
    """Which adapter operation a fault applies to."""

    BOOK = "book"
    """The adapter's ``book``: a new booking of a free slot (MakeBooking)."""
    REBOOK = "rebook"
    """The adapter's ``rebook``: moving a booking to another slot (UpdateBooking)."""
    CANCEL = "cancel"
    """The adapter's ``cancel``: cancelling a booking (CancelBooking)."""
    BOOK_INVITATION = "book_invitation"
    """Booking a slot of an open invitation (systems with open invitations only)."""
    LIST_BOOKINGS = "bookings_for"
    """The adapter's ``bookings_for``: the citizen's bookings at a unit (the schedule's call for a
    backend with one active unit; a seeder may also route it to ``bookings_across_units``)."""
    SEARCH = "available_slots"
    """The adapter's ``available_slots``: the free-slot search (GetAvailableTimeslots)."""
    ANY = "any"
    """Every request to the system's API, whatever the operation (``set_down`` uses it)."""


class SeedingUnsupported(Exception):
    """The system (or this way of reaching it) cannot be put into the asked state."""


@dataclass(frozen=True)
class SeededInvitation:
    """An invitation the seeder created, with the ids of the slots it offers."""

    id: str
    """The invitation's id, the same the plugin's adapter reports (``Invitation.id``)."""
    slot_ids: tuple[str, ...]
    """The ids of the slots it offers, as the adapter reports them (``Slot.id``): one per start
    asked for, in the same order."""


@dataclass(frozen=True)
class AppointmentRecord:
    """One booking as staff see it in the appointment book (R2)."""

    booking_id: str
    """The booking's id, the same the plugin's adapter reports (``Booking.id``) and ``add_booking``
    returned."""
    start: datetime
    """When the booking starts (an aware datetime)."""
    subject_of_care: PersonalIdentityNumber
    """The citizen the booking is for."""
    booked_by: BookedBy
    """Who made the booking: the citizen via 1177, or care staff."""
    hidden: bool
    """The unit has hidden the booking from 1177 (dold bokning); staff still see it."""


class ContractSeeder(ABC):
    """Puts one backend into the states the contract suite names. All methods are async.

    Ids returned are the ones the plugin's adapter will use for the same things.
    """

    @abstractmethod
    async def reset(self) -> None:
        """Remove every unit, time type, slot, booking, invitation and fault."""

    @abstractmethod
    async def set_clock(self, now: datetime) -> None:
        """Set the backend's clock (aware datetime); it keeps running from there."""

    @abstractmethod
    async def add_unit(self, hsa_id: str, name: str) -> None:
        """Create a care unit."""

    @abstractmethod
    async def add_time_type(self, unit: str, name: str, access: Access1177) -> str:
        """Create a time type with the name citizens see; its slots get ``access``. Returns its id.

        A system that cannot express an access exactly (PASiS: bookable implies changeable) uses
        the nearest one that grants no more than asked.
        """

    @abstractmethod
    async def add_free_slot(
        self, unit: str, time_type_id: str, start: datetime, minutes: int = 30
    ) -> str:
        """Create a free slot of the time type. Returns the slot id."""

    @abstractmethod
    async def add_booking(
        self,
        unit: str,
        time_type_id: str,
        subject_of_care: PersonalIdentityNumber,
        start: datetime,
        minutes: int = 30,
        booked_by: BookedBy = BookedBy.STAFF,
        hidden: bool = False,
    ) -> str:
        """Create a booking as the unit's staff (or a citizen) made it. Returns the booking id."""

    async def add_invitation(
        self,
        unit: str,
        time_type_id: str,
        subject_of_care: PersonalIdentityNumber,
        starts: list[datetime],
    ) -> SeededInvitation:
        """Open an invitation for the citizen offering slots at ``starts`` (open invitations)."""
        raise SeedingUnsupported("this system has no open invitations")

    @abstractmethod
    async def appointment_book(self, unit: str) -> list[AppointmentRecord]:
        """Every booking at the unit as staff see it, hidden ones included."""

    @abstractmethod
    async def inject_fault(self, kind: FaultKind, target: FaultTarget, times: int = 1) -> None:
        """Make the next ``times`` calls of ``target`` fail with ``kind``.

        Raises :class:`SeedingUnsupported` for a kind or target the system cannot show.
        """

    @abstractmethod
    async def clear_faults(self) -> None:
        """Remove every injected fault."""

    async def set_down(self, down: bool) -> None:
        """Make the backend refuse every call (503) until set up again."""
        if down:
            await self.inject_fault(FaultKind.HTTP_503, FaultTarget.ANY, times=1_000_000)
        else:
            await self.clear_faults()


@dataclass(frozen=True)
class ContractEnvironment:
    """A backend ready for the contract suite: how to connect to it and how to seed it."""

    backend: BackendSettings
    """The backend's settings (system, base URL, credentials, options), as tidbok connects the
    plugin's adapter with them."""
    seeder: ContractSeeder
    """The seeder that puts that same backend into the states the suite names."""


class ContractTarget(ABC):
    """How the contract suite reaches one scheduling system."""

    system: str
    """The scheduling system's name, as in ``SchedulingSystem.name``."""
    variant: str | None = None
    """None for the system's own target; a name for another way to the same system, chosen
    with ``--tidbok-variant`` (the riv plugin's round trips through tidbok's producer)."""

    @abstractmethod
    def mock(self) -> AbstractAsyncContextManager[ContractEnvironment]:
        """Start the system's mock in-process on loopback; stop it on exit."""

    def real(
        self, base_url: str, credentials: Mapping[str, str]
    ) -> AbstractAsyncContextManager[ContractEnvironment]:
        """Connect to a real test environment (its seeder must reach a test-data API)."""
        raise SeedingUnsupported(f"{self.system} cannot be reached in a real test environment")
