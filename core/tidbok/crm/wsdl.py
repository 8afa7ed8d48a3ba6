"""The WSDLs and XML Schemas of crm:scheduling 1.1 as the SOAP producer serves them.

The files in ``schemas/`` were written by tidbok from the fact sheet (``shared/crm-scheduling.md``);
they refer to each other by bare file names. Served over HTTP, every ``schemaLocation`` becomes
``{endpoint_url}?xsd={name}`` and the WSDL's ``soap:address`` becomes the endpoint itself, so a
consumer (soapUI, zeep, CXF) can load the whole set from the producer's one URL.

Only names from the folder listing are ever read: a requested name is looked up, never joined to
a path.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from tidbok.crm.namespaces import OPERATIONS

SCHEMA_DIR: Path = Path(__file__).resolve().parent / "schemas"
"""The folder holding the XSDs and the 11 WSDLs (shipped as package data)."""

_XS = "http://www.w3.org/2001/XMLSchema"
_SOAP11_WSDL = "http://schemas.xmlsoap.org/wsdl/soap/"
_SCHEMA_REFERENCES = (f"{{{_XS}}}import", f"{{{_XS}}}include", f"{{{_XS}}}redefine")


@cache
def schema_names() -> tuple[str, ...]:
    """The file names of every XSD in :data:`SCHEMA_DIR`, sorted."""
    return tuple(sorted(path.name for path in SCHEMA_DIR.glob("*.xsd") if path.is_file()))


def wsdl_name(operation: str) -> str:
    """The WSDL file name of an operation, e.g. ``MakeBookingInteraction_1.1_RIVTABP21.wsdl``.

    Raises:
        KeyError: ``operation`` is not one of the 11 operations.
    """
    return f"{OPERATIONS[operation].name}Interaction_1.1_RIVTABP21.wsdl"


@cache
def _raw(name: str) -> bytes:
    """The bytes of one file of :data:`SCHEMA_DIR` (``name`` already checked by the caller)."""
    return (SCHEMA_DIR / name).read_bytes()


def _location(endpoint_url: str, reference: str) -> str:
    """Where a schema referred to as ``reference`` (a bare file name) is served."""
    return f"{endpoint_url}?xsd={reference.rsplit('/', 1)[-1]}"


def _rewrite_schema_locations(root: etree._Element, endpoint_url: str) -> None:
    """Point every ``xs:import``/``xs:include`` under ``root`` at the served URL."""
    for element in root.iter(*_SCHEMA_REFERENCES):
        reference = element.get("schemaLocation")
        if reference:
            element.set("schemaLocation", _location(endpoint_url, reference))


def _serialise(root: etree._Element) -> bytes:
    """The document as UTF-8 bytes with an XML declaration."""
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def _parse(raw: bytes) -> etree._Element:
    """Parse one of our own files (no network, no entities)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(raw, parser)


def wsdl_document(operation: str, endpoint_url: str) -> bytes:
    """The operation's WSDL as served at ``endpoint_url``.

    ``soap:address/@location`` becomes ``endpoint_url`` and every ``schemaLocation`` becomes
    ``{endpoint_url}?xsd={name}``.

    Raises:
        KeyError: ``operation`` is not one of the 11 operations.
    """
    root = _parse(_raw(wsdl_name(operation)))
    for address in root.iter(f"{{{_SOAP11_WSDL}}}address"):
        address.set("location", endpoint_url)
    _rewrite_schema_locations(root, endpoint_url)
    return _serialise(root)


def schema_document(name: str, endpoint_url: str) -> bytes:
    """One XSD as served at ``{endpoint_url}?xsd={name}``, its references rewritten likewise.

    Raises:
        KeyError: ``name`` is not one of :func:`schema_names`.
    """
    if name not in schema_names():
        raise KeyError(name)
    root = _parse(_raw(name))
    _rewrite_schema_locations(root, endpoint_url)
    return _serialise(root)
