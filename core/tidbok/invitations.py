"""Open invitations (R15): a unit invites a citizen to book one of a few offered slots.

:class:`Invitations` lists a citizen's open invitations at every unit whose system supports them,
and books one slot of an invitation after the 1177-side checks, announced like every write
(:mod:`tidbok.intents`). The booking service adds what every write gets afterwards (permission
flags, the activity event, the answer shown to the citizen).
"""

from __future__ import annotations

from tidbok.aggregate import gather_per_unit
from tidbok.calls import call_adapter
from tidbok.clock import Clock
from tidbok.errors import NotFound, OutsideBookingWindow, TermsNotAccepted
from tidbok.events import ActivityIntent, ActivityKind
from tidbok.intents import ActivityWrites, activity_intent
from tidbok.models import BookingResult, Caller, Capability, Invitation, InvitationList
from tidbok.routing import UnitDirectory, UnitRoute
from tidbok.rules import may_book_start


class Invitations:
    """A citizen's open invitations across the configured units."""

    def __init__(
        self, units: UnitDirectory, clock: Clock, unit_timeout: float, writes: ActivityWrites
    ) -> None:
        self._units = units
        self._clock = clock
        self._unit_timeout = unit_timeout
        self._writes = writes

    async def open_for(self, caller: Caller) -> InvitationList:
        """The citizen's open invitations at every unit whose system supports them.

        Used invitations, slots outside the booking window and slots not visible on 1177 (PASiS
        level 1) are left out; a visible slot that is not bookable directly (PASiS level 2) stays,
        as the invitation is what lets the citizen book it. A unit that cannot answer is listed
        in ``failed_units``.
        """
        routes = [
            route
            for route in self._units.active_routes()
            if route.system is not None and Capability.OPEN_INVITATIONS in route.capabilities
        ]
        invitations, failures = await gather_per_unit(
            routes,
            lambda route: self._open_at(route, caller),
            UnitRoute.describe,
            self._unit_timeout,
        )
        return InvitationList(invitations=tuple(invitations), failed_units=tuple(failures))

    async def book(
        self,
        route: UnitRoute,
        caller: Caller,
        invitation_id: str,
        slot_id: str,
        accept_terms: bool,
    ) -> tuple[BookingResult, ActivityIntent]:
        """Book one slot of an open invitation at the unit; the backend's result and the intent.

        NotFound if the unit has no open invitations or the citizen no such invitation or slot
        (a slot not visible on 1177 looks exactly like a missing one); a second booking of a
        used invitation is left to the backend to refuse.
        """
        route.require_active()
        route.require_system()
        if Capability.OPEN_INVITATIONS not in route.capabilities:
            raise NotFound(f"unit {route.hsa_id} has no open invitations")
        if not accept_terms:
            raise TermsNotAccepted("the citizen has not accepted the unit's terms")
        adapter = route.require_adapter()
        invitations = await call_adapter(
            route,
            "invitations_for",
            adapter.invitations_for(route.hsa_id, caller.subject_of_care),
        )
        invitation = next((inv for inv in invitations if inv.id == invitation_id), None)
        if invitation is None or invitation.subject_of_care != caller.subject_of_care:
            raise NotFound(f"no invitation {invitation_id} for this citizen at {route.hsa_id}")
        slot = next(
            (slot for slot in invitation.slots if slot.id == slot_id and slot.access.visible),
            None,
        )
        if slot is None and not invitation.used:
            raise NotFound(f"invitation {invitation_id} offers no slot {slot_id}")
        if slot is not None and not may_book_start(route.rules, slot.start, self._clock.now()):
            raise OutsideBookingWindow(f"slot {slot_id} is outside the booking window")
        intent = activity_intent(
            ActivityKind.INVITATION_BOOKED,
            route,
            caller,
            self._clock.now(),
            slot=slot,
            slot_id=slot_id,
            invitation_id=invitation_id,
        )
        citizen = caller.subject_of_care
        return await self._writes.send(
            intent,
            route,
            "book_invitation",
            lambda: adapter.book_invitation(route.hsa_id, invitation_id, slot_id, citizen),
        ), intent

    async def find(self, route: UnitRoute, caller: Caller, invitation_id: str) -> Invitation:
        """One of the citizen's invitations at the unit, used or not, with only the slots 1177 may
        offer now; NotFound if the unit has no open invitations or the citizen no such one."""
        route.require_active()
        route.require_system()
        if Capability.OPEN_INVITATIONS not in route.capabilities:
            raise NotFound(f"unit {route.hsa_id} has no open invitations")
        adapter = route.require_adapter()
        invitations = await call_adapter(
            route, "invitations_for", adapter.invitations_for(route.hsa_id, caller.subject_of_care)
        )
        invitation = next((inv for inv in invitations if inv.id == invitation_id), None)
        if invitation is None or invitation.subject_of_care != caller.subject_of_care:
            raise NotFound(f"no invitation {invitation_id} for this citizen at {route.hsa_id}")
        now = self._clock.now()
        slots = tuple(
            slot
            for slot in invitation.slots
            if slot.access.visible and may_book_start(route.rules, slot.start, now)
        )
        return invitation.model_copy(update={"slots": slots})

    async def _open_at(self, route: UnitRoute, caller: Caller) -> list[Invitation]:
        adapter = route.require_adapter()
        invitations = await call_adapter(
            route, "invitations_for", adapter.invitations_for(route.hsa_id, caller.subject_of_care)
        )
        now = self._clock.now()
        rules = route.rules
        open_ones: list[Invitation] = []
        for invitation in invitations:
            if invitation.used or invitation.subject_of_care != caller.subject_of_care:
                continue
            slots = tuple(
                slot
                for slot in invitation.slots
                if slot.access.visible and may_book_start(rules, slot.start, now)
            )
            if slots:
                open_ones.append(invitation.model_copy(update={"slots": slots}))
        return open_ones
