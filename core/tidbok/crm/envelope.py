"""SOAP 1.1 envelopes of crm:scheduling: the two headers, the body, faults (fact sheet §2, §6).

Reading is liberal (any prefixes, headers in either order, unknown headers and ``xs:any``
content ignored) and safe (no DTDs, no entities, no network). Writing declares every namespace
once on the envelope with fixed prefixes, so answers are compact and the same every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from lxml import etree

from tidbok.crm.messages import MESSAGES
from tidbok.crm.namespaces import (
    CORE,
    CORE_11,
    EXTENDED_OPERATIONS,
    HEADERS,
    OPERATIONS,
    REGISTRY,
    SOAP_ENV,
    Operation,
)
from tidbok.crm.types import Actor
from tidbok.crm.xml import Prefixes, Unwritable, WireError, XmlType, write_text

#: The largest request read: the biggest legitimate one (MakeBooking) is a few kilobytes.
MAX_REQUEST_BYTES = 64 * 1024
#: The largest response read (a consumer's GetAvailableTimeslots may list thousands of slots).
MAX_RESPONSE_BYTES = 16 * 1024 * 1024

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)

_REQUESTS: dict[str, Operation] = {
    f"{{{operation.responder}}}{operation.request_element}": operation
    for operation in OPERATIONS.values()
}
_RESPONSES: dict[str, Operation] = {
    f"{{{operation.responder}}}{operation.response_element}": operation
    for operation in OPERATIONS.values()
}

_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_HEADER = f"{{{SOAP_ENV}}}Header"
_BODY = f"{{{SOAP_ENV}}}Body"
_FAULT = f"{{{SOAP_ENV}}}Fault"
_LOGICAL_ADDRESS = f"{{{REGISTRY}}}LogicalAddress"
_ACTOR = f"{{{HEADERS}}}Actor"

FaultCode = Literal["Client", "Server"]


@dataclass(frozen=True)
class SoapRequest:
    """A request read from the wire: the operation, its two headers and its typed body."""

    operation: Operation
    logical_address: str | None
    actor: Actor | None
    body: XmlType


class SoapFault(Exception):
    """A SOAP 1.1 Fault, received or to be sent: ``Client`` (the caller's fault) or ``Server``."""

    def __init__(self, code: FaultCode, text: str) -> None:
        self.code: FaultCode = code
        self.text = text
        super().__init__(f"soap:{code}: {text}")


def _envelope(body: bytes, limit: int) -> etree._Element:
    if len(body) > limit:
        raise WireError("the envelope is too large")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        raise WireError("the body is not well-formed XML") from None
    if root.tag != _ENVELOPE:
        raise WireError("not a SOAP 1.1 Envelope")
    return root


def _body_element(root: etree._Element) -> etree._Element:
    body = root.find(_BODY)
    if body is None:
        raise WireError("the envelope has no Body")
    for element in body:
        if isinstance(element.tag, str):
            return element
    raise WireError("the Body is empty")


def read_request(body: bytes) -> SoapRequest:
    """The request in an envelope; :class:`WireError` when it breaks the contract."""
    root = _envelope(body, MAX_REQUEST_BYTES)
    element = _body_element(root)
    operation = _REQUESTS.get(element.tag) if isinstance(element.tag, str) else None
    if operation is None:
        raise WireError("the Body holds no crm:scheduling 1.1 request")
    logical_address: str | None = None
    actor: Actor | None = None
    header = root.find(_HEADER)
    if header is not None:
        for node in header:
            if node.tag == _LOGICAL_ADDRESS:
                logical_address = (node.text or "").strip() or None
            elif node.tag == _ACTOR:
                actor = Actor.read(node)
    message = MESSAGES[operation.name].request.read(element)
    return SoapRequest(operation, logical_address, actor, message)


def read_response(operation: Operation, body: bytes) -> XmlType:
    """The typed response of ``operation``; a Fault in the body raises :class:`SoapFault`."""
    element = _body_element(_envelope(body, MAX_RESPONSE_BYTES))
    if element.tag == _FAULT:
        code = (element.findtext("faultcode") or "").strip()
        text = (element.findtext("faultstring") or "").strip()
        raise SoapFault("Client" if code.endswith("Client") else "Server", text)
    if _RESPONSES.get(element.tag if isinstance(element.tag, str) else "") != operation:
        raise WireError(f"the Body holds no {operation.response_element}")
    return MESSAGES[operation.name].response.read(element)


def _namespaces(operation: Operation | None, request: bool = False) -> dict[str, str]:
    nsmap: dict[str, str] = {"soapenv": SOAP_ENV}
    if request:
        nsmap.update({"itr": REGISTRY, "ih": HEADERS})
    if operation is not None:
        nsmap.update({"r": operation.responder, "c": CORE, "c11": CORE_11})
        if operation.name in EXTENDED_OPERATIONS:
            nsmap["r11"] = operation.responder_11
    return nsmap


def _new_envelope(operation: Operation | None, request: bool = False) -> etree._Element:
    return etree.Element(_ENVELOPE, nsmap=_namespaces(operation, request))


def write_response(operation: Operation, message: XmlType) -> bytes:
    """The envelope answering ``operation`` with ``message`` (the contract has no reply headers).

    Written as text (:func:`tidbok.crm.xml.write_text`): the same bytes as
    :func:`write_response_tree` at a third of the cost; that one writes what the text writer
    cannot (and raises its errors).
    """
    head, tail, prefixes, name = _answer_frame(operation)
    try:
        answer = write_text(message, name, prefixes)
    except Unwritable:
        return write_response_tree(operation, message)
    return (head + answer + tail).encode()


def write_response_tree(operation: Operation, message: XmlType) -> bytes:
    """:func:`write_response` by the generic writer: an lxml tree, serialised by libxml2."""
    root = _new_envelope(operation)
    body = etree.SubElement(root, _BODY)
    message.write(body, f"{{{operation.responder}}}{operation.response_element}")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


_MARK = "TIDBOK-ANSWER"


@cache
def _answer_frame(operation: Operation) -> tuple[str, str, Prefixes, str]:
    """The text around ``operation``'s answer element, as libxml2 writes it, its envelope's
    prefixes and the answer element's ``prefix:name``."""
    root = _new_envelope(operation)
    etree.SubElement(root, _BODY).text = _MARK
    text = etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()
    head, tail = text.split(_MARK)
    nsmap = _namespaces(operation)
    prefixes = tuple(nsmap.items())
    by_namespace = {namespace: prefix for prefix, namespace in prefixes}
    return head, tail, prefixes, f"{by_namespace[operation.responder]}:{operation.response_element}"


def write_request(
    operation: Operation, logical_address: str, actor: Actor, message: XmlType
) -> bytes:
    """The envelope calling ``operation`` at ``logical_address`` as ``actor``."""
    root = _new_envelope(operation, request=True)
    header = etree.SubElement(root, _HEADER)
    etree.SubElement(header, _LOGICAL_ADDRESS).text = logical_address
    actor.write(header, _ACTOR)
    body = etree.SubElement(root, _BODY)
    message.write(body, f"{{{operation.responder}}}{operation.request_element}")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def write_fault(fault: SoapFault) -> bytes:
    """A SOAP 1.1 Fault envelope; ``faultstring`` is ``fault.text`` and nothing else."""
    root = _new_envelope(None)
    body = etree.SubElement(root, _BODY)
    element = etree.SubElement(body, _FAULT)
    etree.SubElement(element, "faultcode").text = f"soapenv:{fault.code}"
    etree.SubElement(element, "faultstring").text = fault.text
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
