"""A small SOAP 1.1 layer over lxml: read requests liberally and safely, write answers exactly.

Reading finds elements by qualified name, so prefixes, the order of the two headers and unknown
elements (the contract's ``xs:any``) do not matter. The parser loads no DTD, expands no entity and
never touches the network. Writing appends elements in the order the caller gives (the contract's)
and skips absent or empty values, so an answer never holds an empty element.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime

from lxml import etree

from ..kit import STOCKHOLM
from .names import CRM, CRM11, SOAP11, qname, responder, responder_ext

#: Requests larger than this are refused; the largest real one (MakeBooking) is a few kilobytes.
MAX_ENVELOPE_BYTES = 64 * 1024

#: No DTD, no entity expansion, no network, no huge trees; comments and PIs dropped.
_SAFE_PARSER = etree.XMLParser(
    load_dtd=False, resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
)

#: The personnummer/samordningsnummer pattern (12 characters, no hyphen; fact sheet §3).
SUBJECT_OF_CARE = re.compile(r"\d{8}[\dpPtTfF]\d{3}", re.ASCII)
_TIMESTAMP = re.compile(r"\d{14}", re.ASCII)
_DATE = re.compile(r"\d{8}", re.ASCII)

Value = str | bool | None
"""What an element may carry: text, a boolean, or nothing (then it is not written)."""


class SoapFault(Exception):
    """A SOAP 1.1 Fault to answer: ``Client`` (the caller's mistake) or ``Server``."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


def client_fault(text: str) -> SoapFault:
    """A ``soap:Client`` fault."""
    return SoapFault("Client", text)


class Node:
    """An element of a request, read by qualified name."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element

    def _find_all(self, namespace: str, local: str) -> list[etree._Element]:
        return list(self.element.iterchildren(qname(namespace, local)))

    def text(self, namespace: str, local: str, *, required: bool = False) -> str | None:
        """The stripped text of the one child ``local``; empty counts as absent."""
        found = self._find_all(namespace, local)
        if len(found) > 1:
            raise client_fault(f"{local} may occur only once")
        value = (found[0].text or "").strip() if found else ""
        if not value and required:
            raise client_fault(f"{local} is missing")
        return value or None

    def need(self, namespace: str, local: str) -> str:
        """The text of a mandatory child."""
        value = self.text(namespace, local, required=True)
        assert value is not None
        return value

    def texts(self, namespace: str, local: str) -> list[str]:
        """The non-empty texts of every child ``local``."""
        values = [(found.text or "").strip() for found in self._find_all(namespace, local)]
        return [value for value in values if value]

    def child(self, namespace: str, local: str) -> Node | None:
        """The one child element ``local``, if any."""
        found = self._find_all(namespace, local)
        if len(found) > 1:
            raise client_fault(f"{local} may occur only once")
        return Node(found[0]) if found else None

    def subject_of_care(self, namespace: str, *, required: bool = True) -> str | None:
        """A ``subject_of_care`` child, checked against the contract's pattern."""
        value = self.text(namespace, "subject_of_care", required=required)
        if value is not None and SUBJECT_OF_CARE.fullmatch(value) is None:
            raise client_fault("subject_of_care is not a SubjectOfCareIdType")
        return value


def parse(raw: bytes) -> tuple[Node | None, Node]:
    """The ``Header`` (if any) and the request element in the ``Body`` of a SOAP 1.1 envelope."""
    if len(raw) > MAX_ENVELOPE_BYTES:
        raise client_fault("the envelope is too large")
    try:
        root = etree.fromstring(raw, _SAFE_PARSER)
    except etree.XMLSyntaxError:
        raise client_fault("the request is not well-formed XML") from None
    if root.tag != qname(SOAP11, "Envelope"):
        raise client_fault("the request is not a SOAP 1.1 Envelope")
    header = root.find(qname(SOAP11, "Header"))
    body = root.find(qname(SOAP11, "Body"))
    payload = [] if body is None else [e for e in body if isinstance(e.tag, str)]
    if not payload:
        raise client_fault("the Body holds no request")
    return (Node(header) if header is not None else None), Node(payload[0])


# -- values on the wire ------------------------------------------------------------------------


def timestamp(moment: datetime) -> str:
    """``YYYYMMDDhhmmss`` in Swedish local time."""
    return moment.astimezone(STOCKHOLM).strftime("%Y%m%d%H%M%S")


def day_text(day: date) -> str:
    """``YYYYMMDD``."""
    return day.strftime("%Y%m%d")


def read_timestamp(node: Node, namespace: str, local: str) -> str:
    """A mandatory 14-digit timestamp child, as its text (slots are matched by local text)."""
    value = node.need(namespace, local)
    if _TIMESTAMP.fullmatch(value) is None:
        raise client_fault(f"{local} must be 14 digits YYYYMMDDhhmmss")
    return value


def read_date(node: Node, namespace: str, local: str) -> date:
    """A mandatory 8-digit date child."""
    value = node.need(namespace, local)
    try:
        if _DATE.fullmatch(value) is None:
            raise ValueError(value)
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise client_fault(f"{local} must be a date YYYYMMDD") from None


# -- writing -----------------------------------------------------------------------------------


def put(parent: etree._Element, namespace: str, local: str, value: Value) -> None:
    """Append ``<local>value</local>`` unless the value is absent or empty."""
    if value is None or value == "":
        return
    text = ("true" if value else "false") if isinstance(value, bool) else value
    etree.SubElement(parent, qname(namespace, local)).text = text


def put_all(
    parent: etree._Element, order: Iterable[tuple[str, str]], values: dict[str, Value]
) -> None:
    """Append ``values`` in ``order`` (pairs of local name and namespace)."""
    for local, namespace in order:
        put(parent, namespace, local, values.get(local))


def sub(parent: etree._Element, namespace: str, local: str) -> etree._Element:
    """Append an empty complex element to fill."""
    return etree.SubElement(parent, qname(namespace, local))


_TIMESLOT_CORE = (
    "startTimeInclusive endTimeExclusive healthcare_facility performer bookingId subject_of_care "
    "purpose reason resourceName healthcare_facility_name performerName resourceID timeTypeName "
    "timeTypeID careTypeName careTypeID cancel_booking_allowed rebooking_allowed message_allowed"
)
TIMESLOT_ORDER: tuple[tuple[str, str], ...] = (
    *((local, CRM) for local in _TIMESLOT_CORE.split()),
    ("isInvitation", CRM11),
)
"""The children of TimeslotType in the contract's order, with their namespaces."""


def _envelope(nsmap: dict[str, str]) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(qname(SOAP11, "Envelope"), nsmap={"soap": SOAP11, **nsmap})
    return root, etree.SubElement(root, qname(SOAP11, "Body"))


def _serialize(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def answer(operation: str, fill: Callable[[etree._Element], None]) -> bytes:
    """The envelope of ``{operation}Response``; ``fill`` appends its children."""
    nsmap = {"r": responder(operation), "r11": responder_ext(operation), "c": CRM, "c11": CRM11}
    root, body = _envelope(nsmap)
    fill(sub(body, responder(operation), operation + "Response"))
    return _serialize(root)


def fault_envelope(fault: SoapFault) -> bytes:
    """A SOAP 1.1 Fault envelope with ``faultcode`` ``soap:<code>`` and the fault's text."""
    root, body = _envelope({})
    element = sub(body, SOAP11, "Fault")
    etree.SubElement(element, "faultcode").text = f"soap:{fault.code}"
    etree.SubElement(element, "faultstring").text = fault.text
    return _serialize(root)
