"""Open invitations (öppna kallelser), shared by the mocks that have them (PASiS, riv).

An open invitation reserves a few free slots of one unit for one chosen citizen until one of them
is booked; then it closes and its other slots are free for anyone again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from .admin_backend import parse_person
from .admin_models import AdminModel
from .clock import MockClock
from .errors import ErrorKind, MockError
from .http import validate
from .schedule import Booking, Schedule, Slot
from .times import format_offset


@dataclass
class ReservableSlot(Slot):
    """A slot that an open invitation may reserve (``invitation_id``)."""

    invitation_id: str | None = None


class InvitationStatus(StrEnum):
    """An open invitation is open until one of its slots is booked."""

    OPEN = "open"
    BOOKED = "booked"


@dataclass
class Invitation:
    """An öppen kallelse: a few slots opened for one chosen citizen (R15)."""

    id: str
    unit_id: str
    person: str
    slot_ids: list[str]
    purpose: str
    created_at: datetime
    status: InvitationStatus = InvitationStatus.OPEN
    booking_id: str | None = None


class InvitationIn(AdminModel):
    """An open invitation for one citizen, offering existing free slots of one unit."""

    id: str | None = None
    unit: str
    person: str
    slots: list[str] = Field(min_length=1)
    purpose: str = ""


def open_invitation(
    schedule: Schedule[Any, Any],
    invitations: dict[str, Invitation],
    data: InvitationIn,
    person: str,
    now: datetime,
) -> Invitation:
    """Reserve the invitation's free slots for ``person`` (caller holds the lock)."""
    unit = schedule.unit(data.unit)
    invitation_id = data.id or schedule.new_id("invitation", invitations)
    if invitation_id in invitations:
        raise MockError(ErrorKind.INVALID, f"Invitation {invitation_id} already exists")
    slots: list[ReservableSlot] = [schedule.slot(slot_id) for slot_id in data.slots]
    for slot in slots:
        if slot.unit_id != unit.id:
            raise MockError(ErrorKind.INVALID, f"Slot {slot.id} belongs to another unit")
        if not slot.free or slot.invitation_id is not None:
            raise MockError(ErrorKind.SLOT_TAKEN, f"Slot {slot.id} is not free")
    invitation = Invitation(
        id=invitation_id,
        unit_id=unit.id,
        person=person,
        slot_ids=[slot.id for slot in slots],
        purpose=data.purpose,
        created_at=now,
    )
    for slot in slots:
        slot.invitation_id = invitation.id
    invitations[invitation.id] = invitation
    return invitation


def close_invitation(
    schedule: Schedule[Any, Any], invitation: Invitation, booking: Booking
) -> None:
    """Mark ``invitation`` booked by ``booking`` and release every slot it reserved."""
    booking.invitation_id = invitation.id
    invitation.status = InvitationStatus.BOOKED
    invitation.booking_id = booking.id
    for slot_id in invitation.slot_ids:
        schedule.slot(slot_id).invitation_id = None


def invitation_view(invitation: Invitation) -> dict[str, Any]:
    """An invitation as the admin API shows it."""
    return {
        "id": invitation.id,
        "unit": invitation.unit_id,
        "person": invitation.person,
        "slots": list(invitation.slot_ids),
        "purpose": invitation.purpose,
        "status": invitation.status.value,
        "booking_id": invitation.booking_id,
        "created_at": format_offset(invitation.created_at),
    }


class InvitationSections:
    """Mixin for a :class:`~.admin_backend.ScheduleAdmin` of a system with open invitations.

    Put it before ``ScheduleAdmin`` in the bases and set ``invitations`` in ``__init__``.
    """

    schedule: Schedule[Any, Any]
    clock: MockClock
    invitations: dict[str, Invitation]

    def add_invitation(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Open an invitation: reserve the given free slots for one citizen."""
        data = validate(InvitationIn, raw)
        person = parse_person(data.person)
        invitation = open_invitation(
            self.schedule, self.invitations, data, person, self.clock.now()
        )
        return invitation_view(invitation)

    def extra_sections(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        """Invitations load after bookings."""
        return {"invitations": self.add_invitation}

    def clear_extra(self) -> None:
        """Forget invitations."""
        self.invitations.clear()
