"""The two headers of a crm:scheduling call: ``LogicalAddress`` names the unit, ``Actor`` the
caller (fact sheet §2).

- An unknown or inactive logical address is a ``Server`` fault in the national platform's style
  (``VP004 No Logical Adress found for serviceNamespace:…, receiverId:…``, its spelling kept so
  consumers that match on it work); a missing one is ``VP003``.
- ``subject_of_care``: the actor is the citizen (a valid personal identity number); a
  ``subject_of_care`` in the body that names someone else is refused.
- ``subject_of_care_agent``: staff (an HSA-id) acting for the citizen named in the body. Agents
  may only book new times (flow 1 of the contract): the lookups and MakeBooking, never with a
  ``bookingId`` (rebooking, an invitation) and never the citizen's schedule, details, rebooking
  or cancelling.
"""

from __future__ import annotations

from tidbok.crm.envelope import SoapFault, SoapRequest
from tidbok.crm.messages import MakeBooking, UpdateBooking
from tidbok.crm.namespaces import Operation
from tidbok.crm.types import ActorType
from tidbok.errors import TidbokError
from tidbok.identity import PersonalIdentityNumber, normalize_hsa_id
from tidbok.models import ActiveUnit, Caller
from tidbok.service import BookingService

AGENT_OPERATIONS = frozenset(
    {
        "GetAllTimeTypes",
        "GetAllCareTypes",
        "GetAllHealthcareFacilities",
        "GetAllPerformers",
        "GetAvailableDates",
        "GetAvailableTimeslots",
        "MakeBooking",
    }
)
"""What an agent (``subject_of_care_agent``) may call: the booking flow."""


def unit_of(
    service: BookingService, operation: Operation, logical_address: str | None
) -> ActiveUnit:
    """The configured unit with at least one active case type that ``logical_address`` names."""
    if not logical_address:
        raise SoapFault("Server", "VP003 No receiverId (logical address) found in message header")
    try:
        unit = service.unit(normalize_hsa_id(logical_address))
    except (ValueError, TidbokError):
        unit = None
    if unit is None or not unit.case_types:
        raise SoapFault(
            "Server",
            f"VP004 No Logical Adress found for serviceNamespace:{operation.responder}, "
            f"receiverId:{logical_address[:64]}",
        )
    return unit


def caller_of(soap: SoapRequest) -> Caller:
    """The caller the ``Actor`` header names, checked against the body's ``subject_of_care``."""
    actor = soap.actor
    if actor is None:
        raise SoapFault("Client", "the Actor header is missing")
    subject = body_subject(soap)
    if actor.actorType is ActorType.SUBJECT_OF_CARE:
        citizen = _identity(actor.actorId, "Actor/actorId")
        if subject is not None and _identity(subject, "subject_of_care") != citizen:
            raise SoapFault("Client", "subject_of_care is not the citizen in the Actor header")
        return Caller(subject_of_care=citizen, **_names(soap))
    if soap.operation.name not in AGENT_OPERATIONS or getattr(soap.body, "bookingId", None):
        raise SoapFault(
            "Client", "an agent (subject_of_care_agent) may only book new times (flow 1)"
        )
    if isinstance(soap.body, MakeBooking) and soap.body.requestedTimeslot.bookingId:
        raise SoapFault(
            "Client", "an agent (subject_of_care_agent) may only book new times (flow 1)"
        )
    try:
        agent = normalize_hsa_id(actor.actorId)
    except ValueError:
        raise SoapFault("Client", "Actor/actorId of an agent must be an HSA-id") from None
    if subject is None:
        raise SoapFault("Client", "subject_of_care is required when an agent calls")
    return Caller(
        subject_of_care=_identity(subject, "subject_of_care"), agent_id=agent, **_names(soap)
    )


def _names(soap: SoapRequest) -> dict[str, str]:
    """The register names a MakeBooking or UpdateBooking carries, for the caller."""
    info = getattr(soap.body, "subject_of_care_info", None)
    if info is None:
        return {}
    given = " ".join(name for name in (info.firstName, info.middleName) if name)
    names = {"given_name": given[:200], "family_name": info.lastName[:200]}
    return {key: value for key, value in names.items() if value}


def body_subject(soap: SoapRequest) -> str | None:
    """The citizen the request body names, wherever the operation carries it."""
    body = soap.body
    if isinstance(body, MakeBooking | UpdateBooking):
        return body.requestedTimeslot.subject_of_care
    subject = getattr(body, "subject_of_care", None)
    return subject if isinstance(subject, str) else None


def _identity(text: str, where: str) -> PersonalIdentityNumber:
    try:
        return PersonalIdentityNumber(text)
    except TidbokError:
        raise SoapFault("Client", f"{where} is not a valid personal identity number") from None
