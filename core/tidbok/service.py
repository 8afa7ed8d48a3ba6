"""BookingService: the object the 1177 platform embeds.

It routes every call to the unit's scheduling-system adapter and applies the 1177-side rules
before the backend is called: case types, visibility, booking windows, cut-offs, permissions, hidden
bookings. Each citizen write is announced before it is sent (an activity intent, which a
listener records; if it cannot, the write is refused) and followed by a booking-activity event
(R10). Time comes from the injected clock; elapsed time and waiting from the injected timer.

Each public call that reaches a backend runs within one budget of ``resilience.deadline`` seconds
(:mod:`tidbok.budget`): all its backend requests, retries and read-backs share it, so a citizen's
call against a backend that hangs answers within the national 3 s, the first call included. A
fan-out bounds every unit by the same deadline and reports the units that ran out of it.

It is a facade: unit routing lives in :mod:`tidbok.routing`, the logged adapter call in
:mod:`tidbok.calls`, open invitations in :mod:`tidbok.invitations`, input checks in
:mod:`tidbok.citizen_input`, the activity event in :mod:`tidbok.activity`, the intents in
:mod:`tidbok.intents` and the units' overview in :mod:`tidbok.overview`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import TracebackType
from typing import Self

from tidbok.adapter import SchedulingAdapter, SchedulingSystem
from tidbok.answers import answered
from tidbok.backend_http import CallObserver
from tidbok.budget import budgeted
from tidbok.calls import call_adapter
from tidbok.citizen_bookings import (
    changeable_booking,
    check_bookable,
    own_booking,
    shown_bookings,
    with_permissions,
)
from tidbok.citizen_input import cancel_message, new_booking, search_period
from tidbok.clock import Clock, SystemClock, SystemTimer, Timer, instant, to_stockholm
from tidbok.errors import InvalidInput, TermsNotAccepted
from tidbok.events import ActivityIntent, ActivityKind
from tidbok.fanout import gather_bookings
from tidbok.intents import ActivityWrites, ReadBack, activity_intent, read_back
from tidbok.invitations import Invitations
from tidbok.models import (
    ActiveUnit,
    Booking,
    BookingResult,
    Caller,
    Capability,
    CaseTypeKind,
    Invitation,
    InvitationList,
    Permissions,
    Schedule,
    Slot,
    TimeType,
    WriteOutcome,
)
from tidbok.overview import UnitOverview, fetch_overview
from tidbok.permissions import offered_slots
from tidbok.plugins import PluginRegistry, default_registry
from tidbok.routing import UnitDirectory, UnitRoute
from tidbok.rules import BookingWindow
from tidbok.settings import TidbokSettings


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
        self._writes = ActivityWrites(self.registry, self.clock)
        self._invitations = Invitations(self._units, self.clock, self._unit_timeout, self._writes)

    @property
    def call_deadline(self) -> float:
        """Seconds one public call may take, its backend calls included (``deadline``)."""
        return self.settings.resilience.deadline

    def monotonic(self) -> float:
        """Elapsed seconds on the service's timer, which measures every call's budget."""
        return self.timer.monotonic()

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

    @budgeted
    async def time_types(self, hsa_id: str, caller: Caller | None = None) -> list[TimeType]:
        """The unit's time types that are visible on 1177 (R3, R11), asked for ``caller``."""
        route = self._units.route(hsa_id)
        adapter = route.require_adapter()
        time_types = await call_adapter(
            route, "list_time_types", adapter.list_time_types(route.hsa_id)
        )
        return [time_type for time_type in time_types if time_type.access.visible]

    @budgeted
    async def all_time_types(self, hsa_id: str) -> list[TimeType]:
        """Every time type of the unit with its 1177 access, visible or not (overview, R14)."""
        route = self._units.route(hsa_id)
        adapter = route.require_adapter()
        return await call_adapter(route, "list_time_types", adapter.list_time_types(route.hsa_id))

    async def overview(self, hsa_id: str) -> UnitOverview:
        """The unit's overview (R14): every time type, visible or not, with what 1177 does with
        it, and the free slots of the next four weeks whose 1177 level differs from their type's
        (:mod:`tidbok.overview`). For the unit and integration teams, not for citizens."""
        return await fetch_overview(self._units.route(hsa_id), self.clock.now())

    # -- searching -----------------------------------------------------------------------

    @budgeted
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
            await changeable_booking(route, caller, rebook, self.clock.now())
        return await self._offered(route, start, end, time_type, rebook)

    @budgeted
    async def available_dates(
        self,
        hsa_id: str,
        start: datetime,
        end: datetime,
        time_type: str | None = None,
        caller: Caller | None = None,
    ) -> list[date]:
        """Days in ``[start, end)`` with a slot the citizen may book now (GetAvailableDates).

        Exactly the Stockholm days of the slots :meth:`available_slots` offers for the same
        period and time type: the same booking window and the same 1177 access filter, so the
        two never disagree. An adapter's own ``available_dates`` is not asked: bare days cannot
        be checked against the window (a PMO slot earlier today) or each slot's 1177 access.
        """
        route = self._units.route(hsa_id)
        start, end = search_period(start, end)
        route.require_case_type(CaseTypeKind.BOOK)
        slots = await self._offered(route, start, end, time_type, None)
        return sorted({to_stockholm(slot.start).date() for slot in slots})

    async def _offered(
        self,
        route: UnitRoute,
        start: datetime,
        end: datetime,
        time_type: str | None,
        rebook: str | None,
    ) -> list[Slot]:
        adapter = route.require_adapter()
        slots = await call_adapter(
            route,
            "available_slots",
            adapter.available_slots(route.hsa_id, start, end, time_type, rebook),
        )
        window = BookingWindow.at(route.rules, self.clock.now())
        return offered_slots(window, slots, start, end, time_type)

    # -- writing -------------------------------------------------------------------------

    @budgeted
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
        check_bookable(route, slot, self.clock.now())
        intent = activity_intent(ActivityKind.BOOKED, route, caller, self.clock.now(), slot=slot)
        result = await self._writes.send(
            intent, route, "book", lambda: adapter.book(route.hsa_id, request)
        )
        booking = with_permissions(route, result.booking, self.clock.now())
        await self._writes.emit(intent, route, caller, booking)
        return answered(result, booking)

    @budgeted
    async def rebook(
        self, caller: Caller, hsa_id: str, booking_id: str, slot_id: str
    ) -> BookingResult:
        """Move the citizen's booking to another slot in one step (UpdateBooking)."""
        route = self._units.route(hsa_id)
        current = await changeable_booking(route, caller, booking_id, self.clock.now())
        adapter = route.require_adapter()
        slot = await call_adapter(route, "get_slot", adapter.get_slot(route.hsa_id, slot_id))
        check_bookable(route, slot, self.clock.now())
        intent = activity_intent(
            ActivityKind.REBOOKED, route, caller, self.clock.now(), slot=slot, booking=current
        )
        citizen = caller.subject_of_care
        result = await self._writes.send(
            intent,
            route,
            "rebook",
            lambda: adapter.rebook(route.hsa_id, booking_id, slot_id, citizen),
        )
        booking = with_permissions(route, result.booking, self.clock.now())
        await self._writes.emit(intent, route, caller, booking, previous_start=current.start)
        return answered(result, booking)

    @budgeted
    async def cancel(
        self, caller: Caller, hsa_id: str, booking_id: str, message: str | None = None
    ) -> WriteOutcome:
        """Cancel the citizen's booking, with an optional message to the unit (CancelBooking)."""
        route = self._units.route(hsa_id)
        current = await changeable_booking(route, caller, booking_id, self.clock.now())
        message = cancel_message(message)
        route.require_system()
        if message is not None and Capability.MESSAGE_ON_CANCEL not in route.capabilities:
            raise InvalidInput("this unit's system takes no message with a cancellation")
        adapter = route.require_adapter()
        intent = activity_intent(
            ActivityKind.CANCELLED,
            route,
            caller,
            self.clock.now(),
            booking=current,
            message=message,
        )
        citizen = caller.subject_of_care
        outcome = await self._writes.send(
            intent,
            route,
            "cancel",
            lambda: adapter.cancel(route.hsa_id, booking_id, citizen, message),
        )
        await self._writes.emit(intent, route, caller, current, message=message)
        return outcome

    # -- reading bookings ----------------------------------------------------------------

    @budgeted
    async def schedule(self, caller: Caller) -> Schedule:
        """All the citizen's bookings at every active unit, gathered concurrently (R7, R12).

        Hidden bookings are left out; a unit that cannot answer is listed in ``failed_units``.
        A backend whose system lists bookings across units is asked once for all its units
        (:mod:`tidbok.fanout`).
        """
        bookings, failures = await gather_bookings(
            self._units.active_routes(), caller, self.clock.now, self._unit_timeout
        )
        bookings.sort(key=lambda booking: (instant(booking.start), booking.unit, booking.id))
        return Schedule(bookings=tuple(bookings), failed_units=tuple(failures))

    @budgeted
    async def unit_bookings(self, caller: Caller, hsa_id: str) -> list[Booking]:
        """The citizen's visible bookings at one unit (R7)."""
        route = self._units.route(hsa_id)
        route.require_active()
        bookings = await shown_bookings(route, caller, self.clock.now())
        return sorted(bookings, key=lambda booking: (instant(booking.start), booking.id))

    @budgeted
    async def booking(self, caller: Caller, hsa_id: str, booking_id: str) -> Booking:
        """One of the citizen's bookings with its permission flags (GetBookingDetails)."""
        route = self._units.route(hsa_id)
        route.require_active()
        booking = await own_booking(route, caller, booking_id)
        return with_permissions(route, booking, self.clock.now())

    # -- open invitations (R15) ----------------------------------------------------------

    @budgeted
    async def invitations(self, caller: Caller) -> InvitationList:
        """The citizen's open invitations at every unit whose system supports them."""
        return await self._invitations.open_for(caller)

    @budgeted
    async def invitation(self, caller: Caller, hsa_id: str, invitation_id: str) -> Invitation:
        """One of the citizen's invitations at a unit, ``used`` or not (GetBookingDetails)."""
        return await self._invitations.find(self._units.route(hsa_id), caller, invitation_id)

    @budgeted
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
        result, intent = await self._invitations.book(
            route, caller, invitation_id, slot_id, accept_terms
        )
        booking = with_permissions(route, result.booking, self.clock.now())
        await self._writes.emit(intent, route, caller, booking)
        return answered(result, booking)

    # -- settling intents ----------------------------------------------------------------

    async def read_back(self, intent: ActivityIntent) -> ReadBack:
        """Whether the write ``intent`` announced happened, read from the citizen's bookings.

        For a listener that never heard how the write ended. Raises a TidbokError (NotFound for a
        unit no longer configured, a technical fault) when the backend cannot tell now.
        """
        return await read_back(self._units.route(intent.unit), intent)

    # -- rules -----------------------------------------------------------------------------

    def permissions(self, hsa_id: str, booking: Booking) -> Permissions:
        """The citizen's permission flags for a booking now, as the operations will honour them."""
        route = self._units.route(hsa_id)
        return with_permissions(route, booking, self.clock.now()).permissions

    # -- plumbing ------------------------------------------------------------------------

    @property
    def _unit_timeout(self) -> float:
        # A fan-out answers within the deadline too: a unit still busy then is reported as failed.
        return self.settings.resilience.deadline
