"""PASiS's booking operations: every check and change happens under the schedule lock."""

from __future__ import annotations

from ..kit import BookedBy, Booking, ErrorKind, MockError, Unit, close_invitation, unit_key
from . import rules
from .model import Invitation, InvitationStatus, PasisSlot, PasisState


class PasisService:
    """Book, rebook, cancel and book invitations as the citizen, with PASiS's rules."""

    def __init__(self, state: PasisState) -> None:
        self.state = state
        self.schedule = state.schedule

    def unit(self, hsa_id: str) -> Unit:
        """A unit by HSA-id (any letter case)."""
        unit = self.schedule.units.get(unit_key(hsa_id))
        if unit is None:
            raise MockError(ErrorKind.NOT_FOUND, f"Enheten {hsa_id} finns inte.")
        return unit

    def slot_at(self, hsa_id: str, tid_id: str) -> PasisSlot:
        """A slot of the given unit."""
        slot = self.schedule.slots.get(tid_id)
        if slot is None or unit_key(slot.unit_id) != unit_key(hsa_id):
            raise MockError(ErrorKind.NOT_FOUND, f"Tiden {tid_id} finns inte på enheten.")
        return slot

    def booking(self, booking_id: str) -> Booking:
        """A booking by id."""
        booking = self.schedule.bookings.get(booking_id)
        if booking is None:
            raise MockError(ErrorKind.NOT_FOUND, f"Bokningen {booking_id} finns inte.")
        return booking

    def invitation(self, invitation_id: str) -> Invitation:
        """An invitation by id."""
        invitation = self.state.invitations.get(invitation_id)
        if invitation is None:
            raise MockError(ErrorKind.NOT_FOUND, f"Kallelsen {invitation_id} finns inte.")
        return invitation

    @staticmethod
    def _require_free(slot: PasisSlot) -> None:
        if not slot.free:
            raise MockError(ErrorKind.SLOT_TAKEN, "Tiden är redan bokad.")

    @staticmethod
    def _require_owner(person: str, owner: str) -> None:
        if person != owner:
            raise MockError(ErrorKind.FORBIDDEN, "Personnumret stämmer inte med bokningen.")

    def _book(self, slot: PasisSlot, person: str, reason: str, purpose: str) -> Booking:
        rules.require_after_today(self.state.clock.now(), slot.start)
        self._require_free(slot)
        return self.schedule.book(
            slot,
            person=person,
            booked_by=BookedBy.CITIZEN,
            purpose=purpose,
            reason=reason,
            now=self.state.clock.now(),
        )

    async def boka(self, hsa_id: str, tid_id: str, person: str, orsak: str) -> Booking:
        """Book a free level-4 slot from tomorrow on."""
        async with self.schedule.lock:
            self.unit(hsa_id)
            slot = self.slot_at(hsa_id, tid_id)
            rules.require_bookable(slot)
            purpose = self.schedule.time_type(slot.time_type_id).purpose
            return self._book(slot, person, orsak, purpose)

    def _require_changeable(self, booking: Booking, person: str) -> None:
        self._require_owner(person, booking.person)
        if not booking.active:
            raise MockError(ErrorKind.ALREADY_CANCELLED, "Bokningen är redan avbokad.")
        slot = self.schedule.slot_of(booking)
        rules.require_changeable(booking, slot)
        rules.require_before_cutoff(self.state.clock.now(), slot.start)

    async def avboka(self, booking_id: str, person: str, meddelande: str | None) -> Booking:
        """Cancel until 24 hours before the start; the slot is free again at once."""
        async with self.schedule.lock:
            booking = self.booking(booking_id)
            self._require_changeable(booking, person)
            return self.schedule.cancel(booking, message=meddelande, now=self.state.clock.now())

    async def omboka(self, booking_id: str, ny_tid_id: str, person: str) -> Booking:
        """Move a booking to another free slot of the same unit and time type, in one step."""
        async with self.schedule.lock:
            booking = self.booking(booking_id)
            self._require_changeable(booking, person)
            new_slot = self.slot_at(booking.unit_id, ny_tid_id)
            if new_slot.id == booking.slot_id:
                raise MockError(ErrorKind.INVALID, "Bokningen har redan den tiden.")
            if new_slot.time_type_id != booking.time_type_id:
                raise MockError(ErrorKind.INVALID, "Den nya tiden måste ha samma tidstyp.")
            rules.require_bookable(new_slot)
            rules.require_after_today(self.state.clock.now(), new_slot.start)
            self._require_free(new_slot)
            return self.schedule.move(booking, new_slot, now=self.state.clock.now())

    async def boka_kallelse(
        self, invitation_id: str, tid_id: str, person: str, orsak: str
    ) -> Booking:
        """Book one slot of an open invitation; the invitation closes, its other slots open up."""
        async with self.schedule.lock:
            invitation = self.invitation(invitation_id)
            self._require_owner(person, invitation.person)
            if invitation.status is not InvitationStatus.OPEN:
                raise MockError(ErrorKind.INVITATION_BOOKED, "Kallelsen är redan bokad.")
            if tid_id not in invitation.slot_ids:
                raise MockError(ErrorKind.INVALID, f"Tiden {tid_id} ingår inte i kallelsen.")
            slot = self.slot_at(invitation.unit_id, tid_id)
            booking = self._book(slot, person, orsak, invitation.purpose)
            close_invitation(self.schedule, invitation, booking)
            return booking

    async def open_invitations(self, hsa_id: str, person: str) -> list[Invitation]:
        """The citizen's open invitations at a unit."""
        async with self.schedule.lock:
            unit = self.unit(hsa_id)
            return [
                invitation
                for invitation in self.state.invitations.values()
                if invitation.unit_id == unit.id
                and invitation.person == person
                and invitation.status is InvitationStatus.OPEN
            ]
