"""The PMO HTTP API under ``/api/v1``."""

from __future__ import annotations

from aiohttp import web

from ..kit import ErrorKind, MockError, parse_body, query_str, require_query, unit_key
from . import views
from .oauth import PMO_STATE
from .schemas import AppointmentSearchIn, CancelIn, CreateAppointmentIn, RescheduleIn
from .service import PmoService
from .wire import cursor_page, cursor_slice, envelope, parse_patient_id, search_range

API_BASE = "/api/v1"

routes = web.RouteTableDef()


def _service(request: web.Request) -> PmoService:
    return PmoService(request.app[PMO_STATE])


@routes.get(API_BASE + "/facilities")
async def list_facilities(request: web.Request) -> web.Response:
    """All facilities."""
    schedule = request.app[PMO_STATE].schedule
    units = sorted(schedule.units.values(), key=lambda unit: unit.name)
    items, following = cursor_page(request, units)
    return web.json_response(envelope([views.facility(unit) for unit in items], following))


@routes.get(API_BASE + "/facilities/{facilityId}")
async def get_facility(request: web.Request) -> web.Response:
    """One facility."""
    unit = _service(request).facility(request.match_info["facilityId"])
    return web.json_response(views.facility(unit))


@routes.get(API_BASE + "/facilities/{facilityId}/booking-types")
async def list_booking_types(request: web.Request) -> web.Response:
    """A facility's booking types with their e-service flags."""
    service = _service(request)
    unit = service.facility(request.match_info["facilityId"])
    items, following = cursor_page(request, service.schedule.time_types_of(unit.id))
    return web.json_response(envelope([views.booking_type(kind) for kind in items], following))


@routes.get(API_BASE + "/facilities/{facilityId}/slots")
async def list_slots(request: web.Request) -> web.Response:
    """Free slots starting in ``[start, end)`` (all booking types unless ``bookingTypeId``)."""
    service = _service(request)
    unit = service.facility(request.match_info["facilityId"])
    start, end = search_range(require_query(request, "start"), require_query(request, "end"))
    kind = query_str(request, "bookingTypeId")
    if kind is not None and kind not in {t.id for t in service.schedule.time_types_of(unit.id)}:
        raise MockError(ErrorKind.NOT_FOUND, f"Booking type {kind} not found at this facility")
    slots = service.schedule.free_slots(unit.id, start, end, kind)
    items, following = cursor_page(request, slots)
    return web.json_response(envelope([views.slot(item) for item in items], following))


@routes.get(API_BASE + "/slots/{slotId}")
async def get_slot(request: web.Request) -> web.Response:
    """One slot by id, free or not (``status`` tells which)."""
    slot = _service(request).slot(request.match_info["slotId"])
    return web.json_response(views.slot(slot))


@routes.post(API_BASE + "/appointments")
async def create_appointment(request: web.Request) -> web.Response:
    """Book a slot for a patient (201 with the appointment and a Location header)."""
    body = await parse_body(request, CreateAppointmentIn)
    patient = parse_patient_id(body.patientId)
    service = _service(request)
    booking = await service.book(body.slotId, patient, body.note)
    return web.json_response(
        views.appointment(service.schedule, booking),
        status=201,
        headers={"Location": f"{API_BASE}/appointments/{booking.id}"},
    )


@routes.get(API_BASE + "/appointments")
async def list_appointments(request: web.Request) -> web.Response:
    """A patient's booked appointments (all facilities, or one), staff-made and hidden included."""
    patient = parse_patient_id(require_query(request, "patientId"))
    service = _service(request)
    facility_id = query_str(request, "facilityId")
    unit_id = service.facility(facility_id).id if facility_id is not None else None
    bookings = service.schedule.bookings_of(person=patient, unit_id=unit_id)
    items, following = cursor_page(request, bookings)
    return web.json_response(
        envelope([views.appointment(service.schedule, b) for b in items], following)
    )


@routes.post(API_BASE + "/appointments/search")
async def search_appointments(request: web.Request) -> web.Response:
    """A patient's booked appointments at the facilities asked (all if none), one page of them,
    each with its booking type embedded; staff-made and hidden included."""
    body = await parse_body(request, AppointmentSearchIn)
    patient = parse_patient_id(body.patientId)
    service = _service(request)
    wanted = None if body.facilityIds is None else {unit_key(f) for f in body.facilityIds}
    bookings = [
        booking
        for booking in service.schedule.bookings_of(person=patient)
        if wanted is None or unit_key(booking.unit_id) in wanted
    ]
    items, following = cursor_slice(bookings, body.cursor, body.pageSize)
    return web.json_response(
        envelope([views.searched_appointment(service.schedule, b) for b in items], following)
    )


@routes.get(API_BASE + "/appointments/{appointmentId}")
async def get_appointment(request: web.Request) -> web.Response:
    """One appointment, booked or cancelled."""
    service = _service(request)
    booking = service.appointment(request.match_info["appointmentId"])
    return web.json_response(views.appointment(service.schedule, booking))


@routes.post(API_BASE + "/appointments/{appointmentId}/reschedule")
async def reschedule(request: web.Request) -> web.Response:
    """Move an appointment to another slot in one step."""
    body = await parse_body(request, RescheduleIn)
    service = _service(request)
    booking = await service.reschedule(request.match_info["appointmentId"], body.slotId)
    return web.json_response(views.appointment(service.schedule, booking))


@routes.post(API_BASE + "/appointments/{appointmentId}/cancel")
async def cancel(request: web.Request) -> web.Response:
    """Cancel an appointment; an optional ``reason`` goes to the facility."""
    body = await parse_body(request, CancelIn, optional=True)
    service = _service(request)
    booking = await service.cancel(request.match_info["appointmentId"], body.reason)
    return web.json_response(views.appointment(service.schedule, booking))
