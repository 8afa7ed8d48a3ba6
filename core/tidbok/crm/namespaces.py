"""Namespaces, operations and SOAPActions of crm:scheduling 1.1 (fact sheet §1, §2, §5)."""

from __future__ import annotations

from dataclasses import dataclass

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
"""SOAP 1.1 envelope namespace."""
CORE = "urn:riv:crm:scheduling:1"
"""Core types (TimeslotType and friends) and their children."""
CORE_11 = "urn:riv:crm:scheduling:1.1"
"""The 1.1 additions ``isInvitation``, ``firstName``, ``middleName``, ``lastName``."""
HEADERS = "urn:riv:interoperability:headers:1"
"""The ``Actor`` header (and an aggregator's ``ProcessingStatus``)."""
REGISTRY = "urn:riv:itintegration:registry:1"
"""The ``LogicalAddress`` header."""


@dataclass(frozen=True)
class Operation:
    """One crm:scheduling operation: its name and everything named after it."""

    name: str

    @property
    def responder(self) -> str:
        """Namespace of the request and response wrappers and their children."""
        return f"urn:riv:crm:scheduling:{self.name}Responder:1"

    @property
    def responder_11(self) -> str:
        """Namespace of the 1.1 request additions (GetAllTimeTypes, GetAvailable*)."""
        return f"urn:riv:crm:scheduling:{self.name}Responder:1.1"

    @property
    def wsdl_namespace(self) -> str:
        """Target namespace of the operation's WSDL."""
        return f"urn:riv:crm:scheduling:{self.name}:1:rivtabp21"

    @property
    def soap_action(self) -> str:
        """The SOAPAction HTTP header value (unquoted)."""
        return f"{self.responder}:{self.name}"

    @property
    def request_element(self) -> str:
        """Local name of the request body element."""
        return self.name

    @property
    def response_element(self) -> str:
        """Local name of the response body element."""
        return f"{self.name}Response"


OPERATION_NAMES: tuple[str, ...] = (
    "GetSubjectOfCareSchedule",
    "GetBookingDetails",
    "GetAllTimeTypes",
    "GetAllCareTypes",
    "GetAllHealthcareFacilities",
    "GetAllPerformers",
    "GetAvailableDates",
    "GetAvailableTimeslots",
    "MakeBooking",
    "UpdateBooking",
    "CancelBooking",
)
"""The 11 operations of crm:scheduling 1.1."""

OPERATIONS: dict[str, Operation] = {name: Operation(name) for name in OPERATION_NAMES}
"""Every operation by name."""

EXTENDED_OPERATIONS: frozenset[str] = frozenset(
    {"GetAllTimeTypes", "GetAvailableDates", "GetAvailableTimeslots"}
)
"""Operations whose 1.1 request additions live in their ``…Responder:1.1`` namespace."""
