"""One SOAP call as the operations see it, and the timeslot fields they answer with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..kit import Booking, Invitation, InvitationStatus, ReservableSlot, Unit
from .model import RivState
from .soap import Node, Value, timestamp


@dataclass(frozen=True)
class Call:
    """An operation's request: the addressed unit, the actor and the body element."""

    operation: str
    state: RivState
    unit: Unit
    actor_id: str
    actor_type: str
    body: Node

    def may_see(self, person: str) -> bool:
        """Whether the actor may see this citizen's records (an agent sees everyone's)."""
        return self.actor_type != "subject_of_care" or self.actor_id.upper() == person.upper()

    def booking(self, booking_id: str, person: str | None = None) -> Booking | None:
        """An active booking of this unit that 1177 may see (and of ``person``, if given)."""
        booking = self.state.schedule.bookings.get(booking_id)
        if booking is None or not booking.active or booking.hidden:
            return None
        kind = self.state.schedule.time_type(booking.time_type_id)
        if booking.unit_id != self.unit.id or not kind.visible or not self.may_see(booking.person):
            return None
        return booking if person is None or booking.person == person else None

    def open_invitation(self, invitation_id: str, person: str | None = None) -> Invitation | None:
        """An open invitation of this unit (and of ``person``, if given)."""
        invitation = self.state.invitations.get(invitation_id)
        if (
            invitation is None
            or invitation.status is not InvitationStatus.OPEN
            or invitation.unit_id != self.unit.id
            or not self.may_see(invitation.person)
        ):
            return None
        return invitation if person is None or invitation.person == person else None


def slot_fields(state: RivState, slot: ReservableSlot) -> dict[str, Value]:
    """The TimeslotType fields of a slot (no citizen, no flags)."""
    kind = state.schedule.time_type(slot.time_type_id)
    return {
        "startTimeInclusive": timestamp(slot.start),
        "endTimeExclusive": timestamp(slot.end),
        "healthcare_facility": slot.unit_id,
        "resourceName": slot.resource,
        "healthcare_facility_name": state.schedule.unit(slot.unit_id).name,
        "performerName": slot.performer,
        "resourceID": slot.id,
        "timeTypeName": kind.name,
        "timeTypeID": kind.id,
    }


def booking_fields(state: RivState, booking: Booking) -> dict[str, Value]:
    """The TimeslotType fields of a booking, the three flags always included."""
    changeable = state.changeable(booking)
    fields: dict[str, Any] = {
        **slot_fields(state, state.schedule.slot_of(booking)),
        "bookingId": booking.id,
        "subject_of_care": booking.person,
        "purpose": booking.purpose,
        "reason": booking.reason,
        "cancel_booking_allowed": changeable,
        "rebooking_allowed": changeable,
        "message_allowed": changeable,
    }
    if booking.invitation_id is not None:  # a timed invitation: purpose is mandatory
        fields["isInvitation"] = True
        fields["purpose"] = booking.purpose or _invitation_text(state, booking.time_type_id)
    return fields


def _invitation_text(state: RivState, time_type_id: str) -> str:
    """The purpose of an invitation whose unit gave none."""
    kind = state.schedule.time_type(time_type_id)
    return f"Kallelse till {kind.name}, {state.schedule.unit(kind.unit_id).name}."


def invitation_fields(state: RivState, invitation: Invitation) -> dict[str, Value]:
    """The TimeslotType fields of an open invitation: no times, ``isInvitation`` true."""
    unit = state.schedule.unit(invitation.unit_id)
    kind = state.schedule.time_type(state.schedule.slot(invitation.slot_ids[0]).time_type_id)
    return {
        "healthcare_facility": unit.id,
        "bookingId": invitation.id,
        "subject_of_care": invitation.person,
        "purpose": invitation.purpose or _invitation_text(state, kind.id),
        "healthcare_facility_name": unit.name,
        "timeTypeName": kind.name,
        "timeTypeID": kind.id,
        "cancel_booking_allowed": False,
        "rebooking_allowed": False,
        "message_allowed": False,
        "isInvitation": True,
    }
