"""The PMO adapter: every crm:scheduling operation over the PMO API (``/api/v1``).

One :class:`~tidbok.backend_http.BackendHttp` per backend carries the OAuth2 bearer token
(:mod:`tidbok_pmo.auth`), timeouts, retries, the circuit breaker and the call logs.

PMO deduplicates writes by ``Idempotency-Key``, so every write (book, reschedule, cancel) gets one
fresh key that stays the same across all its attempts, and is retried like a read
(``retry=True``): an answer lost after the write happened is replayed by PMO on the retry, never
written twice. While an earlier attempt with the key is still running, PMO answers
``idempotency-key-in-progress``; the adapter asks again with the same key until the deadline.
If the outcome is still unknown after all that, the write is read back
(:func:`~tidbok.backend_http.write_with_readback`) and the booking that exists is reported.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

import httpx
from pydantic import BaseModel

from tidbok import (
    AdapterContext,
    BackendProtocolError,
    BackendSettings,
    BackendUnit,
    Booking,
    BookingResult,
    HttpSchedulingAdapter,
    NewBooking,
    NotFound,
    OutcomeUnknown,
    PersonalIdentityNumber,
    Slot,
    SlotTaken,
    TidbokError,
    TimeType,
    WriteOutcome,
    build_models,
    collect_pages,
    instant,
    page_model,
    parse_response,
    path_segment,
    stockholm_to_utc,
    write_with_readback,
)
from tidbok_pmo import mapping
from tidbok_pmo.auth import client_credentials
from tidbok_pmo.wire import (
    Appointment,
    AppointmentSearch,
    Body,
    BookingType,
    Cancel,
    CreateAppointment,
    Facility,
    Page,
    PmoSlot,
    Reschedule,
    SearchedAppointment,
)

R = TypeVar("R", bound=BaseModel)

API_BASE = "/api/v1/"
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: Items per page the adapter asks for (PMO allows 1..200, default 50).
PAGE_SIZE = 200
#: Most facility ids one search names (PMO allows 1000); asked about more, the adapter searches
#: every facility and the service drops the units it did not ask about.
MAX_SEARCH_FACILITIES = 1000
#: Seconds between asks while PMO still processes an earlier attempt with the same key.
IN_PROGRESS_PAUSE = 0.1


class _Answered(Exception):
    """PMO answered a write with a definite refusal: report it, do not read back."""

    def __init__(self, error: TidbokError) -> None:
        super().__init__(str(error))
        self.error = error


class PmoAdapter(HttpSchedulingAdapter):
    """Talks to one PMO backend; holds its connection pool and token until :meth:`aclose`."""

    readback_pause: float = 0.2
    """Seconds between read-backs of a write whose outcome is unknown (tests use 0)."""

    def __init__(
        self,
        backend: BackendSettings,
        context: AdapterContext,
        *,
        page_size: int = PAGE_SIZE,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._page_size = page_size
        self._auth = client_credentials(backend, context.resilience)
        super().__init__(
            context.backend_http(
                "pmo",
                backend.base_url.rstrip("/") + API_BASE,
                auth=self._auth,
                transport=transport,
            )
        )

    async def aclose(self) -> None:
        """Close the connection pool and the token client."""
        await super().aclose()
        await self._auth.aclose()

    # -- reading ---------------------------------------------------------------------------

    @staticmethod
    def _answer(
        model: type[R],
        response: httpx.Response,
        operation: str,
        expected: Collection[int] = (200,),
        table: Mapping[str, type[TidbokError]] = mapping.ERRORS,
    ) -> R:
        """The answer as ``model``, or the typed error of a problem or unexpected status."""
        if response.status_code not in expected:
            raise mapping.error(response, operation, table)
        return parse_response(model, response, operation)

    async def _get(self, model: type[R], operation: str, path: str) -> R:
        return self._answer(model, await self.http.read(operation, "GET", path), operation)

    async def _all(
        self, item: type[R], operation: str, path: str, params: Mapping[str, str] | None = None
    ) -> list[R]:
        """Every item of a PMO list, following ``nextCursor`` to the last page."""

        async def fetch(cursor: str | None) -> tuple[list[R], str | None]:
            query = {**(params or {}), "pageSize": str(self._page_size)}
            if cursor is not None:
                query["cursor"] = cursor
            response = await self.http.read(operation, "GET", path, params=query)
            page: Page[R] = self._answer(page_model(Page, item), response, operation)
            return page.items, page.nextCursor

        return await collect_pages(fetch, operation)

    async def _kinds(self, unit: str, operation: str) -> dict[str, BookingType]:
        """The unit's booking types by id (names and flags of its slots and appointments)."""
        path = f"facilities/{path_segment(unit)}/booking-types"
        kinds = await self._all(BookingType, operation, path)
        return {kind.id: kind for kind in kinds}

    async def _appointment(self, booking_id: str, operation: str) -> Appointment:
        return await self._get(Appointment, operation, f"appointments/{path_segment(booking_id)}")

    async def _appointments(
        self, unit: str, citizen: PersonalIdentityNumber, operation: str
    ) -> list[Appointment]:
        """The citizen's booked appointments at the unit."""
        found = await self._all(
            Appointment, operation, "appointments", {"patientId": citizen.value, "facilityId": unit}
        )
        return [a for a in found if a.status == "booked" and a.facilityId == unit]

    # -- writing ---------------------------------------------------------------------------

    async def _post(
        self,
        operation: str,
        path: str,
        body: Body,
        expected: int,
        table: Mapping[str, type[TidbokError]] = mapping.ERRORS,
    ) -> Appointment:
        """One idempotent write: the same key for every attempt, retried until the deadline.

        Raises :class:`_Answered` for a definite refusal, :class:`OutcomeUnknown` when PMO is
        still busy with an earlier attempt at the deadline.
        """
        headers = {IDEMPOTENCY_HEADER: str(uuid.uuid4())}
        give_up = self.http.monotonic() + self.http.time_left()
        while True:
            response = await self.http.write(
                operation, "POST", path, retry=True, json=body.wire(), headers=headers
            )
            if response.status_code == expected:
                return parse_response(Appointment, response, operation)
            if 200 <= response.status_code < 300:  # not understood: read back what happened
                raise BackendProtocolError(f"{operation}: unexpected {response.status_code}")
            refusal = mapping.error(response, operation, table)
            if mapping.problem_code(response) != mapping.IN_PROGRESS:
                raise _Answered(refusal)
            if self.http.monotonic() + IN_PROGRESS_PAUSE >= give_up:
                raise OutcomeUnknown(f"{operation}: an earlier attempt is still in progress")
            await self.http.sleep(IN_PROGRESS_PAUSE)

    async def _written(
        self,
        write: Callable[[], Awaitable[Appointment]],
        read_back: Callable[[], Awaitable[Appointment | None]],
    ) -> Appointment:
        """Run an idempotent write; if its outcome stays unknown, read it back."""
        try:
            return await write_with_readback(
                write, read_back, pause=self.readback_pause, sleep=self.http.sleep
            )
        except _Answered as answered:
            raise answered.error from None

    # -- units and time types --------------------------------------------------------------

    async def list_units(self) -> list[BackendUnit]:
        """Every facility of the backend."""
        facilities = await self._all(Facility, "list_units", "facilities")
        return build_models(
            lambda: [BackendUnit(hsa_id=f.id, name=f.name) for f in facilities], "list_units"
        )

    async def list_time_types(self, unit: str) -> list[TimeType]:
        """The unit's booking types, whatever their flags, with their 1177 access."""
        kinds = await self._kinds(unit, "list_time_types")
        return build_models(
            lambda: [mapping.time_type(k) for k in kinds.values()], "list_time_types"
        )

    # -- searching -------------------------------------------------------------------------

    async def available_slots(
        self,
        unit: str,
        start: datetime,
        end: datetime,
        time_type: str | None = None,
        rebook_booking_id: str | None = None,
    ) -> list[Slot]:
        """Free slots of every booking type starting in ``[start, end)``, all pages.

        PMO has no rebook search; it moves an appointment only within its facility and booking
        type, so in rebook mode the search is narrowed to the appointment's booking type.
        """
        if rebook_booking_id is not None:
            current = await self._appointment(rebook_booking_id, "available_slots")
            if current.facilityId != unit:
                raise NotFound(f"available_slots: no booking {rebook_booking_id} at {unit}")
            if time_type not in (None, current.bookingTypeId):
                return []
            time_type = current.bookingTypeId
        kinds = await self._kinds(unit, "available_slots")
        params = {"start": stockholm_to_utc(start), "end": stockholm_to_utc(end)}
        if time_type is not None:
            params["bookingTypeId"] = time_type
        path = f"facilities/{path_segment(unit)}/slots"
        items = await self._all(PmoSlot, "available_slots", path, params)
        # One pass: free records starting in the period (each instant once), then their slots.
        first, last = instant(start), instant(end)
        return build_models(
            lambda: [
                mapping.slot(s, kinds)
                for s in items
                if s.status == "free" and first <= instant(s.start) < last
            ],
            "available_slots",
        )

    async def get_slot(self, unit: str, slot_id: str) -> Slot:
        """One free slot of the unit; NotFound if it is another unit's, SlotTaken if booked."""
        item = await self._get(PmoSlot, "get_slot", f"slots/{path_segment(slot_id)}")
        if item.facilityId != unit:
            raise NotFound(f"get_slot: no slot {slot_id} at {unit}")
        if item.status != "free":
            raise SlotTaken(f"get_slot: slot {slot_id} is booked")
        kinds = await self._kinds(unit, "get_slot")
        return build_models(lambda: mapping.slot(item, kinds), "get_slot")

    # -- writing ---------------------------------------------------------------------------

    async def book(self, unit: str, request: NewBooking) -> BookingResult:
        """Book the slot (``POST /appointments``); a lost answer is replayed or read back."""
        citizen = request.subject_of_care
        kinds = await self._kinds(unit, "book")
        body = CreateAppointment(
            slotId=request.slot_id, patientId=citizen.value, note=request.reason
        )

        async def write() -> Appointment:
            return await self._post("book", "appointments", body, 201)

        async def read_back() -> Appointment | None:
            mine = await self._appointments(unit, citizen, "book")
            return next(
                (a for a in mine if a.slotId == request.slot_id and a.bookedBy == "patient"),
                None,
            )

        made = await self._written(write, read_back)
        return self._result(made, kinds, "book")

    async def rebook(
        self, unit: str, booking_id: str, slot_id: str, subject_of_care: PersonalIdentityNumber
    ) -> BookingResult:
        """Move the appointment in one step (``POST /appointments/{id}/reschedule``)."""
        kinds = await self._kinds(unit, "rebook")

        async def write() -> Appointment:
            return await self._post(
                "rebook",
                f"appointments/{path_segment(booking_id)}/reschedule",
                Reschedule(slotId=slot_id),
                200,
                mapping.RESCHEDULE_ERRORS,
            )

        async def read_back() -> Appointment | None:
            current = await self._appointment(booking_id, "rebook")
            moved = current.status == "booked" and current.slotId == slot_id
            return current if moved and current.patientId == subject_of_care else None

        moved = await self._written(write, read_back)
        return self._result(moved, kinds, "rebook")

    async def cancel(
        self,
        unit: str,
        booking_id: str,
        subject_of_care: PersonalIdentityNumber,
        message: str | None = None,
    ) -> WriteOutcome:
        """Cancel (``POST /appointments/{id}/cancel``); the message goes as PMO's ``reason``."""

        async def write() -> Appointment:
            path = f"appointments/{path_segment(booking_id)}/cancel"
            cancelled = await self._post("cancel", path, Cancel(reason=message), 200)
            if cancelled.status != "cancelled":
                raise BackendProtocolError("cancel: the appointment is still booked after cancel")
            return cancelled

        async def read_back() -> Appointment | None:
            current = await self._appointment(booking_id, "cancel")
            gone = current.status == "cancelled" and current.patientId == subject_of_care
            return current if gone else None

        await self._written(write, read_back)
        return WriteOutcome()

    # -- reading bookings ------------------------------------------------------------------

    async def bookings_for(
        self, unit: str, subject_of_care: PersonalIdentityNumber
    ) -> list[Booking]:
        """The citizen's booked appointments at the unit, staff-made and hidden ones included."""
        appointments = await self._appointments(unit, subject_of_care, "bookings_for")
        kinds = await self._kinds(unit, "bookings_for") if appointments else {}
        return build_models(
            lambda: [mapping.booking(a, kinds) for a in appointments], "bookings_for"
        )

    async def bookings_across_units(
        self, units: Sequence[str], subject_of_care: PersonalIdentityNumber
    ) -> list[Booking]:
        """The citizen's booked appointments at any of ``units`` in one search
        (``POST /appointments/search``, its pages followed), each with its booking type."""
        facility_ids = list(units) if len(units) <= MAX_SEARCH_FACILITIES else None
        operation = "bookings_across_units"

        async def fetch(cursor: str | None) -> tuple[list[SearchedAppointment], str | None]:
            search = AppointmentSearch(
                patientId=subject_of_care.value,
                facilityIds=facility_ids,
                pageSize=self._page_size,
                cursor=cursor,
            )
            response = await self.http.read(
                operation, "POST", "appointments/search", json=search.wire()
            )
            page: Page[SearchedAppointment] = self._answer(
                page_model(Page, SearchedAppointment), response, operation
            )
            return page.items, page.nextCursor

        found = await collect_pages(fetch, operation)
        return build_models(
            lambda: [
                mapping.booking(a, {a.bookingType.id: a.bookingType})
                for a in found
                if a.status == "booked"
            ],
            operation,
        )

    async def booking_details(
        self, unit: str, booking_id: str, subject_of_care: PersonalIdentityNumber
    ) -> Booking:
        """One booked appointment of the citizen at the unit; NotFound for anyone else's."""
        found = await self._appointment(booking_id, "booking_details")
        if (
            found.patientId != subject_of_care
            or found.facilityId != unit
            or found.status != "booked"
        ):
            raise NotFound(f"booking_details: no booked appointment {booking_id} for this citizen")
        kinds = await self._kinds(unit, "booking_details")
        return build_models(lambda: mapping.booking(found, kinds), "booking_details")

    # -- results ---------------------------------------------------------------------------

    @staticmethod
    def _result(
        appointment: Appointment, kinds: Mapping[str, BookingType], operation: str
    ) -> BookingResult:
        return build_models(
            lambda: BookingResult(booking=mapping.booking(appointment, kinds)), operation
        )
