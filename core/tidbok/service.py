"""BookingService: the object the 1177 platform embeds.

It routes every call to the unit's scheduling-system adapter and applies the 1177-side rules
before the backend is called: case types, visibility, booking windows, cut-offs, permissions, hidden
bookings. It emits a booking-activity event for each citizen write (R10). Time comes from the
injected clock; elapsed time and waiting from the injected timer.

Each public call that reaches a backend runs within one budget of ``resilience.deadline`` seconds
(:mod:`tidbok.budget`): all its backend requests, retries and read-backs share it, so a citizen's
call against a backend that hangs answers within the national 3 s, the first call included. A
fan-out bounds every unit by the same deadline and reports the units that ran out of it.

It is a facade: unit routing lives in :mod:`tidbok.routing`, the logged adapter call in
:mod:`tidbok.calls`, open invitations in :mod:`tidbok.invitations`, input checks in
:mod:`tidbok.citizen_input` and the activity event in :mod:`tidbok.activity`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

from tidbok.activity import booking_activity
from tidbok.adapter import SchedulingAdapter, SchedulingSystem
from tidbok.aggregate import gather_per_unit
from tidbok.backend_http import CallObserver
from tidbok.budget import call_budget
from tidbok.calls import call_adapter
from tidbok.citizen_input import cancel_message, new_booking, search_period
from tidbok.clock import Clock, SystemClock, SystemTimer, Timer, instant
from tidbok.errors import BookingRefused, InvalidInput, NotFound, TermsNotAccepted
from tidbok.events import ActivityKind
from tidbok.invitations import Invitations
from tidbok.models import (
    ActiveUnit,
    Booking,
    BookingResult,
    Caller,
    Capability,
    CaseTypeKind,
    InvitationList,
    OutcomeKind,
    Permissions,
    Schedule,
    Slot,
    TimeType,
    WriteOutcome,
)
from tidbok.permissions import change_refusal, permissions_for, shown_to, slot_refusal
from tidbok.plugins import PluginRegistry, default_registry
from tidbok.routing import UnitDirectory, UnitRoute
from tidbok.rules import BookingWindow
from tidbok.settings import TidbokSettings

P = ParamSpec("P")
T = TypeVar("T")


def _budgeted(
    call: Callable[Concatenate[BookingService, P], Awaitable[T]],
) -> Callable[Concatenate[BookingService, P], Coroutine[Any, Any, T]]:
    """Run a public call within one budget of ``resilience.deadline`` seconds."""

    @functools.wraps(call)
    async def within_budget(service: BookingService, *args: P.args, **kwargs: P.kwargs) -> T:
        with call_budget(service.settings.resilience.deadline, service.timer.monotonic):
            return await call(service, *args, **kwargs)

    return within_budget


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
        timer: Timer | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.timer: Timer = timer or SystemTimer()
        """Elapsed time and waiting, shared with every adapter (a ``FakeTimer`` in tests)."""
        self.registry = registry or default_registry(settings.plugins)
        self._units = UnitDirectory.connect(
            settings, self.registry.scheduling_systems(), self.clock, observer, self.timer
        )
        self._invitations = Invitations(self._units, self.clock, self._unit_timeout)

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
        await self._units.aclose()

    # -- units and time types ------------------------------------------------------------

    def units(self) -> list[ActiveUnit]:
        """The units where 1177 tidbokning is active, with their activated case types."""
        return [route.unit for route in self._units.active_routes()]

    def unit(self, hsa_id: str) -> ActiveUnit:
        """One configured unit. NotFound if it is not configured."""
        return self._units.route(hsa_id).unit

    @property
    def adapters(self) -> Mapping[str, SchedulingAdapter]:
        """The connected adapters, by backend name (for health checks and tools)."""
        return self._units.adapters

    def system_of(self, hsa_id: str) -> SchedulingSystem | None:
        """The scheduling system of a unit (None if its plugin is not loaded)."""
        return self._units.route(hsa_id).system

    @_budgeted
    async def time_types(self, hsa_id: str) -> list[TimeType]:
        """The unit's time types that are visible on 1177 (R3, R11)."""
        route = self._units.route(hsa_id)
        adapter = route.require_adapter()
        time_types = await call_adapter(
            route, "list_time_types", adapter.list_time_types(route.hsa_id)
        )
        return [time_type for time_type in time_types if time_type.access.visible]

    @_budgeted
    async def all_time_types(self, hsa_id: str) -> list[TimeType]:
        """Every time type of the unit with its 1177 access, visible or not (overview, R14)."""
        route = self._units.route(hsa_id)
        adapter = route.require_adapter()
        return await call_adapter(route, "list_time_types", adapter.list_time_types(route.hsa_id))

    # -- searching -----------------------------------------------------------------------

    @_budgeted
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
        route = self._units.route(hsa_id)
        start, end = search_period(start, end)
        if rebook is None:
            route.require_case_type(CaseTypeKind.BOOK)
        else:
            await self._changeable_booking(route, caller, rebook)
        adapter = route.require_adapter()
        slots = await call_adapter(
            route,
            "available_slots",
            adapter.available_slots(route.hsa_id, start, end, time_type, rebook),
        )
        window = BookingWindow.at(route.require_system().rules, self.clock.now())
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

    @_budgeted
    async def available_dates(
        self, hsa_id: str, start: datetime, end: datetime, time_type: str | None = None
    ) -> list[date]:
        """Days in ``[start, end)`` with a slot the citizen may book now (GetAvailableDates)."""
        route = self._units.route(hsa_id)
        start, end = search_period(start, end)
        route.require_case_type(CaseTypeKind.BOOK)
        adapter = route.require_adapter()
        days = await call_adapter(
            route, "available_dates", adapter.available_dates(route.hsa_id, start, end, time_type)
        )
        system = route.require_system()
        now = self.clock.now()
        first_day = now.date() if system.rules.same_day_allowed else now.date() + timedelta(days=1)
        return sorted(day for day in days if day >= first_day)

    # -- writing -------------------------------------------------------------------------

    @_budgeted
    async def book(
        self,
        caller: Caller,
        hsa_id: str,
        slot_id: str,
        accept_terms: bool,
        reason: str | None = None,
    ) -> BookingResult:
        """Book a slot for the citizen ("Boka tid direkt"), after checking every 1177 rule."""
        route = self._units.route(hsa_id)
        route.require_case_type(CaseTypeKind.BOOK)
        if not accept_terms:
            raise TermsNotAccepted("the citizen has not accepted the unit's terms")
        request = new_booking(slot_id, caller, reason)
        adapter = route.require_adapter()
        slot = await call_adapter(route, "get_slot", adapter.get_slot(route.hsa_id, slot_id))
        self._check_bookable(route, slot)
        result = await call_adapter(route, "book", adapter.book(route.hsa_id, request))
        booking = self._with_permissions(route, result.booking)
        await self._emit(ActivityKind.BOOKED, route, caller, booking)
        return _answered(result, booking)

    @_budgeted
    async def rebook(
        self, caller: Caller, hsa_id: str, booking_id: str, slot_id: str
    ) -> BookingResult:
        """Move the citizen's booking to another slot in one step (UpdateBooking)."""
        route = self._units.route(hsa_id)
        current = await self._changeable_booking(route, caller, booking_id)
        adapter = route.require_adapter()
        slot = await call_adapter(route, "get_slot", adapter.get_slot(route.hsa_id, slot_id))
        self._check_bookable(route, slot)
        result = await call_adapter(
            route,
            "rebook",
            adapter.rebook(route.hsa_id, booking_id, slot_id, caller.subject_of_care),
        )
        booking = self._with_permissions(route, result.booking)
        await self._emit(
            ActivityKind.REBOOKED, route, caller, booking, previous_start=current.start
        )
        return _answered(result, booking)

    @_budgeted
    async def cancel(
        self, caller: Caller, hsa_id: str, booking_id: str, message: str | None = None
    ) -> WriteOutcome:
        """Cancel the citizen's booking, with an optional message to the unit (CancelBooking)."""
        route = self._units.route(hsa_id)
        current = await self._changeable_booking(route, caller, booking_id)
        message = cancel_message(message)
        system = route.require_system()
        if message is not None and Capability.MESSAGE_ON_CANCEL not in system.capabilities:
            raise InvalidInput("this unit's system takes no message with a cancellation")
        adapter = route.require_adapter()
        outcome = await call_adapter(
            route,
            "cancel",
            adapter.cancel(route.hsa_id, booking_id, caller.subject_of_care, message),
        )
        await self._emit(ActivityKind.CANCELLED, route, caller, current, message=message)
        return outcome

    # -- reading bookings ----------------------------------------------------------------

    @_budgeted
    async def schedule(self, caller: Caller) -> Schedule:
        """All the citizen's bookings at every active unit, gathered concurrently (R7, R12).

        Hidden bookings are left out; a unit that cannot answer is listed in ``failed_units``.
        """
        routes = self._units.active_routes()
        bookings, failures = await gather_per_unit(
            routes,
            lambda route: self._visible_bookings(route, caller),
            UnitRoute.describe,
            self._unit_timeout,
        )
        bookings.sort(key=lambda booking: (instant(booking.start), booking.unit, booking.id))
        return Schedule(bookings=tuple(bookings), failed_units=tuple(failures))

    @_budgeted
    async def unit_bookings(self, caller: Caller, hsa_id: str) -> list[Booking]:
        """The citizen's visible bookings at one unit (R7)."""
        route = self._units.route(hsa_id)
        route.require_active()
        bookings = await self._visible_bookings(route, caller)
        return sorted(bookings, key=lambda booking: (instant(booking.start), booking.id))

    @_budgeted
    async def booking(self, caller: Caller, hsa_id: str, booking_id: str) -> Booking:
        """One of the citizen's bookings with its permission flags (GetBookingDetails)."""
        route = self._units.route(hsa_id)
        route.require_active()
        return self._with_permissions(route, await self._own_booking(route, caller, booking_id))

    # -- open invitations (R15) ----------------------------------------------------------

    @_budgeted
    async def invitations(self, caller: Caller) -> InvitationList:
        """The citizen's open invitations at every unit whose system supports them."""
        return await self._invitations.open_for(caller)

    @_budgeted
    async def book_invitation(
        self,
        caller: Caller,
        hsa_id: str,
        invitation_id: str,
        slot_id: str,
        accept_terms: bool,
    ) -> BookingResult:
        """Book one slot of an open invitation; a second booking of it is refused."""
        route = self._units.route(hsa_id)
        result = await self._invitations.book(route, caller, invitation_id, slot_id, accept_terms)
        booking = self._with_permissions(route, result.booking)
        await self._emit(ActivityKind.INVITATION_BOOKED, route, caller, booking)
        return _answered(result, booking)

    # -- rules -----------------------------------------------------------------------------

    def permissions(self, hsa_id: str, booking: Booking) -> Permissions:
        """The citizen's permission flags for a booking now, as the operations will honour them."""
        route = self._units.route(hsa_id)
        return self._with_permissions(route, booking).permissions

    def _check_bookable(self, route: UnitRoute, slot: Slot) -> None:
        window = BookingWindow.at(route.require_system().rules, self.clock.now())
        refusal = slot_refusal(window, slot)
        if refusal is not None:
            raise refusal

    def _change_refusal(self, route: UnitRoute, booking: Booking) -> BookingRefused | None:
        rules = route.require_system().rules
        return change_refusal(route.unit, rules, booking, self.clock.now())

    def _with_permissions(self, route: UnitRoute, booking: Booking) -> Booking:
        system = route.require_system()
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
        adapter = route.require_adapter()
        booking = await call_adapter(
            route,
            "booking_details",
            adapter.booking_details(route.hsa_id, booking_id, caller.subject_of_care),
        )
        if not shown_to(caller.subject_of_care, booking):
            # Another citizen's booking, a hidden one and one kept off 1177 look like a missing one.
            raise NotFound(f"no booking {booking_id} for this citizen at {route.hsa_id}")
        return booking

    async def _visible_bookings(self, route: UnitRoute, caller: Caller) -> list[Booking]:
        adapter = route.require_adapter()
        bookings = await call_adapter(
            route, "bookings_for", adapter.bookings_for(route.hsa_id, caller.subject_of_care)
        )
        return [
            self._with_permissions(route, booking)
            for booking in bookings
            if shown_to(caller.subject_of_care, booking)
        ]

    # -- plumbing ------------------------------------------------------------------------

    @property
    def _unit_timeout(self) -> float:
        # A fan-out answers within the deadline too: a unit still busy then is reported as failed.
        return self.settings.resilience.deadline

    async def _emit(
        self,
        kind: ActivityKind,
        route: UnitRoute,
        caller: Caller,
        booking: Booking,
        previous_start: datetime | None = None,
        message: str | None = None,
    ) -> None:
        activity = booking_activity(
            kind, route, caller, booking, self.clock.now(), previous_start, message
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
