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

from collections.abc import Mapping, Sequence
from datetime import datetime

from tidbok import (
    BackendProtocolError,
    BackendUnit,
    Booking,
    BookingResult,
    NewBooking,
    NotFound,
    PersonalIdentityNumber,
    Slot,
    SlotTaken,
    TimeType,
    WriteOutcome,
    build_models,
    collect_pages,
    instant,
    page_model,
    path_segment,
    stockholm_to_utc,
)
from tidbok_pmo import mapping
from tidbok_pmo.api import (
    API_BASE,
    IDEMPOTENCY_HEADER,
    IN_PROGRESS_PAUSE,
    MAX_SEARCH_FACILITIES,
    PAGE_SIZE,
    PmoApi,
)
from tidbok_pmo.wire import (
    Appointment,
    AppointmentSearch,
    BookingType,
    Cancel,
    CreateAppointment,
    Facility,
    Page,
    PmoSlot,
    Reschedule,
    SearchedAppointment,
)

__all__ = [
    "API_BASE",
    "IDEMPOTENCY_HEADER",
    "IN_PROGRESS_PAUSE",
    "MAX_SEARCH_FACILITIES",
    "PAGE_SIZE",
    "PmoAdapter",
]


class PmoAdapter(PmoApi):
    """Talks to one PMO backend; holds its connection pool and token until :meth:`aclose`."""

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
