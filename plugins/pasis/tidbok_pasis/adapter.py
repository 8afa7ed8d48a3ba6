"""The PASiS adapter: every crm:scheduling operation over the PASiS API (``/api/v2``).

One :class:`~tidbok.backend_http.BackendHttp` per backend carries timeouts, read retries, the
circuit breaker and the call logs. PASiS has no idempotency support, so writes are sent once
(``retry=False``, except after 429, 503 or no connection, which prove nothing was written) and
wrapped in :func:`~tidbok.backend_http.write_with_readback`: when the answer is lost or ambiguous
(a timeout, a cut connection, a 500, 502 or 504 that may follow the write, an unreadable answer),
the citizen's bookings are read back and the booking that exists is reported, or a clear
:class:`~tidbok.errors.OutcomeUnknown` if none does. Never a duplicate, never a lost booking.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from tidbok import (
    BackendProtocolError,
    BackendUnit,
    Booking,
    BookingResult,
    Invitation,
    NewBooking,
    NotFound,
    PersonalIdentityNumber,
    Slot,
    TidbokError,
    TimeType,
    WriteOutcome,
    build_models,
    instant,
    path_segment,
    to_stockholm,
)
from tidbok_pasis import mapping
from tidbok_pasis.api import API_KEY_HEADER, PAGE_SIZE, PasisApi
from tidbok_pasis.wire import (
    AvbokaIn,
    BokaIn,
    Bokning,
    Enhet,
    Kallelse,
    OmbokaIn,
    Tid,
    Tidstyp,
)

__all__ = ["API_KEY_HEADER", "MAX_QUERY_UNITS", "MAX_SEARCH_DAYS", "PAGE_SIZE", "PasisAdapter"]
#: Most units one across-units query names (repeated ``hsaId``, kept well inside a URL's length);
#: asked about more, the adapter asks about every unit and the service drops the others.
MAX_QUERY_UNITS = 100
#: The longest search window PASiS accepts, in days (both dates inclusive).
MAX_SEARCH_DAYS = 92


class PasisAdapter(PasisApi):
    """Talks to one PASiS backend; holds its connection pool until :meth:`aclose`."""

    # -- units and time types --------------------------------------------------------------

    async def list_units(self) -> list[BackendUnit]:
        """Every unit of the backend."""
        enheter = await self._list(Enhet, "list_units", "enheter")
        return build_models(
            lambda: [BackendUnit(hsa_id=e.hsaId, name=e.namn) for e in enheter], "list_units"
        )

    async def list_time_types(self, unit: str) -> list[TimeType]:
        """The unit's time types, with the access of their default 1177 level."""
        tidstyper = await self._list(
            Tidstyp, "list_time_types", f"enheter/{path_segment(unit)}/tidstyper"
        )
        return build_models(lambda: [mapping.time_type(t) for t in tidstyper], "list_time_types")

    # -- searching -------------------------------------------------------------------------

    async def available_slots(
        self,
        unit: str,
        start: datetime,
        end: datetime,
        time_type: str | None = None,
        rebook_booking_id: str | None = None,
    ) -> list[Slot]:
        """Free slots of every level starting in ``[start, end)``, all pages.

        PASiS searches whole Stockholm days (``fran``..``till`` inclusive, at most 92); longer
        periods are split, and slots outside ``[start, end)`` are dropped. In rebook mode only
        slots of the booking's own time type are listed: PASiS moves a booking within its type.
        """
        if rebook_booking_id is not None:
            bokning = await self._bokning(rebook_booking_id, "available_slots")
            if bokning.hsaId.upper() != unit.upper():
                raise NotFound(f"available_slots: no booking {rebook_booking_id} at {unit}")
            if time_type not in (None, bokning.tidstypId):
                return []  # PASiS moves a booking only within its own time type
            time_type = bokning.tidstypId
        first = to_stockholm(start).date()
        last = to_stockholm(end - timedelta(microseconds=1)).date()
        tider: list[Tid] = []
        while first <= last:
            till = min(last, first + timedelta(days=MAX_SEARCH_DAYS - 1))
            params = {"fran": first.isoformat(), "till": till.isoformat()}
            if time_type is not None:
                params["tidstyp"] = time_type
            tider += await self._list(
                Tid, "available_slots", f"enheter/{path_segment(unit)}/lediga-tider", params
            )
            first = till + timedelta(days=1)
        # One pass: the period check on each record's instant, then one slot per record kept.
        first, last = instant(start), instant(end)
        return build_models(
            lambda: [mapping.slot(t) for t in tider if first <= instant(t.start) < last],
            "available_slots",
        )

    async def get_slot(self, unit: str, slot_id: str) -> Slot:
        """One free slot of the unit; NotFound if it is booked, reserved or another unit's."""
        tid = await self._get(Tid, "get_slot", f"lediga-tider/{path_segment(slot_id)}")
        slot = build_models(lambda: mapping.slot(tid), "get_slot")
        if slot.unit != unit.upper():
            raise NotFound(f"get_slot: slot {slot_id} is not at unit {unit}")
        return slot

    # -- writing ---------------------------------------------------------------------------

    async def book(self, unit: str, request: NewBooking) -> BookingResult:
        """Book the slot (``POST /enheter/{hsaId}/bokningar``); read back a lost answer."""
        citizen = request.subject_of_care

        async def write() -> BookingResult | TidbokError:
            bokning = await self._post(
                Bokning,
                "book",
                f"enheter/{path_segment(unit)}/bokningar",
                BokaIn(tidId=request.slot_id, personnummer=citizen.dashed, orsak=request.reason),
                {201},
            )
            if isinstance(bokning, TidbokError):
                return bokning
            return self._result(bokning, "book")

        async def read_back() -> BookingResult | None:
            return self._found(
                await self._bokningar(unit, citizen),
                lambda b: (
                    b.tidId == request.slot_id and b.bokadAv == "invanare" and b.kallelseId is None
                ),
                "book",
            )

        return await self._written(write, read_back)

    async def rebook(
        self, unit: str, booking_id: str, slot_id: str, subject_of_care: PersonalIdentityNumber
    ) -> BookingResult:
        """Move the booking in one step (``POST /bokningar/{id}/omboka``); read back if lost."""

        async def write() -> BookingResult | TidbokError:
            bokning = await self._post(
                Bokning,
                "rebook",
                f"bokningar/{path_segment(booking_id)}/omboka",
                OmbokaIn(nyTidId=slot_id, personnummer=subject_of_care.dashed),
                {200},
                mapping.CHOICE_ERRORS,
            )
            if isinstance(bokning, TidbokError):
                return bokning
            return self._result(bokning, "rebook")

        async def read_back() -> BookingResult | None:
            return self._found(
                await self._bokningar(unit, subject_of_care),
                lambda b: b.bokningsId == booking_id and b.tidId == slot_id,
                "rebook",
            )

        return await self._written(write, read_back)

    async def cancel(
        self,
        unit: str,
        booking_id: str,
        subject_of_care: PersonalIdentityNumber,
        message: str | None = None,
    ) -> WriteOutcome:
        """Cancel (``POST /bokningar/{id}/avboka``) with the message; read back if lost."""

        async def write() -> BookingResult | TidbokError:
            bokning = await self._post(
                Bokning,
                "cancel",
                f"bokningar/{path_segment(booking_id)}/avboka",
                AvbokaIn(personnummer=subject_of_care.dashed, meddelande=message),
                {200},
            )
            if isinstance(bokning, TidbokError):
                return bokning
            if bokning.status != "AVBOKAD":
                raise BackendProtocolError("cancel: the booking is still active after avboka")
            return self._result(bokning, "cancel")

        async def read_back() -> BookingResult | None:
            bokning = await self._bokning(booking_id, "cancel")
            if bokning.status != "AVBOKAD" or bokning.personnummer != subject_of_care:
                return None
            return self._result(bokning, "cancel")

        return (await self._written(write, read_back)).outcome

    # -- reading bookings ------------------------------------------------------------------

    async def bookings_for(
        self, unit: str, subject_of_care: PersonalIdentityNumber
    ) -> list[Booking]:
        """The citizen's active bookings at the unit, staff-made and hidden ones included."""
        bokningar = await self._bokningar(unit, subject_of_care)
        return build_models(lambda: [mapping.booking(b) for b in bokningar], "bookings_for")

    async def bookings_across_units(
        self, units: Sequence[str], subject_of_care: PersonalIdentityNumber
    ) -> list[Booking]:
        """The citizen's active bookings at any of ``units`` in one query
        (``GET /bokningar`` with a repeated ``hsaId``), staff-made and hidden ones included."""
        params: dict[str, Any] = {"personnummer": subject_of_care.dashed}
        if len(units) <= MAX_QUERY_UNITS:
            params["hsaId"] = list(units)
        bokningar = await self._list(Bokning, "bookings_across_units", "bokningar", params)
        return build_models(
            lambda: [mapping.booking(b) for b in bokningar], "bookings_across_units"
        )

    async def booking_details(
        self, unit: str, booking_id: str, subject_of_care: PersonalIdentityNumber
    ) -> Booking:
        """One active booking of the citizen at the unit; NotFound for anyone else's."""
        bokning = await self._bokning(booking_id, "booking_details")
        if (
            bokning.personnummer != subject_of_care
            or bokning.hsaId.upper() != unit.upper()
            or bokning.status != "BOKAD"
        ):
            raise NotFound(f"booking_details: no active booking {booking_id} for this citizen")
        return build_models(lambda: mapping.booking(bokning), "booking_details")

    # -- open invitations (R15) ------------------------------------------------------------

    async def invitations_for(
        self, unit: str, subject_of_care: PersonalIdentityNumber
    ) -> list[Invitation]:
        """The citizen's invitations at the unit: open ones with their free slots, then used ones.

        PASiS lists only open invitations; the used ones are known from the citizen's bookings
        (``kallelseId``), so that a second booking of one is refused as already used rather than
        as unknown.
        """
        kallelser, bokningar = await asyncio.gather(
            self._list(
                Kallelse,
                "invitations_for",
                f"enheter/{path_segment(unit)}/kallelser",
                {"personnummer": subject_of_care.dashed},
            ),
            self._bokningar(unit, subject_of_care),
        )
        open_ids = {k.kallelseId for k in kallelser}
        used = [b for b in bokningar if b.kallelseId is not None and b.kallelseId not in open_ids]
        return build_models(
            lambda: (
                [mapping.invitation(k) for k in kallelser]
                + [mapping.used_invitation(b) for b in used]
            ),
            "invitations_for",
        )

    async def book_invitation(
        self,
        unit: str,
        invitation_id: str,
        slot_id: str,
        subject_of_care: PersonalIdentityNumber,
    ) -> BookingResult:
        """Book one slot of the invitation (``POST /kallelser/{id}/bokning``); read back if lost."""

        async def write() -> BookingResult | TidbokError:
            bokning = await self._post(
                Bokning,
                "book_invitation",
                f"kallelser/{path_segment(invitation_id)}/bokning",
                BokaIn(tidId=slot_id, personnummer=subject_of_care.dashed),
                {201},
                mapping.CHOICE_ERRORS,
            )
            if isinstance(bokning, TidbokError):
                return bokning
            return self._result(bokning, "book_invitation")

        async def read_back() -> BookingResult | None:
            return self._found(
                await self._bokningar(unit, subject_of_care),
                lambda b: b.tidId == slot_id and b.kallelseId == invitation_id,
                "book_invitation",
            )

        return await self._written(write, read_back)

    # -- results ---------------------------------------------------------------------------

    @staticmethod
    def _result(bokning: Bokning, operation: str) -> BookingResult:
        return build_models(lambda: BookingResult(booking=mapping.booking(bokning)), operation)

    def _found(
        self, bokningar: list[Bokning], wanted: Callable[[Bokning], bool], operation: str
    ) -> BookingResult | None:
        match = next(
            (b for b in bokningar if b.status == "BOKAD" and wanted(b)),
            None,
        )
        return self._result(match, operation) if match is not None else None
