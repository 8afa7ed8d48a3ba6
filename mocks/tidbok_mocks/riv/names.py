"""The namespaces and operations of crm:scheduling 1.1 as this mock speaks them."""

from __future__ import annotations

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
"""The SOAP 1.1 envelope namespace."""
CRM = "urn:riv:crm:scheduling:1"
"""Core types and their children."""
CRM11 = "urn:riv:crm:scheduling:1.1"
"""``isInvitation``, ``firstName``, ``middleName``, ``lastName``."""
ACTOR_NS = "urn:riv:interoperability:headers:1"
"""The ``Actor`` header."""
ADDRESS_NS = "urn:riv:itintegration:registry:1"
"""The ``LogicalAddress`` header."""

ACTOR_TYPES = frozenset({"subject_of_care", "subject_of_care_agent"})
"""The values ``Actor/actorType`` may take."""


def responder(operation: str) -> str:
    """The namespace of an operation's request and response wrappers."""
    return f"urn:riv:crm:scheduling:{operation}Responder:1"


def responder_ext(operation: str) -> str:
    """The namespace of an operation's 1.1 request additions (``subject_of_care``, ...)."""
    return f"urn:riv:crm:scheduling:{operation}Responder:1.1"


def soap_action(operation: str) -> str:
    """The SOAPAction of an operation (unquoted)."""
    return f"{responder(operation)}:{operation}"


def endpoint_path(operation: str) -> str:
    """The HTTP path of an operation."""
    return f"/{operation}/1/rivtabp21"


def qname(namespace: str, local: str) -> str:
    """``{namespace}local`` (Clark notation, as lxml names elements)."""
    return f"{{{namespace}}}{local}"
