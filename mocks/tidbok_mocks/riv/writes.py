"""MakeBooking, UpdateBooking and CancelBooking: every check and change under the schedule lock.

A logical refusal is a normal answer with ``resultCode`` ERROR and one of :mod:`.texts`; only a
request that breaks the contract is a SOAP Fault.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..kit import BookedBy, Booking, ReservableSlot, close_invitation
from . import texts
from .call import Call
from .names import CRM, CRM11, responder
from .queries import Operation
from .soap import Node, answer, client_fault, put, read_timestamp, timestamp


class Refusal(Exception):
    """A logical error: answered as ``resultCode`` ERROR with ``text``."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class Requested:
    """The ``requestedTimeslot`` of MakeBooking or UpdateBooking."""

    start: str
    end: str
    person: str
    booking_id: str | None
    time_type_id: str | None
    resource_id: str | None
    reason: str

    @classmethod
    def read(cls, call: Call) -> Requested:
        """Read and check the timeslot (start, end, facility and citizen are mandatory)."""
        node = call.body.child(responder(call.operation), "requestedTimeslot")
        if node is None:
            raise client_fault("requestedTimeslot is missing")
        node.need(CRM, "healthcare_facility")
        person = node.subject_of_care(CRM)
        assert person is not None
        return cls(
            start=read_timestamp(node, CRM, "startTimeInclusive"),
            end=read_timestamp(node, CRM, "endTimeExclusive"),
            person=person,
            booking_id=node.text(CRM, "bookingId"),
            time_type_id=node.text(CRM, "timeTypeID"),
            resource_id=node.text(CRM, "resourceID"),
            reason=node.text(CRM, "reason") or "",
        )

    def matches(self, slot: ReservableSlot) -> bool:
        """Whether ``slot`` has the requested local start and end (and type and resource)."""
        return (
            timestamp(slot.start) == self.start
            and timestamp(slot.end) == self.end
            and self.time_type_id in (None, slot.time_type_id)
            and self.resource_id in (None, slot.id)
        )


def _read_names(node: Node | None) -> None:
    """``subject_of_care_info`` must give the citizen's first and last names."""
    if node is None:
        raise client_fault("subject_of_care_info is missing")
    node.need(CRM11, "firstName")
    node.need(CRM11, "lastName")


def _pick(call: Call, wanted: Requested, offered: list[ReservableSlot]) -> ReservableSlot:
    """The free slot among ``offered`` that matches, inside the booking window."""
    free = [slot for slot in offered if wanted.matches(slot) and slot.free]
    if not free:
        raise Refusal(texts.SLOT_TAKEN)
    slot = free[0]
    if not call.state.rules.in_window(call.state.clock.now(), slot.start):
        raise Refusal(texts.TOO_CLOSE)
    return slot


def _bookable(call: Call, wanted: Requested, slots: list[ReservableSlot]) -> ReservableSlot:
    """A free slot open to anyone (no invitation) whose time type is bookable online."""
    slot = _pick(call, wanted, [s for s in slots if s.invitation_id is None])
    if not call.state.schedule.time_type(slot.time_type_id).bookable_online:
        raise Refusal(texts.NOT_BOOKABLE)
    return slot


def _result(call: Call, booking: Booking | None, error: Refusal | None, with_id: bool) -> bytes:
    ns = responder(call.operation)

    def fill(element: etree._Element) -> None:
        if error is not None:
            put(element, ns, "resultCode", "ERROR")
            put(element, ns, "resultText", error.text)
            return
        assert booking is not None
        if with_id:
            put(element, ns, "bookingId", booking.id)
        put(element, ns, "resultCode", "INFO" if booking.purpose else "OK")
        put(element, ns, "resultText", booking.purpose)

    return answer(call.operation, fill)


async def make_booking(call: Call) -> bytes:
    """Book the requested free slot (or a slot of the open invitation ``bookingId`` names)."""
    call.body.need(responder(call.operation), "healthcare_facility_med")
    wanted = Requested.read(call)
    _read_names(call.body.child(responder(call.operation), "subject_of_care_info"))
    schedule = call.state.schedule
    async with schedule.lock:
        try:
            booking = _make(call, wanted)
        except Refusal as error:
            return _result(call, None, error, True)
    return _result(call, booking, None, True)


def _make(call: Call, wanted: Requested) -> Booking:
    schedule = call.state.schedule
    unit_slots = schedule.slots_of(call.unit.id)
    now = call.state.clock.now()
    if wanted.booking_id is None:
        slot = _bookable(call, wanted, unit_slots)
        purpose = schedule.time_type(slot.time_type_id).purpose
        return schedule.book(
            slot,
            person=wanted.person,
            booked_by=BookedBy.CITIZEN,
            purpose=purpose,
            reason=wanted.reason,
            now=now,
        )
    invitation = call.state.invitations.get(wanted.booking_id)
    if (
        invitation is None
        or invitation.unit_id != call.unit.id
        or invitation.person != wanted.person
        or not call.may_see(invitation.person)
    ):
        raise Refusal(texts.UNKNOWN_BOOKING)
    if invitation.booking_id is not None:
        raise Refusal(texts.INVITATION_USED)
    slot = _pick(call, wanted, [schedule.slot(slot_id) for slot_id in invitation.slot_ids])
    booking = schedule.book(
        slot,
        person=wanted.person,
        booked_by=BookedBy.CITIZEN,
        purpose=invitation.purpose or schedule.time_type(slot.time_type_id).purpose,
        reason=wanted.reason,
        now=now,
    )
    close_invitation(schedule, invitation, booking)
    return booking


def _changeable(call: Call, booking_id: str, person: str | None) -> Booking:
    booking = call.booking(booking_id, person)
    if booking is None:
        raise Refusal(texts.UNKNOWN_BOOKING)
    if not call.state.changeable(booking):
        raise Refusal(texts.NOT_CHANGEABLE)
    return booking


async def update_booking(call: Call) -> bytes:
    """Move the booking ``requestedTimeslot/bookingId`` to the requested free slot."""
    wanted = Requested.read(call)
    if wanted.booking_id is None:
        raise client_fault("requestedTimeslot/bookingId is missing")
    names = call.body.child(responder(call.operation), "subject_of_care_info")
    if names is not None:
        _read_names(names)
    schedule = call.state.schedule
    async with schedule.lock:
        try:
            booking = _changeable(call, wanted.booking_id, wanted.person)
            same_type = [
                slot
                for slot in schedule.slots_of(call.unit.id)
                if slot.time_type_id == booking.time_type_id and slot.id != booking.slot_id
            ]
            slot = _bookable(call, wanted, same_type)
        except Refusal as error:
            return _result(call, None, error, False)
        schedule.move(booking, slot, now=call.state.clock.now())
        booking.invitation_id = None  # a rebooked invitation is a booking (TKB §6.11.5)
    return _result(call, booking, None, False)


async def cancel_booking(call: Call) -> bytes:
    """Cancel the booking; ``message`` is kept as the cancel message."""
    ns = responder(call.operation)
    booking_id = call.body.need(ns, "bookingId")
    message = call.body.text(ns, "message")
    schedule = call.state.schedule
    async with schedule.lock:
        try:
            booking = _changeable(call, booking_id, None)
        except Refusal as error:
            return _result(call, None, error, False)
        schedule.cancel(booking, message=message, now=call.state.clock.now())

    def fill(element: etree._Element) -> None:
        put(element, ns, "resultCode", "OK")

    return answer(call.operation, fill)


WRITES: dict[str, Operation] = {
    "MakeBooking": make_booking,
    "UpdateBooking": update_booking,
    "CancelBooking": cancel_booking,
}
"""The write operations by name."""
