"""Hand-written crm:scheduling envelopes for the riv mock tests, and readers of its answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import xmlschema
from lxml import etree

from .scenarios import MONDAY_9, OTHER_PNR12, OTHER_UNIT, PNR12, UNIT

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
CORE = "urn:riv:crm:scheduling:1"
CORE_11 = "urn:riv:crm:scheduling:1.1"
SCHEMAS = Path(__file__).resolve().parents[2] / "core" / "tidbok" / "crm" / "schemas"


def responder(operation: str) -> str:
    return f"urn:riv:crm:scheduling:{operation}Responder:1"


def header(unit: str = UNIT, actor: str = PNR12, actor_type: str = "subject_of_care") -> str:
    """soapUI's order: Actor first, then LogicalAddress."""
    return (
        "<soapenv:Header>"
        f"<ih:Actor><ih:actorId>{actor}</ih:actorId><ih:actorType>{actor_type}</ih:actorType>"
        "</ih:Actor>"
        f"<itr:LogicalAddress>{unit}</itr:LogicalAddress>"
        "</soapenv:Header>"
    )


def envelope(operation: str, body: str, head: str | None = None) -> str:
    """A request as a consumer writes it: prefixes ``urn`` (responder), ``urn1`` (core),
    ``urn2`` (core 1.1), ``urn3`` (the responder's 1.1 additions)."""
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:ih="urn:riv:interoperability:headers:1" '
        'xmlns:itr="urn:riv:itintegration:registry:1" '
        f'xmlns:urn="{responder(operation)}" xmlns:urn1="urn:riv:crm:scheduling:1" '
        'xmlns:urn2="urn:riv:crm:scheduling:1.1" '
        f'xmlns:urn3="urn:riv:crm:scheduling:{operation}Responder:1.1">'
        f"{header() if head is None else head}"
        f"<soapenv:Body><urn:{operation}>{body}</urn:{operation}></soapenv:Body>"
        "</soapenv:Envelope>"
    )


async def call(
    client: httpx.AsyncClient, operation: str, body: str, head: str | None = None
) -> httpx.Response:
    """POST the request to the operation's endpoint."""
    return await client.post(
        f"/{operation}/1/rivtabp21",
        content=envelope(operation, body, head).encode(),
        headers={
            "Content-Type": "text/xml; charset=UTF-8",
            "SOAPAction": f'"{responder(operation)}:{operation}"',
        },
    )


def payload(response: httpx.Response) -> etree._Element:
    """The element in the answer's Body."""
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    body = root.find(f"{{{SOAP}}}Body")
    assert body is not None
    return body[0]


def fault(response: httpx.Response) -> tuple[str, str]:
    """``(faultcode, faultstring)`` of a Fault answer (HTTP 500)."""
    assert response.status_code == 500, response.text
    element = payload(response)
    assert element.tag == f"{{{SOAP}}}Fault"
    return element.findtext("faultcode") or "", element.findtext("faultstring") or ""


def tags(element: etree._Element) -> list[str]:
    """The children's names as ``{namespace}local``."""
    return [str(child.tag) for child in element]


def texts(element: etree._Element) -> dict[str, str]:
    """The children's local names and texts."""
    return {etree.QName(child).localname: child.text or "" for child in element}


_SCHEMAS: dict[str, xmlschema.XMLSchema] = {}


def valid(operation: str, element: etree._Element) -> None:
    """Fail unless the answer validates against the operation's responder XSD."""
    if operation not in _SCHEMAS:
        _SCHEMAS[operation] = xmlschema.XMLSchema(str(SCHEMAS / f"{operation}Responder_1.1.xsd"))
    _SCHEMAS[operation].validate(etree.tostring(element))


def timeslot(start: str, end: str, extra: str = "", person: str = PNR12, unit: str = UNIT) -> str:
    """A ``requestedTimeslot`` in the contract's order."""
    return (
        "<urn:requestedTimeslot>"
        f"<urn1:startTimeInclusive>{start}</urn1:startTimeInclusive>"
        f"<urn1:endTimeExclusive>{end}</urn1:endTimeExclusive>"
        f"<urn1:healthcare_facility>{unit}</urn1:healthcare_facility>"
        f"{extra}"
        f"<urn1:subject_of_care>{person}</urn1:subject_of_care>"
        "</urn:requestedTimeslot>"
    )


NAMES = (
    "<urn:subject_of_care_info><urn1:phone>0701234567</urn1:phone>"
    "<urn2:firstName>Tolvan</urn2:firstName><urn2:lastName>Tolvansson</urn2:lastName>"
    "</urn:subject_of_care_info>"
)


def make_booking(start: str, end: str, extra: str = "", person: str = PNR12) -> str:
    """A MakeBooking body."""
    return (
        f"<urn:healthcare_facility_med>{UNIT}</urn:healthcare_facility_med>"
        f"{timeslot(start, end, extra, person)}{NAMES}"
    )


def riv_scenario(now: str = MONDAY_9) -> dict[str, Any]:
    """One unit with time types of each kind of 1177 access, bookings and an invitation."""

    def slot(slot_id: str, time_type: str, start: str) -> dict[str, Any]:
        return {
            "id": slot_id,
            "unit": UNIT,
            "time_type": time_type,
            "start": start,
            "performer": "Dr Anna Berg",
            "resource": "Rum 4",
        }

    return {
        "now": now,
        "units": [
            {"id": UNIT, "name": "Vårdcentralen Test"},
            {"id": OTHER_UNIT, "name": "Mottagningen Annan"},
        ],
        "time_types": [
            {
                "id": "TT-OPEN",
                "unit": UNIT,
                "name": "Provtagning",
                "duration_minutes": 15,
                "purpose": "Kom fastande.",
            },
            {"id": "TT-PLAIN", "unit": UNIT, "name": "Sjuksköterskebesök"},
            {"id": "TT-NOBOOK", "unit": UNIT, "name": "Läkarbesök", "bookable": False},
            {
                "id": "TT-FIXED",
                "unit": UNIT,
                "name": "Spirometri",
                "bookable": False,
                "changeable": False,
            },
            {
                "id": "TT-HIDDEN",
                "unit": UNIT,
                "name": "Intern tid",
                "visible": False,
                "bookable": False,
                "changeable": False,
            },
        ],
        "slots": [
            slot("S-PAST", "TT-OPEN", "2026-11-23T08:00:00+01:00"),
            slot("S-TODAY", "TT-OPEN", "2026-11-23T15:00:00+01:00"),
            slot("S-TUE-1", "TT-OPEN", "2026-11-24T10:00:00+01:00"),
            slot("S-TUE-2", "TT-OPEN", "2026-11-24T10:15:00+01:00"),
            slot("S-WED", "TT-OPEN", "2026-11-25T10:00:00+01:00"),
            slot("S-PLAIN", "TT-PLAIN", "2026-11-25T13:00:00+01:00"),
            slot("S-NOBOOK", "TT-NOBOOK", "2026-11-25T11:00:00+01:00"),
            slot("S-INTERN", "TT-HIDDEN", "2026-11-25T12:00:00+01:00"),
            slot("S-B-TUE", "TT-OPEN", "2026-11-24T09:30:00+01:00"),
            slot("S-B-FIXED", "TT-FIXED", "2026-11-26T10:00:00+01:00"),
            slot("S-B-HIDDEN", "TT-OPEN", "2026-11-26T11:00:00+01:00"),
            slot("S-B-OTHER", "TT-OPEN", "2026-11-26T12:00:00+01:00"),
            slot("S-INV-1", "TT-PLAIN", "2026-11-27T09:00:00+01:00"),
            slot("S-INV-2", "TT-PLAIN", "2026-11-27T09:30:00+01:00"),
        ],
        "bookings": [
            {"id": "B-TUE", "slot": "S-B-TUE", "person": PNR12, "reason": "Ont i halsen"},
            {"id": "B-FIXED", "slot": "S-B-FIXED", "person": PNR12},
            {"id": "B-HIDDEN", "slot": "S-B-HIDDEN", "person": PNR12, "hidden": True},
            {"id": "B-OTHER", "slot": "S-B-OTHER", "person": OTHER_PNR12},
        ],
        "invitations": [
            {
                "id": "K1",
                "unit": UNIT,
                "person": PNR12,
                "slots": ["S-INV-1", "S-INV-2"],
                "purpose": "Kallelse till årskontroll.",
            }
        ],
    }
