"""The PASiS HTTP API under ``/api/v2``."""

from __future__ import annotations

from aiohttp import web

from ..kit import ErrorKind, MockError, parse_body, query_str, require_query, unit_key
from . import views
from .model import PasisState
from .schemas import AvbokaIn, BokaIn, OmbokaIn
from .service import PasisService
from .wire import envelope, page, parse_pnr, search_window

API_BASE = "/api/v2"
PASIS_STATE = web.AppKey("pasis_state", PasisState)

routes = web.RouteTableDef()


def _service(request: web.Request) -> PasisService:
    return PasisService(request.app[PASIS_STATE])


@routes.get(API_BASE + "/enheter")
async def list_enheter(request: web.Request) -> web.Response:
    """All care units."""
    schedule = request.app[PASIS_STATE].schedule
    units = sorted(schedule.units.values(), key=lambda unit: unit.name)
    posts, counters = page(request, units)
    return web.json_response(envelope([views.enhet(unit) for unit in posts], counters))


@routes.get(API_BASE + "/enheter/{hsaId}")
async def get_enhet(request: web.Request) -> web.Response:
    """One care unit."""
    unit = _service(request).unit(request.match_info["hsaId"])
    return web.json_response(views.enhet(unit))


@routes.get(API_BASE + "/enheter/{hsaId}/tidstyper")
async def list_tidstyper(request: web.Request) -> web.Response:
    """A unit's time types."""
    service = _service(request)
    unit = service.unit(request.match_info["hsaId"])
    posts, counters = page(request, service.schedule.time_types_of(unit.id))
    return web.json_response(envelope([views.tidstyp(t) for t in posts], counters))


@routes.get(API_BASE + "/enheter/{hsaId}/lediga-tider")
async def lediga_tider(request: web.Request) -> web.Response:
    """Free slots (all 1177 levels, each with ``niva1177``), invitation slots excluded."""
    service = _service(request)
    state = service.state
    unit = service.unit(request.match_info["hsaId"])
    start, end = search_window(request, state.clock.today())
    tidstyp = query_str(request, "tidstyp")
    if tidstyp is not None:
        known = {t.id for t in service.schedule.time_types_of(unit.id)}
        if tidstyp not in known:
            raise MockError(ErrorKind.NOT_FOUND, f"Tidstypen {tidstyp} finns inte på enheten.")
    now = state.clock.now()
    slots = [
        slot
        for slot in service.schedule.free_slots(unit.id, max(start, now), end, tidstyp)
        if slot.invitation_id is None
    ]
    posts, counters = page(request, slots)
    return web.json_response(envelope([views.tid(service.schedule, s) for s in posts], counters))


@routes.get(API_BASE + "/lediga-tider/{tidId}")
async def ledig_tid(request: web.Request) -> web.Response:
    """One free slot by id: 404 unknown, 409 booked, 422 reserved by an invitation."""
    service = _service(request)
    slot = service.schedule.slots.get(request.match_info["tidId"])
    if slot is None:
        raise MockError(ErrorKind.NOT_FOUND, "Tiden finns inte.")
    if not slot.free:
        raise MockError(ErrorKind.SLOT_TAKEN, "Tiden är redan bokad.")
    if slot.invitation_id is not None:
        raise MockError(ErrorKind.NOT_BOOKABLE, "Tiden är reserverad för en kallelse.")
    return web.json_response(views.tid(service.schedule, slot))


@routes.post(API_BASE + "/enheter/{hsaId}/bokningar")
async def boka(request: web.Request) -> web.Response:
    """Book a slot for a citizen (201 with the booking)."""
    body = await parse_body(request, BokaIn)
    person = parse_pnr(body.personnummer)
    service = _service(request)
    booking = await service.boka(request.match_info["hsaId"], body.tidId, person, body.orsak)
    return web.json_response(views.bokning(service.schedule, booking), status=201)


@routes.get(API_BASE + "/enheter/{hsaId}/bokningar")
async def list_bokningar(request: web.Request) -> web.Response:
    """A citizen's active bookings at a unit, staff-made and hidden ones included."""
    person = parse_pnr(require_query(request, "personnummer"))
    service = _service(request)
    unit = service.unit(request.match_info["hsaId"])
    bookings = service.schedule.bookings_of(person=person, unit_id=unit.id)
    posts, counters = page(request, bookings)
    return web.json_response(
        envelope([views.bokning(service.schedule, b) for b in posts], counters)
    )


@routes.get(API_BASE + "/bokningar")
async def sok_bokningar(request: web.Request) -> web.Response:
    """A citizen's active bookings at the units named by repeated ``hsaId`` (none: every unit)."""
    person = parse_pnr(require_query(request, "personnummer"))
    service = _service(request)
    wanted = {unit_key(hsa_id) for hsa_id in request.query.getall("hsaId", [])}
    bookings = [
        booking
        for booking in service.schedule.bookings_of(person=person)
        if not wanted or unit_key(booking.unit_id) in wanted
    ]
    posts, counters = page(request, bookings)
    return web.json_response(
        envelope([views.bokning(service.schedule, b) for b in posts], counters)
    )


@routes.get(API_BASE + "/bokningar/{bokningsId}")
async def get_bokning(request: web.Request) -> web.Response:
    """One booking, active or cancelled."""
    service = _service(request)
    booking = service.booking(request.match_info["bokningsId"])
    return web.json_response(views.bokning(service.schedule, booking))


@routes.post(API_BASE + "/bokningar/{bokningsId}/omboka")
async def omboka(request: web.Request) -> web.Response:
    """Move a booking to another slot in one step."""
    body = await parse_body(request, OmbokaIn)
    person = parse_pnr(body.personnummer)
    service = _service(request)
    booking = await service.omboka(request.match_info["bokningsId"], body.nyTidId, person)
    return web.json_response(views.bokning(service.schedule, booking))


@routes.post(API_BASE + "/bokningar/{bokningsId}/avboka")
async def avboka(request: web.Request) -> web.Response:
    """Cancel a booking, optionally with a message to the unit."""
    body = await parse_body(request, AvbokaIn)
    person = parse_pnr(body.personnummer)
    service = _service(request)
    booking = await service.avboka(request.match_info["bokningsId"], person, body.meddelande)
    return web.json_response(views.bokning(service.schedule, booking))


@routes.get(API_BASE + "/enheter/{hsaId}/kallelser")
async def list_kallelser(request: web.Request) -> web.Response:
    """A citizen's open invitations at a unit."""
    person = parse_pnr(require_query(request, "personnummer"))
    service = _service(request)
    invitations = await service.open_invitations(request.match_info["hsaId"], person)
    posts, counters = page(request, invitations)
    return web.json_response(
        envelope([views.kallelse(service.schedule, k) for k in posts], counters)
    )


@routes.get(API_BASE + "/kallelser/{kallelseId}")
async def get_kallelse(request: web.Request) -> web.Response:
    """One invitation, open or booked."""
    service = _service(request)
    invitation = service.invitation(request.match_info["kallelseId"])
    return web.json_response(views.kallelse(service.schedule, invitation))


@routes.post(API_BASE + "/kallelser/{kallelseId}/bokning")
async def boka_kallelse(request: web.Request) -> web.Response:
    """Book one slot of an open invitation (201 with the booking)."""
    body = await parse_body(request, BokaIn)
    person = parse_pnr(body.personnummer)
    service = _service(request)
    booking = await service.boka_kallelse(
        request.match_info["kallelseId"], body.tidId, person, body.orsak
    )
    return web.json_response(views.bokning(service.schedule, booking), status=201)
