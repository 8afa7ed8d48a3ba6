"""PMO's appointment operations: every check and change happens under the schedule lock."""

from __future__ import annotations

from ..kit import BookedBy, Booking, ErrorKind, MockError, Slot, Unit, unit_key
from . import rules
from .model import PmoBookingType, PmoState


class PmoService:
    """Book, reschedule and cancel appointments as the patient, with PMO's rules."""

    def __init__(self, state: PmoState) -> None:
        self.state = state
        self.schedule = state.schedule

    def facility(self, facility_id: str) -> Unit:
        """A facility by id (the HSA-id, any letter case)."""
        unit = self.schedule.units.get(unit_key(facility_id))
        if unit is None:
            raise MockError(ErrorKind.NOT_FOUND, f"Facility {facility_id} not found")
        return unit

    def slot(self, slot_id: str) -> Slot:
        """A slot by id."""
        found = self.schedule.slots.get(slot_id)
        if found is None:
            raise MockError(ErrorKind.NOT_FOUND, f"Slot {slot_id} not found")
        return found

    def appointment(self, appointment_id: str) -> Booking:
        """An appointment by id."""
        found = self.schedule.bookings.get(appointment_id)
        if found is None:
            raise MockError(ErrorKind.NOT_FOUND, f"Appointment {appointment_id} not found")
        return found

    def booking_type(self, booking_type_id: str) -> PmoBookingType:
        """A booking type by id."""
        return self.schedule.time_type(booking_type_id)

    def _require_free(self, slot: Slot) -> None:
        if not slot.free:
            raise MockError(ErrorKind.SLOT_TAKEN, f"Slot {slot.id} is already booked")

    def _require_changeable(self, appointment: Booking) -> None:
        if not appointment.active:
            raise MockError(
                ErrorKind.ALREADY_CANCELLED, f"Appointment {appointment.id} is cancelled"
            )
        rules.require_cancellable(appointment, self.booking_type(appointment.time_type_id))
        rules.require_not_started(self.state.clock.now(), self.schedule.slot_of(appointment).start)

    async def book(self, slot_id: str, patient: str, note: str) -> Booking:
        """Book a free slot of a visible, bookable type that has not started."""
        async with self.schedule.lock:
            slot = self.slot(slot_id)
            kind = self.booking_type(slot.time_type_id)
            rules.require_bookable(kind)
            rules.require_not_started(self.state.clock.now(), slot.start)
            self._require_free(slot)
            return self.schedule.book(
                slot,
                person=patient,
                booked_by=BookedBy.CITIZEN,
                purpose=kind.purpose,
                reason=note,
                now=self.state.clock.now(),
            )

    async def reschedule(self, appointment_id: str, slot_id: str) -> Booking:
        """Move an appointment to another free slot of the same facility and type, in one step."""
        async with self.schedule.lock:
            appointment = self.appointment(appointment_id)
            self._require_changeable(appointment)
            slot = self.slot(slot_id)
            if slot.id == appointment.slot_id:
                raise MockError(ErrorKind.INVALID, "The appointment already holds that slot")
            if slot.unit_id != appointment.unit_id or slot.time_type_id != appointment.time_type_id:
                raise MockError(
                    ErrorKind.INVALID,
                    "The new slot must be at the same facility with the same booking type",
                )
            rules.require_bookable(self.booking_type(slot.time_type_id))
            rules.require_not_started(self.state.clock.now(), slot.start)
            self._require_free(slot)
            return self.schedule.move(appointment, slot, now=self.state.clock.now())

    async def cancel(self, appointment_id: str, reason: str | None) -> Booking:
        """Cancel until the start; the slot is free again at once."""
        async with self.schedule.lock:
            appointment = self.appointment(appointment_id)
            self._require_changeable(appointment)
            return self.schedule.cancel(appointment, message=reason, now=self.state.clock.now())
