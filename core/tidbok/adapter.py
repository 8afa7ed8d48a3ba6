"""What a scheduling-system plugin implements: a :class:`SchedulingSystem` and its adapters.

A plugin's ``tidbok_scheduling_systems`` hook returns :class:`SchedulingSystem` objects. The core
calls :meth:`SchedulingSystem.connect` once per configured backend and talks to the backend only
through the returned :class:`SchedulingAdapter`, whose methods are all ``async``.

Adapters report facts in tidbok's models and raise only :mod:`tidbok.errors` types. They do not
apply 1177 rules themselves (the service does), but they translate the backend's own refusals into
the same typed errors.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import BaseModel

from tidbok.backend_http import BackendHttp, CallObserver, CircuitBreaker
from tidbok.clock import Clock, SystemClock, SystemTimer, Timer
from tidbok.errors import NotFound, TidbokError
from tidbok.identity import PersonalIdentityNumber
from tidbok.models import (
    BackendUnit,
    Booking,
    BookingResult,
    Capability,
    CaseTypeKind,
    Invitation,
    NewBooking,
    Slot,
    TimeType,
    WriteOutcome,
)
from tidbok.readback import write_with_readback
from tidbok.rules import SystemRules
from tidbok.settings import BackendSettings, ResilienceSettings
from tidbok.wire import build_models, parse_response, translate_error

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True)
class AdapterContext:
    """What the core hands an adapter when it connects: the clock and the resilience policy."""

    clock: Clock = field(default_factory=SystemClock)
    """Tells the current instant (aware, in Europe/Stockholm); a frozen one in tests."""
    timer: Timer = field(default_factory=SystemTimer)
    """Elapsed time and waiting (deadlines, backoff, breaker, pauses); a fake one in tests."""
    resilience: ResilienceSettings = field(default_factory=ResilienceSettings)
    """Timeouts, retries, backoff and circuit breaker for this backend's calls (the settings'
    ``resilience``); ``backend_http`` applies them."""
    backend_name: str = "default"
    """The backend's key in the settings, for logs and metrics."""
    observer: CallObserver | None = None
    """Receives every backend call and breaker change (metrics); pass it to BackendHttp."""
    units: tuple[str, ...] = ()
    """The HSA-ids of the units configured on this backend (for a backend that cannot list its
    units without being asked about each one, like a crm:scheduling producer)."""

    def logger(self, system: str) -> logging.Logger:
        """The logger an adapter should use."""
        return logging.getLogger(f"tidbok.backend.{system}")

    def backend_http(
        self,
        system: str,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        verify: ssl.SSLContext | bool | None = None,
    ) -> BackendHttp:
        """The backend's one :class:`BackendHttp`, with this context's name, policy and observer."""
        return BackendHttp(
            system=system,
            backend=self.backend_name,
            base_url=base_url,
            resilience=self.resilience,
            auth=auth,
            headers=headers,
            observer=self.observer,
            transport=transport,
            verify=verify,
            monotonic=self.timer.monotonic,
            sleep=self.timer.sleep,
        )


class SchedulingAdapter(ABC):
    """One connection to one scheduling-system backend, which may hold several units.

    Every method covers one operation of the national crm:scheduling contract. ``unit`` is always a
    normalized HSA-id. Methods raise :class:`tidbok.errors.NotFound` for unknown ids and for
    bookings that belong to another citizen, so existence never leaks.
    """

    @abstractmethod
    async def list_units(self) -> list[BackendUnit]:
        """The units this backend holds (GetAllHealthcareFacilities)."""

    @abstractmethod
    async def list_time_types(self, unit: str) -> list[TimeType]:
        """The unit's time types: names citizens see and 1177 access (GetAllTimeTypes)."""

    @abstractmethod
    async def available_slots(
        self,
        unit: str,
        start: datetime,
        end: datetime,
        time_type: str | None = None,
        rebook_booking_id: str | None = None,
    ) -> list[Slot]:
        """Free slots starting in ``[start, end)`` (GetAvailableTimeslots).

        With ``rebook_booking_id`` the backend is asked in rebook mode: slots the booking may move
        to. Return every free slot with its true :class:`~tidbok.models.Access1177`; the service
        filters what the citizen may see. Fetch every page.
        """

    async def available_dates(
        self, unit: str, start: datetime, end: datetime, time_type: str | None = None
    ) -> list[date]:
        """Days in ``[start, end)`` with at least one slot bookable via 1177 (GetAvailableDates).

        Deprecated: the service no longer calls it, and overriding it has no effect. The service
        answers GetAvailableDates from :meth:`available_slots` through the same booking window
        and access filter as the slot search, so that dates and slots always agree (bare days
        cannot be checked against the window or each slot's access). Kept so that plugins which
        call or override it keep working.
        """
        slots = await self.available_slots(unit, start, end, time_type)
        return sorted({slot.start.date() for slot in slots if slot.access.bookable})

    @abstractmethod
    async def get_slot(self, unit: str, slot_id: str) -> Slot:
        """One slot by id, so the core can check it before booking.

        NotFound for an unknown slot, SlotTaken for one that is already booked.
        """

    @abstractmethod
    async def book(self, unit: str, request: NewBooking) -> BookingResult:
        """Book a free slot for the citizen (MakeBooking). SlotTaken if someone was first."""

    @abstractmethod
    async def rebook(
        self, unit: str, booking_id: str, slot_id: str, subject_of_care: PersonalIdentityNumber
    ) -> BookingResult:
        """Move a booking to another free slot in one step (UpdateBooking)."""

    @abstractmethod
    async def cancel(
        self,
        unit: str,
        booking_id: str,
        subject_of_care: PersonalIdentityNumber,
        message: str | None = None,
    ) -> WriteOutcome:
        """Cancel a booking, with an optional message to the unit (CancelBooking)."""

    @abstractmethod
    async def bookings_for(
        self, unit: str, subject_of_care: PersonalIdentityNumber
    ) -> list[Booking]:
        """All the citizen's bookings at the unit, staff-made and hidden ones included
        (GetSubjectOfCareSchedule). The service leaves hidden ones out."""

    async def bookings_across_units(
        self, units: Sequence[str], subject_of_care: PersonalIdentityNumber
    ) -> list[Booking]:
        """The citizen's active bookings at any of ``units``, in as few backend calls as the
        system's API allows; each booking names its ``unit``. Only for systems declaring
        ``Capability.BOOKINGS_ACROSS_UNITS``: the service then asks the backend once for all the
        units routed to it instead of calling :meth:`bookings_for` per unit (a backend with one
        active unit is still asked with :meth:`bookings_for`).

        The same facts as :meth:`bookings_for` for each unit: staff-made and hidden bookings
        included, cancelled ones and other citizens' left out. A failure fails every unit asked
        (the service reports each of them). Bookings at units not asked are dropped by the
        service. Default: :meth:`bookings_for` for each unit, concurrently.
        """
        answers = await asyncio.gather(
            *(self.bookings_for(unit, subject_of_care) for unit in units)
        )
        return [booking for answer in answers for booking in answer]

    @abstractmethod
    async def booking_details(
        self, unit: str, booking_id: str, subject_of_care: PersonalIdentityNumber
    ) -> Booking:
        """One booking of the citizen (GetBookingDetails). NotFound for another citizen's."""

    async def invitations_for(
        self, unit: str, subject_of_care: PersonalIdentityNumber
    ) -> list[Invitation]:
        """The citizen's open invitations at the unit (R15). Only for OPEN_INVITATIONS systems."""
        return []

    async def book_invitation(
        self,
        unit: str,
        invitation_id: str,
        slot_id: str,
        subject_of_care: PersonalIdentityNumber,
    ) -> BookingResult:
        """Book one slot of an open invitation. InvitationAlreadyUsed for a second booking."""
        raise NotFound(f"this system has no open invitations (invitation {invitation_id})")

    @property
    def rules(self) -> SystemRules | None:
        """This backend's own booking rules, when they differ per backend (the ``riv`` plugin
        reads them from the backend's settings); None: the system's ``rules`` apply."""
        return None

    @property
    def capabilities(self) -> frozenset[Capability] | None:
        """This backend's own capabilities, when they differ per backend; None: the system's."""
        return None

    @property
    def breaker(self) -> CircuitBreaker | None:
        """The backend's circuit breaker, if the adapter uses one (shown by ``/readyz``)."""
        return None

    async def aclose(self) -> None:  # noqa: B027 - optional hook with a no-op default
        """Release connections. Called once when the service shuts down."""


class HttpSchedulingAdapter(SchedulingAdapter):
    """Base of adapters over one :class:`BackendHttp` (``self.http``) and a JSON API.

    Besides exposing the breaker and closing the pool, it does what every HTTP adapter would
    otherwise repeat: the system's error answers become typed errors through the declared
    :attr:`errors` table (:meth:`error`), :meth:`get_json` reads a JSON answer into a wire model,
    and :meth:`write_once` sends a write the backend cannot deduplicate once and reads it back
    when its answer is lost.
    """

    errors: ClassVar[Mapping[str, type[TidbokError]]] = {}
    """The system's error codes and the typed error each one means (e.g. ``{"slot_taken":
    SlotTaken}``); an unknown code falls back on the HTTP status (:func:`~tidbok.translate_error`:
    404 NotFound, 429 and 5xx BackendUnavailable, else BackendProtocolError)."""
    error_code_field: ClassVar[str] = "error"
    """The field of a JSON error answer that holds the code (``{"error": "slot_taken", ...}``);
    override :meth:`error_code` for an error format that is not a flat JSON object."""
    readback_pause: float = 0.2
    """Seconds between read-backs of a write whose answer was lost (:meth:`write_once`)."""

    def __init__(self, http: BackendHttp) -> None:
        self.http = http

    @property
    def breaker(self) -> CircuitBreaker:
        """The backend's circuit breaker."""
        return self.http.breaker

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.http.aclose()

    def error_code(self, response: httpx.Response) -> str | None:
        """The system's error code in an error answer: the text at :attr:`error_code_field` of
        its JSON object; None when the body is not JSON, not an object or has no such text."""
        try:
            body = response.json()
        except ValueError:
            return None
        code = body.get(self.error_code_field) if isinstance(body, dict) else None
        return code if isinstance(code, str) else None

    def error(self, response: httpx.Response, operation: str) -> TidbokError:
        """The typed error of an error answer: by its code in :attr:`errors`, else by status."""
        return translate_error(response, self.error_code(response), self.errors, operation)

    async def get_json(
        self,
        model: type[M],
        operation: str,
        path: str,
        params: Mapping[str, str] | None = None,
    ) -> M:
        """``GET path`` as a read (retried on transient failures) and its 2xx JSON body as
        ``model``. Any other status raises :meth:`error`'s typed error; a body that is not JSON
        or does not fit ``model`` raises BackendProtocolError."""
        response = await self.http.read(operation, "GET", path, params=dict(params or {}))
        if not response.is_success:
            raise self.error(response, operation)
        return parse_response(model, response, operation)

    async def write_once(
        self,
        operation: str,
        path: str,
        body: Any,
        answer: Callable[[M], T],
        read_back: Callable[[], Awaitable[T | None]],
        *,
        model: type[M],
        method: str = "POST",
    ) -> T:
        """A write the backend cannot deduplicate (``method path`` with the JSON ``body``), sent
        once and never again: a 2xx answer is parsed as ``model`` and made the result by
        ``answer``; an error answer is a definite refusal, raised at once as :meth:`error`'s
        typed error, nothing read back; when the outcome is unknown (a cut connection, a timeout,
        a 5xx other than 503, a 2xx whose body is unusable) ``read_back`` is asked for the result
        the write would have had (None: not found), a few times :attr:`readback_pause` apart
        (:func:`~tidbok.write_with_readback`), and OutcomeUnknown is raised if it never finds one.
        """

        async def write() -> T | TidbokError:
            response = await self.http.write(operation, method, path, retry=False, json=body)
            if not response.is_success:
                return self.error(response, operation)
            wire = parse_response(model, response, operation)
            return build_models(lambda: answer(wire), operation)

        outcome = await write_with_readback(
            write, read_back, pause=self.readback_pause, sleep=self.http.sleep
        )
        if isinstance(outcome, TidbokError):
            raise outcome
        return outcome


class SchedulingSystem(ABC):
    """A plugin's description of one scheduling system, and the factory of its adapters."""

    name: str
    """Short, lower-case, unique: the value of ``system`` in backend settings (e.g. ``"pasis"``)."""
    display_name: str
    """The system's name for people (e.g. ``"PASiS"``), shown by ``tidbok plugins``."""
    version: str
    """The plugin's version, shown by ``tidbok plugins``."""
    rules: SystemRules
    """The system's booking rules (R8, R9); an adapter's own ``rules`` win for its backend."""
    case_type_names: Mapping[CaseTypeKind, str]
    """The system's own names for the case types (R5); units may rename them."""
    capabilities: frozenset[Capability] = frozenset()
    """The optional features the system supports; an adapter's own ``capabilities`` win for its
    backend."""

    @abstractmethod
    def connect(self, backend: BackendSettings, context: AdapterContext) -> SchedulingAdapter:
        """Create the adapter for one configured backend. Must not do I/O; connect lazily."""
