"""The crm:scheduling 1.1 producer: one SOAP endpoint per operation (docs/riv.md).

``POST {prefix}/{Operation}/1/rivtabp21`` takes a SOAP 1.1 envelope; ``GET`` the same path with
``?wsdl`` answers the operation's WSDL, and ``?xsd=NAME`` the schemas it imports. Each call:

1. identifies the consumer from its client certificate (:mod:`tidbok.gateway.riv_consumers`);
2. reads the envelope (:mod:`tidbok.crm.envelope`): the ``LogicalAddress`` header selects the
   unit, the ``Actor`` header the caller (:mod:`tidbok.gateway.riv_actor`);
3. runs the operation through the BookingService (:mod:`tidbok.gateway.riv_reads`,
   :mod:`tidbok.gateway.riv_writes`);
4. answers the typed response, or a SOAP Fault: ``Client`` for a request that breaks the
   contract or a refused reading, ``Server`` for a technical fault (never with internals).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tidbok.crm.envelope import SoapFault, read_request, write_fault, write_response
from tidbok.crm.namespaces import OPERATIONS, Operation
from tidbok.crm.wsdl import schema_document, wsdl_document
from tidbok.crm.xml import WireError, XmlType
from tidbok.errors import BookingRefused, TechnicalFault, TidbokError
from tidbok.gateway.riv_actor import caller_of, unit_of
from tidbok.gateway.riv_consumers import ConsumerRefused, consumer_identity
from tidbok.gateway.riv_reads import (
    RivCall,
    get_all_care_types,
    get_all_healthcare_facilities,
    get_all_performers,
    get_all_time_types,
    get_available_dates,
    get_available_timeslots,
    get_booking_details,
    get_subject_of_care_schedule,
)
from tidbok.gateway.riv_writes import cancel_booking, make_booking, update_booking
from tidbok.gateway.state import STATE_KEY
from tidbok.logsafe import redact
from tidbok.settings import RivSettings

log = logging.getLogger("tidbok.gateway.riv")

Handler = Callable[[RivCall, Any], Awaitable[XmlType]]

#: The service behind each operation.
HANDLERS: dict[str, Handler] = {
    "GetSubjectOfCareSchedule": get_subject_of_care_schedule,
    "GetBookingDetails": get_booking_details,
    "GetAllTimeTypes": get_all_time_types,
    "GetAllCareTypes": get_all_care_types,
    "GetAllHealthcareFacilities": get_all_healthcare_facilities,
    "GetAllPerformers": get_all_performers,
    "GetAvailableDates": get_available_dates,
    "GetAvailableTimeslots": get_available_timeslots,
    "MakeBooking": make_booking,
    "UpdateBooking": update_booking,
    "CancelBooking": cancel_booking,
}

_XML = "text/xml"


def endpoint_path(settings: RivSettings, operation: str) -> str:
    """The path of ``operation``'s endpoint: ``{path_prefix}/{operation}/1/rivtabp21``."""
    return f"{settings.path_prefix}/{operation}/1/rivtabp21"


def riv_routes(settings: RivSettings) -> list[web.RouteDef]:
    """The producer's routes: POST (the operation) and GET (``?wsdl``, ``?xsd=``) per operation."""
    routes: list[web.RouteDef] = []
    for operation in OPERATIONS.values():
        path = endpoint_path(settings, operation.name)
        name = f"riv.{operation.name}"
        routes.append(web.post(path, _operation_handler(operation), name=name))
        routes.append(web.get(path, _document_handler(operation), name=f"{name}.wsdl"))
    return routes


def _operation_handler(operation: Operation) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        try:
            answer = await _serve(request, operation)
        except SoapFault as fault:
            return _fault_response(fault)
        return web.Response(body=answer, content_type=_XML, charset="utf-8")

    handle.__doc__ = f"The crm:scheduling {operation.name} endpoint."
    return handle


def _document_handler(operation: Operation) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def documents(request: web.Request) -> web.Response:
        endpoint = str(request.url.with_query(None))
        try:
            if "wsdl" in request.query:
                body = wsdl_document(operation.name, endpoint)
            elif "xsd" in request.query:
                body = schema_document(request.query["xsd"], endpoint)
            else:
                raise KeyError(operation.name)
        except KeyError:
            return web.Response(
                status=404,
                text=f"GET {request.path}?wsdl for the WSDL of {operation.name}\n",
                content_type="text/plain",
            )
        return web.Response(body=body, content_type=_XML, charset="utf-8")

    documents.__doc__ = f"The WSDL and schemas of {operation.name}."
    return documents


async def _serve(request: web.Request, operation: Operation) -> bytes:
    state = request.app[STATE_KEY]
    settings = state.service.settings.riv
    try:
        consumer = consumer_identity(request, settings)
    except ConsumerRefused as refused:
        raise SoapFault("Client", f"consumer refused: {refused.reason}") from None
    _check_action(request, operation)
    try:
        soap = read_request(await request.read())
    except WireError as error:
        raise SoapFault("Client", f"invalid request: {error}") from None
    if soap.operation != operation:
        raise SoapFault("Client", f"this endpoint serves {operation.name} only")
    unit = unit_of(state.service, operation, soap.logical_address)
    caller = caller_of(soap)
    call = RivCall(state.service, unit, caller)
    log.debug("consumer=%s operation=%s unit=%s", consumer, operation.name, unit.hsa_id)
    try:
        message = await state.observe(
            unit.system, f"riv.{operation.name}", HANDLERS[operation.name](call, soap.body)
        )
        return write_response(operation, message)
    except SoapFault:
        raise
    except WireError as error:
        raise SoapFault("Client", f"invalid request: {error}") from None
    except BookingRefused as refusal:
        raise SoapFault("Client", f"{refusal.code}: {refusal.citizen_text}") from None
    except TidbokError as error:
        if isinstance(error, TechnicalFault):
            detail = redact(error.detail)
            log.warning("operation=%s technical fault %s: %s", operation.name, error.code, detail)
        raise SoapFault("Server", f"{error.code}: {error.citizen_text}") from None
    except Exception:
        log.exception("operation=%s failed unexpectedly", operation.name)
        raise SoapFault("Server", "internal_error: Något gick fel. Försök igen senare.") from None


def _check_action(request: web.Request, operation: Operation) -> None:
    action = request.headers.get("SOAPAction", "").strip().strip('"')
    if action and action != operation.soap_action:
        raise SoapFault("Client", f"SOAPAction must be {operation.soap_action}")


def _fault_response(fault: SoapFault) -> web.Response:
    return web.Response(status=500, body=write_fault(fault), content_type=_XML, charset="utf-8")
