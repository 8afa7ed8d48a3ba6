"""BookingService: the object the 1177 platform embeds.

It routes every call to the unit's scheduling-system adapter and applies the 1177-side rules
before the backend is called: case types, visibility, booking windows, cut-offs, permissions, hidden
bookings. It emits a booking-activity event for each citizen write (R10). Time comes from the
injected clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Self, TypeVar

from pydantic import ValidationError

from tidbok.adapter import AdapterContext, SchedulingAdapter, SchedulingSystem
from tidbok.aggregate import gather_per_unit
from tidbok.backend_http import CallObserver
from tidbok.clock import Clock, SystemClock, elapsed, instant, to_stockholm
from tidbok.errors import (
    BackendProtocolError,
    BackendUnavailable,
    BookingRefused,
    CaseTypeNotActive,
    InvalidInput,
    NotFound,
    OutsideBookingWindow,
    TermsNotAccepted,
    TidbokError,
    describe_validation_error,
)
from tidbok.events import ActivityKind, BookingActivity
from tidbok.identity import normalize_hsa_id
from tidbok.models import (
    ActiveUnit,
    Booking,
    BookingResult,
    Caller,
    Capability,
    CaseType,
    CaseTypeKind,
    Invitation,
    InvitationList,
    NewBooking,
    OutcomeKind,
    Permissions,
    Schedule,
    Slot,
    TimeType,
    WriteOutcome,
)
from tidbok.permissions import change_refusal, permissions_for, slot_refusal
from tidbok.plugins import PluginRegistry, default_registry
from tidbok.rules import BookingWindow, may_book_start
from tidbok.settings import TidbokSettings, UnitSettings

T = TypeVar("T")

log = logging.getLogger("tidbok.service")

#: The longest period one slot search may cover.
MAX_SEARCH_PERIOD = timedelta(days=93)


@dataclass(frozen=True)
class UnitRoute:
    """A configured unit, its scheduling system and the adapter of its backend."""

    unit: ActiveUnit
    system: SchedulingSystem | None
    adapter: SchedulingAdapter | None

    @property
    def hsa_id(self) -> str:
        """The unit's normalized HSA-id."""
        return self.unit.hsa_id

    def describe(self) -> tuple[str, str]:
        """HSA-id and name, for failure reports."""
        return self.unit.hsa_id, self.unit.name


class BookingService:
    """Book, cancel and rebook via 1177 across every configured unit.

    Use it as an async context manager so the adapters' connections are closed::

        async with BookingService(load_settings("tidbok.toml")) as service:
            schedule = await service.schedule(caller)
    """

    def __init__(
        self,
        settings: TidbokSettings,
        registry: PluginRegistry | None = None,
        clock: Clock | None = None,
        observer: CallObserver | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.registry = registry or default_registry(settings.plugins)
        systems = self.registry.scheduling_systems()
        adapters: dict[str, SchedulingAdapter] = {}
        for backend_name, backend in settings.backends.items():
            system = systems.get(backend.system)
            if system is None:
                log.error(
                    "backend %s needs scheduling system %r, which no loaded plugin provides "
                    "(loaded: %s); its units will answer 'backend unavailable'",
                    backend_name,
                    backend.system,
                    ", ".join(sorted(systems)) or "none",
                )
                continue
            context = AdapterContext(
                clock=self.clock,
                resilience=settings.resilience,
                backend_name=backend_name,
                observer=observer,
            )
            adapters[backend_name] = system.connect(backend, context)
        self._adapters = adapters
        self._routes: dict[str, UnitRoute] = {}
        for unit_settings in settings.units:
            backend = settings.backends[unit_settings.backend]
            system = systems.get(backend.system)
            self._routes[unit_settings.hsa_id] = UnitRoute(
                unit=_active_unit(unit_settings, backend.system, system),
                system=system,
                adapter=adapters.get(unit_settings.backend),
            )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every adapter's connections."""
        for name, adapter in self._adapters.items():
            try:
                await adapter.aclose()
            except Exception:
                log.exception("closing backend %s failed", name)

    # -- units and time types ------------------------------------------------------------

    def units(self) -> list[ActiveUnit]:
        """The units where 1177 tidbokning is active, with their activated case types."""
        return [route.unit for route in self._routes.values() if route.unit.case_types]

    def unit(self, hsa_id: str) -> ActiveUnit:
        """One configured unit. NotFound if it is not configured."""
        return self._route(hsa_id).unit

    @property
    def adapters(self) -> Mapping[str, SchedulingAdapter]:
        """The connected adapters, by backend name (for health checks and tools)."""
        return dict(self._adapters)

    def system_of(self, hsa_id: str) -> SchedulingSystem | None:
        """The scheduling system of a unit (None if its plugin is not loaded)."""
        return self._route(hsa_id).system

    async def time_types(self, hsa_id: str) -> list[TimeType]:
        """The unit's time types that are visible on 1177 (R3, R11)."""
        route = self._route(hsa_id)
        adapter = self._adapter(route)
        time_types = await self._call(
            route, "list_time_types", adapter.list_time_types(route.hsa_id)
        )
        return [time_type for time_type in time_types if time_type.access.visible]

    async def all_time_types(self, hsa_id: str) -> list[TimeType]:
        """Every time type of the unit with its 1177 access, visible or not (overview, R14)."""
        route = self._route(hsa_id)
        adapter = self._adapter(route)
        return await self._call(route, "list_time_types", adapter.list_time_types(route.hsa_id))

    # -- searching -----------------------------------------------------------------------

    async def available_slots(
        self,
        caller: Caller,
        hsa_id: str,
        start: datetime,
        end: datetime,
        time_type: str | None = None,
        rebook: str | None = None,
    ) -> list[Slot]:
        """Slots the citizen may book now in ``[start, end)`` (R6, R8, R9, R13).

        With ``rebook`` (a booking id) the search is for moving that booking; the booking must be
        the caller's and still changeable.
        """
        route = self._route(hsa_id)
        start, end = _period(start, end)
        if rebook is None:
            self._require_case_type(route, CaseTypeKind.BOOK)
        else:
            await self._changeable_booking(route, caller, rebook)
        adapter = self._adapter(route)
        slots = await self._call(
            route,
            "available_slots",
            adapter.available_slots(route.hsa_id, start, end, time_type, rebook),
        )
        window = BookingWindow.at(self._system(route).rules, self.clock.now())
        first, last = instant(start), instant(end)
        return sorted(
            (
                slot
                for slot in slots
                if slot_refusal(window, slot) is None
                and (time_type is None or slot.time_type_id == time_type)
                and first <= instant(slot.start) < last
            ),
            key=lambda slot: (instant(slot.start), slot.id),
        )

    async def available_dates(
        self, hsa_id: str, start: datetime, end: datetime, time_type: str | None = None
    ) -> list[date]:
        """Days in ``[start, end)`` with a slot the citizen may book now (GetAvailableDates)."""
        route = self._route(hsa_id)
        start, end = _period(start, end)
        self._require_case_type(route, CaseTypeKind.BOOK)
        adapter = self._adapter(route)
        days = await self._call(
            route, "available_dates", adapter.available_dates(route.hsa_id, start, end, time_type)
        )
        system = self._system(route)
        now = self.clock.now()
        first_day = now.date() if system.rules.same_day_allowed else now.date() + timedelta(days=1)
        return sorted(day for day in days if day >= first_day)

    # -- writing -------------------------------------------------------------------------

    async def book(
        self,
        caller: Caller,
        hsa_id: str,
        slot_id: str,
        accept_terms: bool,
        reason: str | None = None,
    ) -> BookingResult:
        """Book a slot for the citizen ("Boka tid direkt"), after checking every 1177 rule."""
        route = self._route(hsa_id)
        self._require_case_type(route, CaseTypeKind.BOOK)
        if not accept_terms:
            raise TermsNotAccepted("the citizen has not accepted the unit's terms")
        request = _new_booking(slot_id, caller, reason)
        adapter = self._adapter(route)
        slot = await self._call(route, "get_slot", adapter.get_slot(route.hsa_id, slot_id))
        self._check_bookable(route, slot)
        result = await self._call(route, "book", adapter.book(route.hsa_id, request))
        booking = self._with_permissions(route, result.booking)
        await self._emit(ActivityKind.BOOKED, route, caller, booking)
        return _answered(result, booking)

    async def rebook(
        self, caller: Caller, hsa_id: str, booking_id: str, slot_id: str
    ) -> BookingResult:
        """Move the citizen's booking to another slot in one step (UpdateBooking)."""
        route = self._route(hsa_id)
        current = await self._changeable_booking(route, caller, booking_id)
        adapter = self._adapter(route)
        slot = await self._call(route, "get_slot", adapter.get_slot(route.hsa_id, slot_id))
        self._check_bookable(route, slot)
        result = await self._call(
            route,
            "rebook",
            adapter.rebook(route.hsa_id, booking_id, slot_id, caller.subject_of_care),
        )
        booking = self._with_permissions(route, result.booking)
        await self._emit(
            ActivityKind.REBOOKED, route, caller, booking, previous_start=current.start
        )
        return _answered(result, booking)

    async def cancel(
        self, caller: Caller, hsa_id: str, booking_id: str, message: str | None = None
    ) -> WriteOutcome:
        """Cancel the citizen's booking, with an optional message to the unit (CancelBooking)."""
        route = self._route(hsa_id)
        current = await self._changeable_booking(route, caller, booking_id)
        if message is not None:
            message = message.strip() or None
        if message is not None:
            if len(message) > 1000:
                raise InvalidInput("the message to the unit is longer than 1000 characters")
            if Capability.MESSAGE_ON_CANCEL not in self._system(route).capabilities:
                raise InvalidInput("this unit's system takes no message with a cancellation")
        adapter = self._adapter(route)
        outcome = await self._call(
            route,
            "cancel",
            adapter.cancel(route.hsa_id, booking_id, caller.subject_of_care, message),
        )
        await self._emit(ActivityKind.CANCELLED, route, caller, current, message=message)
        return outcome

    # -- reading bookings ----------------------------------------------------------------

    async def schedule(self, caller: Caller) -> Schedule:
        """All the citizen's bookings at every active unit, gathered concurrently (R7, R12).

        Hidden bookings are left out; a unit that cannot answer is listed in ``failed_units``.
        """
        routes = [route for route in self._routes.values() if route.unit.case_types]
        bookings, failures = await gather_per_unit(
            routes,
            lambda route: self._visible_bookings(route, caller),
            UnitRoute.describe,
            self._unit_timeout,
        )
        bookings.sort(key=lambda booking: (instant(booking.start), booking.unit, booking.id))
        return Schedule(bookings=tuple(bookings), failed_units=tuple(failures))

    async def unit_bookings(self, caller: Caller, hsa_id: str) -> list[Booking]:
        """The citizen's visible bookings at one unit (R7)."""
        route = self._route(hsa_id)
        self._require_active(route)
        bookings = await self._visible_bookings(route, caller)
        return sorted(bookings, key=lambda booking: (instant(booking.start), booking.id))

    async def booking(self, caller: Caller, hsa_id: str, booking_id: str) -> Booking:
        """One of the citizen's bookings with its permission flags (GetBookingDetails)."""
        route = self._route(hsa_id)
        self._require_active(route)
        return self._with_permissions(route, await self._own_booking(route, caller, booking_id))

    # -- open invitations (R15) ----------------------------------------------------------

    async def invitations(self, caller: Caller) -> InvitationList:
        """The citizen's open invitations at every unit whose system supports them."""
        routes = [
            route
            for route in self._routes.values()
            if route.unit.case_types
            and route.system is not None
            and Capability.OPEN_INVITATIONS in route.system.capabilities
        ]
        invitations, failures = await gather_per_unit(
            routes,
            lambda route: self._open_invitations(route, caller),
            UnitRoute.describe,
            self._unit_timeout,
        )
        return InvitationList(invitations=tuple(invitations), failed_units=tuple(failures))

    async def book_invitation(
        self,
        caller: Caller,
        hsa_id: str,
        invitation_id: str,
        slot_id: str,
        accept_terms: bool,
    ) -> BookingResult:
        """Book one slot of an open invitation; a second booking of it is refused."""
        route = self._route(hsa_id)
        self._require_active(route)
        if Capability.OPEN_INVITATIONS not in self._system(route).capabilities:
            raise NotFound(f"unit {route.hsa_id} has no open invitations")
        if not accept_terms:
            raise TermsNotAccepted("the citizen has not accepted the unit's terms")
        adapter = self._adapter(route)
        invitations = await self._call(
            route,
            "invitations_for",
            adapter.invitations_for(route.hsa_id, caller.subject_of_care),
        )
        invitation = next((inv for inv in invitations if inv.id == invitation_id), None)
        if invitation is None or invitation.subject_of_care != caller.subject_of_care:
            raise NotFound(f"no invitation {invitation_id} for this citizen at {route.hsa_id}")
        slot = next((slot for slot in invitation.slots if slot.id == slot_id), None)
        if slot is None and not invitation.used:
            raise NotFound(f"invitation {invitation_id} offers no slot {slot_id}")
        if slot is not None and not may_book_start(
            self._system(route).rules, slot.start, self.clock.now()
        ):
            raise OutsideBookingWindow(f"slot {slot_id} is outside the booking window")
        result = await self._call(
            route,
            "book_invitation",
            adapter.book_invitation(route.hsa_id, invitation_id, slot_id, caller.subject_of_care),
        )
        booking = self._with_permissions(route, result.booking)
        await self._emit(ActivityKind.INVITATION_BOOKED, route, caller, booking)
        return _answered(result, booking)

    # -- rules -----------------------------------------------------------------------------

    def permissions(self, hsa_id: str, booking: Booking) -> Permissions:
        """The citizen's permission flags for a booking now, as the operations will honour them."""
        route = self._route(hsa_id)
        return self._with_permissions(route, booking).permissions

    def _check_bookable(self, route: UnitRoute, slot: Slot) -> None:
        window = BookingWindow.at(self._system(route).rules, self.clock.now())
        refusal = slot_refusal(window, slot)
        if refusal is not None:
            raise refusal

    def _change_refusal(self, route: UnitRoute, booking: Booking) -> BookingRefused | None:
        rules = self._system(route).rules
        return change_refusal(route.unit, rules, booking, self.clock.now())

    def _with_permissions(self, route: UnitRoute, booking: Booking) -> Booking:
        system = self._system(route)
        permissions = permissions_for(
            route.unit, system.rules, system.capabilities, booking, self.clock.now()
        )
        return booking.model_copy(update={"permissions": permissions})

    async def _changeable_booking(
        self, route: UnitRoute, caller: Caller, booking_id: str
    ) -> Booking:
        booking = await self._own_booking(route, caller, booking_id)
        refusal = self._change_refusal(route, booking)
        if refusal is not None:
            raise refusal
        return booking

    async def _own_booking(self, route: UnitRoute, caller: Caller, booking_id: str) -> Booking:
        adapter = self._adapter(route)
        booking = await self._call(
            route,
            "booking_details",
            adapter.booking_details(route.hsa_id, booking_id, caller.subject_of_care),
        )
        if booking.subject_of_care != caller.subject_of_care or booking.hidden:
            # Another citizen's booking and a hidden one look exactly like a missing one.
            raise NotFound(f"no booking {booking_id} for this citizen at {route.hsa_id}")
        return booking

    async def _visible_bookings(self, route: UnitRoute, caller: Caller) -> list[Booking]:
        adapter = self._adapter(route)
        bookings = await self._call(
            route, "bookings_for", adapter.bookings_for(route.hsa_id, caller.subject_of_care)
        )
        return [
            self._with_permissions(route, booking)
            for booking in bookings
            if not booking.hidden and booking.subject_of_care == caller.subject_of_care
        ]

    async def _open_invitations(self, route: UnitRoute, caller: Caller) -> list[Invitation]:
        adapter = self._adapter(route)
        invitations = await self._call(
            route, "invitations_for", adapter.invitations_for(route.hsa_id, caller.subject_of_care)
        )
        now = self.clock.now()
        rules = self._system(route).rules
        open_ones: list[Invitation] = []
        for invitation in invitations:
            if invitation.used or invitation.subject_of_care != caller.subject_of_care:
                continue
            slots = tuple(
                slot for slot in invitation.slots if may_book_start(rules, slot.start, now)
            )
            if slots:
                open_ones.append(invitation.model_copy(update={"slots": slots}))
        return open_ones

    # -- plumbing ------------------------------------------------------------------------

    @property
    def _unit_timeout(self) -> float:
        return self.settings.resilience.deadline + 1.0

    def _route(self, hsa_id: str) -> UnitRoute:
        try:
            key = normalize_hsa_id(hsa_id)
        except ValueError:
            raise InvalidInput("not an HSA-id (expected e.g. SE2321000016-1234)") from None
        route = self._routes.get(key)
        if route is None:
            raise NotFound(f"unit {key} is not connected to 1177 tidbokning")
        return route

    def _adapter(self, route: UnitRoute) -> SchedulingAdapter:
        if route.adapter is None:
            raise BackendUnavailable(f"no plugin is loaded for the system of unit {route.hsa_id}")
        return route.adapter

    def _system(self, route: UnitRoute) -> SchedulingSystem:
        if route.system is None:
            raise BackendUnavailable(f"no plugin is loaded for the system of unit {route.hsa_id}")
        return route.system

    def _require_active(self, route: UnitRoute) -> None:
        if not route.unit.case_types:
            raise CaseTypeNotActive(f"unit {route.hsa_id} has no active case type")

    def _require_case_type(self, route: UnitRoute, kind: CaseTypeKind) -> CaseType:
        case_type = route.unit.case_type(kind)
        if case_type is None:
            raise CaseTypeNotActive(f"unit {route.hsa_id} has not activated case type {kind}")
        return case_type

    async def _call(self, route: UnitRoute, operation: str, pending: Awaitable[T]) -> T:
        """Await an adapter call; log it; turn anything but a typed error into a protocol error."""
        started = time.perf_counter()
        outcome = "ok"
        try:
            return await pending
        except TidbokError as error:
            outcome = error.code
            raise
        except Exception as error:
            outcome = BackendProtocolError.code
            log.exception("adapter of unit %s raised in %s", route.hsa_id, operation)
            raise BackendProtocolError(
                f"plugin {route.unit.system} failed in {operation}: {type(error).__name__}"
            ) from error
        finally:
            log.info(
                "operation=%s unit=%s system=%s outcome=%s duration_ms=%.1f",
                operation,
                route.hsa_id,
                route.unit.system,
                outcome,
                (time.perf_counter() - started) * 1000,
            )

    async def _emit(
        self,
        kind: ActivityKind,
        route: UnitRoute,
        caller: Caller,
        booking: Booking,
        previous_start: datetime | None = None,
        message: str | None = None,
    ) -> None:
        activity = BookingActivity(
            kind=kind,
            unit=route.hsa_id,
            unit_name=route.unit.name,
            system=route.unit.system,
            subject_of_care=caller.subject_of_care,
            agent_id=caller.agent_id,
            booking_id=booking.id,
            start=booking.start,
            end=booking.end,
            time_type_name=booking.time_type_name,
            previous_start=previous_start,
            message=message,
            occurred_at=self.clock.now(),
        )
        await self.registry.broadcast_activity(activity)


def _answered(result: BookingResult, booking: Booking) -> BookingResult:
    """The result as the citizen gets it: the booking with its permission flags, and INFO.

    crm:scheduling answers INFO when a text must be shown to the citizen (e.g. "kom fastande").
    The backend's own INFO is kept; otherwise the unit's instructions for the visit (the booking's
    purpose text) make the answer INFO, so 1177 shows them right after the booking.
    """
    outcome = result.outcome
    if outcome.kind is OutcomeKind.OK and booking.purpose:
        outcome = WriteOutcome(kind=OutcomeKind.INFO, text=booking.purpose)
    return result.model_copy(update={"booking": booking, "outcome": outcome})


def _active_unit(
    unit: UnitSettings, system_name: str, system: SchedulingSystem | None
) -> ActiveUnit:
    names = system.case_type_names if system is not None else {}
    case_types = tuple(
        CaseType(
            kind=case_type.kind,
            name=case_type.name or names.get(case_type.kind) or _FALLBACK_NAMES[case_type.kind],
            terms=case_type.terms,
        )
        for case_type in unit.case_types
    )
    return ActiveUnit(hsa_id=unit.hsa_id, name=unit.name, system=system_name, case_types=case_types)


_FALLBACK_NAMES = {
    CaseTypeKind.BOOK: "Boka tid",
    CaseTypeKind.MANAGE: "Bokade tider, av- och omboka",
    CaseTypeKind.VIEW: "Bokade tider",
}


def _period(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    try:
        start, end = to_stockholm(start), to_stockholm(end)
    except ValueError:
        raise InvalidInput("times must carry a UTC offset") from None
    if elapsed(start, end) <= timedelta(0):
        raise InvalidInput("the end of the period must be after its start")
    if elapsed(start, end) > MAX_SEARCH_PERIOD:
        raise InvalidInput(f"a search may cover at most {MAX_SEARCH_PERIOD.days} days")
    return start, end


def _new_booking(slot_id: str, caller: Caller, reason: str | None) -> NewBooking:
    try:
        return NewBooking(slot_id=slot_id, subject_of_care=caller.subject_of_care, reason=reason)
    except ValidationError as error:
        raise InvalidInput(describe_validation_error(error)) from None
