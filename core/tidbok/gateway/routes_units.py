"""API v1 on units: the active units, a unit's time types, the slots the citizen may book, and
the unit's overview (R14)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from tidbok.citizen_input import period_end
from tidbok.errors import NotFound
from tidbok.gateway.ids import decode_id
from tidbok.gateway.requests import parse_query
from tidbok.gateway.routes_common import (
    READ_ERRORS,
    RouteSpec,
    gateway_state,
    json_response,
    unit_param,
)
from tidbok.gateway.schemas import (
    EmptyQuery,
    SlotListOut,
    SlotsQuery,
    TimeTypeListOut,
    TimeTypeOut,
    UnitListOut,
    UnitOut,
)
from tidbok.gateway.schemas_overview import UnitOverviewOut
from tidbok.gateway.slot_json import slot_list_response

#: Default length of a slot search without ``to``.
DEFAULT_SEARCH = timedelta(days=14)


async def list_units(request: web.Request) -> web.Response:
    """Units where 1177 tidbokning is active, with their activated case types."""
    state = gateway_state(request)
    state.caller(request)
    parse_query(request, EmptyQuery)
    units = state.service.units()
    return json_response(UnitListOut(units=[UnitOut.of(unit) for unit in units]))


async def list_time_types(request: web.Request) -> web.Response:
    """The unit's time types that are visible on 1177."""
    state = gateway_state(request)
    caller = state.caller(request)
    parse_query(request, EmptyQuery)
    unit = unit_param(request)
    time_types = await state.observe(
        state.system_of(unit), "time_types", state.service.time_types(unit, caller)
    )
    return json_response(TimeTypeListOut(time_types=[TimeTypeOut.of(t) for t in time_types]))


async def list_slots(request: web.Request) -> web.Response:
    """Slots the citizen may book now; with ``rebook``, slots to move that booking to."""
    state = gateway_state(request)
    caller = state.caller(request)
    query = parse_query(request, SlotsQuery)
    unit = unit_param(request)
    start = query.from_ or state.service.clock.now()
    end = query.to or period_end(start, DEFAULT_SEARCH)
    rebook: str | None = None
    if query.rebook is not None:
        qualified = decode_id(query.rebook)
        if qualified.unit != unit:
            raise NotFound("the booking to rebook is not at this unit")
        rebook = qualified.backend_id
    slots = await state.observe(
        state.system_of(unit),
        "available_slots",
        state.service.available_slots(caller, unit, start, end, query.time_type, rebook),
    )
    return slot_list_response(slots)  # SlotListOut's JSON, serialised once


async def unit_overview(request: web.Request) -> web.Response:
    """The unit's overview (R14), for the unit and integration teams: every time type, visible on
    1177 or not, with the access the scheduling system grants it (`access`) and what 1177 does
    with it at this unit given its activated case types (`on_1177`); and, per time type, the free
    slots of the next four weeks whose access differs from the type's (PASiS sets a level per
    slot), counted per access. Nothing whose `on_1177.visible` is false is shown to citizens.
    Needs the same bearer token as every /v1 route; it carries no citizen data."""
    state = gateway_state(request)
    state.caller(request)
    parse_query(request, EmptyQuery)
    unit = unit_param(request)
    overview = await state.observe(state.system_of(unit), "overview", state.service.overview(unit))
    return json_response(UnitOverviewOut.of(overview))


#: The routes of the units resource.
UNIT_ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec(
        "GET",
        "/v1/units",
        list_units,
        "listUnits",
        "Units where 1177 tidbokning is active",
        "units",
        response=UnitListOut,
        errors=(400, 401),
    ),
    RouteSpec(
        "GET",
        "/v1/units/{hsa_id}/time-types",
        list_time_types,
        "listTimeTypes",
        "The unit's time types visible on 1177",
        "units",
        response=TimeTypeListOut,
        errors=READ_ERRORS,
    ),
    RouteSpec(
        "GET",
        "/v1/units/{hsa_id}/slots",
        list_slots,
        "listSlots",
        "Slots the citizen may book now (or move a booking to)",
        "units",
        response=SlotListOut,
        query=SlotsQuery,
        errors=READ_ERRORS,
    ),
    RouteSpec(
        "GET",
        "/v1/units/{hsa_id}/overview",
        unit_overview,
        "getUnitOverview",
        "The unit's time types and what 1177 does with each (R14)",
        "units",
        response=UnitOverviewOut,
        errors=(400, 401, 404, 502, 503, 504),
    ),
)
