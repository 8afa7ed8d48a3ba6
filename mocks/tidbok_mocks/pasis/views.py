"""How PASiS shows its records on the wire (Swedish field names, local times)."""

from __future__ import annotations

from typing import Any

from ..common.personnummer import dashed
from ..kit import BookedBy, Booking, BookingStatus, Schedule, Unit, format_local
from .model import Invitation, InvitationStatus, PasisSlot, PasisTimeType

BOKAD_AV = {BookedBy.STAFF: "personal", BookedBy.CITIZEN: "invanare"}
STATUS = {BookingStatus.BOOKED: "BOKAD", BookingStatus.CANCELLED: "AVBOKAD"}
KALLELSE_STATUS = {InvitationStatus.OPEN: "OPPEN", InvitationStatus.BOOKED: "BOKAD"}

PasisSchedule = Schedule[PasisTimeType, PasisSlot]


def enhet(unit: Unit) -> dict[str, Any]:
    """A vårdenhet."""
    return {"hsaId": unit.id, "namn": unit.name, "adress": unit.address}


def tidstyp(time_type: PasisTimeType) -> dict[str, Any]:
    """A tidstyp."""
    return {
        "tidstypId": time_type.id,
        "hsaId": time_type.unit_id,
        "namn": time_type.name,
        "beskrivning": time_type.description,
        "syfte": time_type.purpose,
        "langdMinuter": time_type.duration_minutes,
        "standardniva1177": time_type.default_level,
    }


def tid(schedule: PasisSchedule, slot: PasisSlot) -> dict[str, Any]:
    """A tid (slot)."""
    return {
        "tidId": slot.id,
        "hsaId": slot.unit_id,
        "tidstypId": slot.time_type_id,
        "tidstypNamn": schedule.time_type(slot.time_type_id).name,
        "start": format_local(slot.start),
        "slut": format_local(slot.end),
        "utforare": slot.performer,
        "resurs": slot.resource,
        "niva1177": slot.level,
    }


def bokning(schedule: PasisSchedule, booking: Booking) -> dict[str, Any]:
    """A bokning, active or cancelled."""
    slot = schedule.slot_of(booking)
    return {
        "bokningsId": booking.id,
        "hsaId": booking.unit_id,
        "enhetNamn": schedule.unit(booking.unit_id).name,
        "tidId": slot.id,
        "tidstypId": booking.time_type_id,
        "tidstypNamn": schedule.time_type(booking.time_type_id).name,
        "start": format_local(slot.start),
        "slut": format_local(slot.end),
        "utforare": slot.performer,
        "resurs": slot.resource,
        "niva1177": slot.level,
        "personnummer": dashed(booking.person),
        "syfte": booking.purpose,
        "orsak": booking.reason,
        "bokadAv": BOKAD_AV[booking.booked_by],
        "dold": booking.hidden,
        "status": STATUS[booking.status],
        "kallelseId": booking.invitation_id,
        "avbokningsmeddelande": booking.cancel_message,
        "skapad": format_local(booking.created_at),
        "andrad": format_local(booking.updated_at),
    }


def kallelse(schedule: PasisSchedule, invitation: Invitation) -> dict[str, Any]:
    """An öppen kallelse with the slots it offers (``ledig`` tells which are still free)."""
    return {
        "kallelseId": invitation.id,
        "hsaId": invitation.unit_id,
        "personnummer": dashed(invitation.person),
        "syfte": invitation.purpose,
        "status": KALLELSE_STATUS[invitation.status],
        "bokningsId": invitation.booking_id,
        "skapad": format_local(invitation.created_at),
        "tider": [
            {**tid(schedule, schedule.slot(slot_id)), "ledig": schedule.slot(slot_id).free}
            for slot_id in invitation.slot_ids
        ],
    }
