"""The crm:scheduling consumer: tidbok's adapter calls over SOAP 1.1 to one producer.

Each call is one POST of an envelope (``tidbok.crm``) through the core's ``BackendHttp`` (timeouts,
deadline, breaker, call log) to the operation's endpoint, with ``LogicalAddress`` = the unit and
the ``Actor`` of the service call in progress (:func:`tidbok.acting_caller`): the citizen, or the
agent acting for the citizen (agents may only book: the contract's flow 1). A SOAP ``Client``
fault is a definite answer; a ``Server`` fault, a timeout or a cut connection is a failure.

MakeBooking has no idempotency key and is never sent twice: after an ambiguous failure the
citizen's schedule is read back (GetSubjectOfCareSchedule) before answering.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tidbok import (
    AdapterContext,
    BackendSettings,
    BackendUnit,
    BookedBy,
    Booking,
    BookingRefused,
    BookingResult,
    Capability,
    HttpSchedulingAdapter,
    NewBooking,
    NotFound,
    OutcomeKind,
    OutsideBookingWindow,
    PersonalIdentityNumber,
    Slot,
    SlotTaken,
    SystemRules,
    TechnicalFault,
    TimeType,
    WriteOutcome,
    instant,
    may_book_start,
    to_stockholm,
    write_with_readback,
)
from tidbok.crm import (
    CancelBooking,
    CancelBookingResponse,
    GetAllHealthcareFacilities,
    GetAllHealthcareFacilitiesResponse,
    GetAllTimeTypes,
    GetAllTimeTypesResponse,
    GetAvailableTimeslots,
    GetAvailableTimeslotsResponse,
    GetBookingDetails,
    GetBookingDetailsResponse,
    GetSubjectOfCareSchedule,
    GetSubjectOfCareScheduleResponse,
    MakeBooking,
    MakeBookingResponse,
    ResultCode,
    TimeslotType,
    UpdateBooking,
    UpdateBookingResponse,
    format_timestamp,
    parse_timestamp,
)
from tidbok_riv import mapping
from tidbok_riv.options import RivOptions
from tidbok_riv.soap import RivSoap


class RivAdapter(HttpSchedulingAdapter):
    """Talks to one crm:scheduling producer; holds its connection pool until :meth:`aclose`."""

    def __init__(self, backend: BackendSettings, context: AdapterContext) -> None:
        self.options = RivOptions.model_validate(backend.options)
        http = context.backend_http(
            "riv",
            backend.base_url,
            headers={"Content-Type": "text/xml; charset=utf-8"},
            verify=self.options.tls_context(),
        )
        super().__init__(http)
        self.soap = RivSoap(http, self.options, backend.base_url)
        """The SOAP calls to this producer (:mod:`tidbok_riv.soap`)."""
        self._base_url = backend.base_url
        self._units = context.units
        self._clock = context.clock

    @property
    def rules(self) -> SystemRules:
        """This producer's rules, from the backend's settings."""
        return self.options.rules

    @property
    def capabilities(self) -> frozenset[Capability]:
        """This producer's capabilities, from the backend's settings."""
        return self.options.capabilities

    # -- reading --------------------------------------------------------------------------

    async def list_units(self) -> list[BackendUnit]:
        """The configured units this producer answers for (GetAllHealthcareFacilities)."""
        units: dict[str, BackendUnit] = {}
        for hsa_id in self._units:
            if "GetAllHealthcareFacilities" not in self.options.operations:
                units[hsa_id] = BackendUnit(hsa_id=hsa_id, name=hsa_id)
                continue
            answer = await self.soap.call(
                "GetAllHealthcareFacilities",
                hsa_id,
                GetAllHealthcareFacilities(
                    healthcare_facility=hsa_id, subject_of_care=self.soap.subject()
                ),
                self.soap.actor(None),
                GetAllHealthcareFacilitiesResponse,
            )
            for info in answer.healthcareFacilityInfos:
                unit = BackendUnit(
                    hsa_id=info.healthcare_facility,
                    name=info.healthcare_facility_name or info.healthcare_facility,
                )
                units[unit.hsa_id] = unit
        return list(units.values())

    async def list_time_types(self, unit: str) -> list[TimeType]:
        """The unit's time types bookable online (GetAllTimeTypes)."""
        answer = await self.soap.call(
            "GetAllTimeTypes",
            unit,
            GetAllTimeTypes(healthcare_facility=unit, subject_of_care=self.soap.subject()),
            self.soap.actor(None, books=True),
            GetAllTimeTypesResponse,
        )
        return [mapping.to_time_type(item) for item in answer.ListOfTimeTypes]

    async def available_slots(
        self,
        unit: str,
        start: datetime,
        end: datetime,
        time_type: str | None = None,
        rebook_booking_id: str | None = None,
    ) -> list[Slot]:
        """Free slots in ``[start, end)`` (GetAvailableTimeslots; with the booking to move)."""
        timeslots = await self._timeslots(unit, start, end, time_type, rebook_booking_id)
        return [
            slot
            for slot in (mapping.to_slot(timeslot, unit) for timeslot in timeslots)
            if instant(start) <= instant(slot.start) < instant(end)
        ]

    async def _timeslots(
        self,
        unit: str,
        start: datetime,
        end: datetime,
        time_type: str | None,
        booking_id: str | None,
    ) -> list[TimeslotType]:
        first = to_stockholm(start).date()
        last = to_stockholm(end - timedelta(microseconds=1)).date()
        answer = await self.soap.call(
            "GetAvailableTimeslots",
            unit,
            GetAvailableTimeslots(
                healthcare_facility=unit,
                bookingId=booking_id,
                startDateInclusive=first,
                endDateInclusive=max(first, last),
                timeTypeID=time_type,
                subject_of_care=self.soap.subject(),
            ),
            self.soap.actor(None, books=booking_id is None),
            GetAvailableTimeslotsResponse,
        )
        return list(answer.timeslotDetail)

    async def get_slot(self, unit: str, slot_id: str) -> Slot:
        """The free slot ``slot_id`` names, read again; SlotTaken when it is no longer free."""
        key = mapping.slot_key(slot_id)
        start = parse_timestamp(key.start)
        end = parse_timestamp(key.end)
        now = self._clock.now()
        if instant(start) <= instant(now):
            raise OutsideBookingWindow("the slot has started")
        timeslots = await self._timeslots(unit, start, end, key.time_type, None)
        found = next((t for t in timeslots if mapping.same_slot(key, t)), None)
        if found is None:
            # The producer lists only what may be booked now: tell "too early" from "taken".
            if not may_book_start(self.rules, start, now):
                raise OutsideBookingWindow("the slot is before the earliest bookable day")
            raise SlotTaken("the time is no longer among the producer's free times")
        return mapping.to_slot(found, unit)

    async def bookings_for(
        self, unit: str, subject_of_care: PersonalIdentityNumber
    ) -> list[Booking]:
        """The citizen's bookings at the unit (GetSubjectOfCareSchedule), with their flags."""
        answer = await self.soap.call(
            "GetSubjectOfCareSchedule",
            unit,
            GetSubjectOfCareSchedule(
                healthcare_facility=unit, subject_of_care=subject_of_care.value
            ),
            self.soap.actor(subject_of_care),
            GetSubjectOfCareScheduleResponse,
        )
        return [
            mapping.to_booking(timeslot, unit, subject_of_care)
            for timeslot in answer.timeslotDetail
            if timeslot.startTimeInclusive is not None
        ]

    async def booking_details(
        self, unit: str, booking_id: str, subject_of_care: PersonalIdentityNumber
    ) -> Booking:
        """One booking (GetBookingDetails); NotFound for an open invitation or another's."""
        answer = await self.soap.call(
            "GetBookingDetails",
            unit,
            GetBookingDetails(healthcare_facility=unit, bookingId=booking_id),
            self.soap.actor(subject_of_care),
            GetBookingDetailsResponse,
        )
        timeslot = answer.timeslotDetail
        if timeslot.startTimeInclusive is None:
            raise NotFound(f"no booking {booking_id}")
        booking = mapping.to_booking(timeslot, unit, subject_of_care)
        if booking.subject_of_care != subject_of_care:
            raise NotFound(f"no booking {booking_id} for this citizen")
        return booking

    # -- writing --------------------------------------------------------------------------

    async def book(self, unit: str, request: NewBooking) -> BookingResult:
        """Book the slot (MakeBooking), reading back after an ambiguous failure."""
        key = mapping.slot_key(request.slot_id)
        citizen = request.subject_of_care
        message = MakeBooking(
            healthcare_facility_med=unit,
            requestedTimeslot=TimeslotType(
                startTimeInclusive=parse_timestamp(key.start),
                endTimeExclusive=parse_timestamp(key.end),
                healthcare_facility=unit,
                subject_of_care=citizen.value,
                reason=request.reason,
                resourceID=key.resource,
                timeTypeID=key.time_type,
            ),
            subject_of_care_info=self.soap.names(),
        )

        async def write() -> BookingResult:
            answer = await self.soap.call(
                "MakeBooking",
                unit,
                message,
                self.soap.actor(citizen, books=True),
                MakeBookingResponse,
                write=True,
            )
            if answer.resultCode is ResultCode.ERROR or not answer.bookingId:
                raise mapping.refusal(answer.resultText, self.options.result_texts)
            outcome = _outcome(answer.resultCode, answer.resultText)
            return await self._result(unit, answer.bookingId, citizen, key, outcome)

        async def read_back() -> BookingResult | None:
            return await self._read_back(unit, citizen, key)

        return await write_with_readback(write, read_back, sleep=self.http.sleep)

    async def rebook(
        self, unit: str, booking_id: str, slot_id: str, subject_of_care: PersonalIdentityNumber
    ) -> BookingResult:
        """Move the booking (UpdateBooking), reading back after an ambiguous failure."""
        key = mapping.slot_key(slot_id)
        message = UpdateBooking(
            requestedTimeslot=TimeslotType(
                startTimeInclusive=parse_timestamp(key.start),
                endTimeExclusive=parse_timestamp(key.end),
                healthcare_facility=unit,
                bookingId=booking_id,
                subject_of_care=subject_of_care.value,
                resourceID=key.resource,
                timeTypeID=key.time_type,
            ),
            subject_of_care_info=self.soap.names(),
        )

        async def write() -> BookingResult:
            answer = await self.soap.call(
                "UpdateBooking",
                unit,
                message,
                self.soap.actor(subject_of_care),
                UpdateBookingResponse,
                write=True,
            )
            if answer.resultCode is ResultCode.ERROR:
                raise mapping.refusal(answer.resultText, self.options.result_texts)
            outcome = _outcome(answer.resultCode, answer.resultText)
            return await self._result(unit, booking_id, subject_of_care, key, outcome)

        async def read_back() -> BookingResult | None:
            return await self._read_back(unit, subject_of_care, key)

        return await write_with_readback(write, read_back, sleep=self.http.sleep)

    async def cancel(
        self,
        unit: str,
        booking_id: str,
        subject_of_care: PersonalIdentityNumber,
        message: str | None = None,
    ) -> WriteOutcome:
        """Cancel the booking (CancelBooking), reading back after an ambiguous failure."""
        request = CancelBooking(healthcare_facility=unit, bookingId=booking_id, message=message)

        async def write() -> WriteOutcome:
            answer = await self.soap.call(
                "CancelBooking",
                unit,
                request,
                self.soap.actor(subject_of_care),
                CancelBookingResponse,
                write=True,
            )
            if answer.resultCode is ResultCode.ERROR:
                raise mapping.refusal(answer.resultText, self.options.result_texts)
            return _outcome(answer.resultCode, answer.resultText)

        async def read_back() -> WriteOutcome | None:
            bookings = await self.bookings_for(unit, subject_of_care)
            return None if any(b.id == booking_id for b in bookings) else WriteOutcome()

        return await write_with_readback(write, read_back, sleep=self.http.sleep)

    # -- helpers --------------------------------------------------------------------------

    async def _read_back(
        self, unit: str, citizen: PersonalIdentityNumber, key: mapping.SlotKey
    ) -> BookingResult | None:
        """The result of a book or rebook whose answer was lost, if the citizen now holds the
        slot: booked or moved by the citizen via 1177 just now, like :meth:`_result` says (the
        listing has no booked-by and would say staff)."""
        held = await self._held_at(unit, citizen, key)
        if held is None:
            return None
        return BookingResult(booking=held.model_copy(update={"booked_by": BookedBy.CITIZEN}))

    async def _held_at(
        self, unit: str, citizen: PersonalIdentityNumber, key: mapping.SlotKey
    ) -> Booking | None:
        """The citizen's booking at exactly the slot ``key`` names, if any (a read-back)."""
        for booking in await self.bookings_for(unit, citizen):
            if (
                format_timestamp(booking.start) == key.start
                and format_timestamp(booking.end) == key.end
                and (key.time_type is None or booking.time_type_id == key.time_type)
            ):
                return booking
        return None

    async def _result(
        self,
        unit: str,
        booking_id: str,
        citizen: PersonalIdentityNumber,
        key: mapping.SlotKey,
        outcome: WriteOutcome,
    ) -> BookingResult:
        """The booking as the producer now shows it, with the write's outcome. The write is
        done: if the details cannot be read now, the booking is described from the request."""
        try:
            booking = await self.booking_details(unit, booking_id, citizen)
        except (TechnicalFault, BookingRefused):  # e.g. an agent may not read details
            booking = mapping.requested_booking(booking_id, unit, citizen, key)
        # Booked or moved by the citizen via 1177 just now, whatever the listing would say.
        booking = booking.model_copy(update={"booked_by": BookedBy.CITIZEN})
        return BookingResult(booking=booking, outcome=outcome)


def _outcome(code: ResultCode | None, text: str | None) -> WriteOutcome:
    if code is ResultCode.INFO and text:
        return WriteOutcome(kind=OutcomeKind.INFO, text=text)
    return WriteOutcome()
