"""Translation between PASiS's wire records and tidbok's models, both ways.

PASiS speaks in 1177 levels, ``bokadAv``/``dold`` flags, dashed personnummer and ``felkod`` error
codes; tidbok speaks in :class:`~tidbok.models.Access1177`, :class:`~tidbok.models.BookedBy`,
:class:`~tidbok.identity.PersonalIdentityNumber` and typed errors. Everything PASiS-specific about
that translation lives here; the generic *how* comes from :mod:`tidbok.wire`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import ValidationError

from tidbok import (
    Access1177,
    BackendUnavailable,
    BookedBy,
    Booking,
    InvalidInput,
    Invitation,
    InvitationAlreadyUsed,
    NotAvailableVia1177,
    NotFound,
    OutsideBookingWindow,
    Slot,
    SlotTaken,
    TidbokError,
    TimeType,
    local_span,
    translate_error,
    wire_slot,
)
from tidbok_pasis.wire import Bokning, Felsvar, Kallelse, Niva1177, Tid, Tidstyp

#: What each 1177 level lets 1177 do (PASiS: bookable implies changeable).
ACCESS_BY_LEVEL: Mapping[int, Access1177] = {
    1: Access1177(),
    2: Access1177(visible=True),
    3: Access1177(visible=True, changeable=True),
    4: Access1177(visible=True, bookable=True, changeable=True),
}

#: PASiS felkod values that mean the same for every operation.
ERRORS: Mapping[str, type[TidbokError]] = {
    "TIDEN_UPPTAGEN": SlotTaken,
    "UTANFOR_BOKNINGSFONSTER": OutsideBookingWindow,
    "EJ_BOKNINGSBAR_VIA_1177": NotAvailableVia1177,
    "EJ_AVBOKNINGSBAR_VIA_1177": NotAvailableVia1177,
    "HITTAS_EJ": NotFound,
    "KALLELSE_REDAN_BOKAD": InvitationAlreadyUsed,
    "BOKNINGEN_AVBOKAD": NotFound,
    # With 403 only: the personnummer is not the booking's. Another citizen's booking must look
    # exactly like a missing one (401, wrong credentials, is handled before the table).
    "EJ_BEHORIG": NotFound,
}

#: For operations whose only possible 400 is the citizen's choice of slot (a rebook target of
#: another time type or the booking's own slot; a slot the invitation does not offer).
CHOICE_ERRORS: Mapping[str, type[TidbokError]] = {**ERRORS, "OGILTIG_BEGARAN": InvalidInput}


def access(level: Niva1177) -> Access1177:
    """The 1177 access of a PASiS level (1 never shown .. 4 bookable directly)."""
    return ACCESS_BY_LEVEL[level]


def level_of(wanted: Access1177) -> int:
    """The PASiS level for an access: the lowest level granting everything asked for."""
    if wanted.bookable:
        return 4
    if wanted.changeable:
        return 3
    return 2 if wanted.visible else 1


def time_type(tidstyp: Tidstyp) -> TimeType:
    """A PASiS tidstyp as a time type; its access is that of its default level."""
    return TimeType(
        id=tidstyp.tidstypId, name=tidstyp.namn, access=access(tidstyp.standardniva1177)
    )


def _scheduled(tid: Tid) -> dict[str, Any]:
    """The fields slots and bookings share: where, when, which time type, with whom, access."""
    start, end = local_span(tid.start, tid.slut)
    return {
        "unit": tid.hsaId,
        "start": start,
        "end": end,
        "time_type_id": tid.tidstypId,
        "time_type_name": tid.tidstypNamn,
        "performer": tid.utforare,
        "resource": tid.resurs,
        "access": access(tid.niva1177),
    }


def slot(tid: Tid) -> Slot:
    """A PASiS tid as a slot, checked in one pass (:func:`tidbok.wire_slot`)."""
    start, end = local_span(tid.start, tid.slut)  # PASiS's times carry no offset
    return wire_slot(
        id=tid.tidId,
        unit=tid.hsaId,
        start=start,
        end=end,
        time_type_id=tid.tidstypId,
        time_type_name=tid.tidstypNamn,
        performer=tid.utforare,
        resource=tid.resurs,
        access=ACCESS_BY_LEVEL[tid.niva1177],
    )


def booking(bokning: Bokning) -> Booking:
    """A PASiS bokning as a booking: ``bokadAv`` is who booked, ``dold`` the unit hid it."""
    return Booking(
        id=bokning.bokningsId,
        **_scheduled(bokning),
        subject_of_care=bokning.personnummer,
        purpose=bokning.syfte or None,
        reason=bokning.orsak or None,
        booked_by=BookedBy.CITIZEN if bokning.bokadAv == "invanare" else BookedBy.STAFF,
        hidden=bokning.dold,
        is_invitation=bokning.kallelseId is not None,
    )


def invitation(kallelse: Kallelse) -> Invitation:
    """A PASiS kallelse as an invitation, offering the slots that are still free."""
    return Invitation(
        id=kallelse.kallelseId,
        unit=kallelse.hsaId,
        subject_of_care=kallelse.personnummer,
        title=kallelse.syfte or "Kallelse",
        slots=tuple(slot(tid) for tid in kallelse.tider if tid.ledig),
        purpose=kallelse.syfte or None,
        used=kallelse.status != "OPPEN",
    )


def used_invitation(bokning: Bokning) -> Invitation:
    """The invitation a booking was made from (``kallelseId``): used, offering no slots."""
    return Invitation(
        id=bokning.kallelseId or "",
        unit=bokning.hsaId,
        subject_of_care=bokning.personnummer,
        title=bokning.syfte or "Kallelse",
        slots=(),
        purpose=bokning.syfte or None,
        used=True,
    )


def felkod(response: httpx.Response) -> str | None:
    """The felkod of an error answer, or None when the body is not PASiS's error format."""
    try:
        return Felsvar.model_validate(response.json()).felkod
    except (ValueError, ValidationError):
        return None


def error(
    response: httpx.Response, operation: str, table: Mapping[str, type[TidbokError]] = ERRORS
) -> TidbokError:
    """The typed error for a PASiS error answer.

    401 means our API key was refused: a technical fault of the configuration, never the
    citizen's. Everything else goes through the felkod table, then the status.
    """
    if response.status_code == 401:
        return BackendUnavailable(f"{operation}: PASiS refused the API key (401)")
    return translate_error(response, felkod(response), table, operation)
