"""The SOAP calls of the riv plugin: the headers each call carries, and one call's round trip.

``actor`` and ``subject`` decide who the producer is told calls (the service's caller in
progress, else the citizen, else tidbok itself as agent for a lookup); ``call`` sends one
envelope through the backend's ``BackendHttp`` and reads the typed answer or the fault.
"""

from __future__ import annotations

from typing import TypeVar

import httpx

from tidbok import (
    BackendHttp,
    BackendProtocolError,
    NotAvailableVia1177,
    PersonalIdentityNumber,
    acting_caller,
)
from tidbok.crm import (
    OPERATIONS,
    Actor,
    ActorType,
    SoapFault,
    SubjectOfCareType,
    WireError,
    XmlType,
    read_response,
    write_request,
)
from tidbok_riv import mapping
from tidbok_riv.options import RivOptions

T = TypeVar("T", bound=XmlType)

#: Shown to a citizen whose agent tries what the contract lets only the citizen do.
AGENT_ONLY_BOOKS = "an agent may only book new times at a crm:scheduling unit (flow 1)"


def is_client_fault(response: httpx.Response) -> bool:
    """Whether a 5xx answer is a SOAP ``Client`` fault: the producer read and refused it."""
    return b"Client</faultcode>" in response.content and b"Fault" in response.content


class RivSoap:
    """One producer's SOAP calls, over the adapter's ``BackendHttp``."""

    def __init__(self, http: BackendHttp, options: RivOptions, base_url: str) -> None:
        self.http = http
        self.options = options
        self.base_url = base_url

    def actor(self, citizen: PersonalIdentityNumber | None, books: bool = False) -> Actor:
        """The Actor header: the caller in progress, else the citizen, else tidbok as agent."""
        caller = acting_caller()
        if caller is not None and (citizen is None or caller.subject_of_care == citizen):
            if caller.agent_id is None:
                return Actor(
                    actorId=caller.subject_of_care.value, actorType=ActorType.SUBJECT_OF_CARE
                )
            if not books:
                raise NotAvailableVia1177(AGENT_ONLY_BOOKS)
            return Actor(actorId=caller.agent_id, actorType=ActorType.SUBJECT_OF_CARE_AGENT)
        if citizen is not None:
            return Actor(actorId=citizen.value, actorType=ActorType.SUBJECT_OF_CARE)
        return Actor(
            actorId=self.options.consumer_hsa_id, actorType=ActorType.SUBJECT_OF_CARE_AGENT
        )

    def subject(self, citizen: PersonalIdentityNumber | None = None) -> str:
        """The body's subject_of_care: the citizen, else the caller's, else the lookup one."""
        if citizen is not None:
            return citizen.value
        caller = acting_caller()
        if caller is not None:
            return caller.subject_of_care.value
        return self.options.lookup_subject_of_care.value

    async def call(
        self,
        operation: str,
        unit: str,
        message: XmlType,
        actor: Actor,
        kind: type[T],
        *,
        write: bool = False,
    ) -> T:
        op = OPERATIONS[operation]
        body = write_request(op, unit, actor, message)
        url = self.options.url(self.base_url, operation)
        headers = {"SOAPAction": f'"{op.soap_action}"'}
        # An unreadable answer to a read is often a one-off: reading again is safe, so it is
        # retried like the core retries a garbled JSON answer (never a write: that is read back).
        attempts = 1 if write else 1 + self.http.resilience.read_retries
        for attempt in range(attempts):
            if write:
                response = await self.http.write(
                    operation,
                    "POST",
                    url,
                    retry=False,
                    content=body,
                    headers=headers,
                    definite=is_client_fault,
                )
            else:
                response = await self.http.read(
                    operation, "POST", url, content=body, headers=headers, definite=is_client_fault
                )
            try:
                answer = read_response(op, response.content)
            except SoapFault as fault:
                raise mapping.fault_error(fault, operation) from None
            except WireError as error:
                if attempt + 1 < attempts and self.http.time_left() > 0:
                    continue
                raise BackendProtocolError(f"{operation}: {error}") from None
            if not isinstance(answer, kind):
                raise BackendProtocolError(f"{operation}: an answer of another operation")
            return answer
        raise AssertionError("unreachable: the last attempt returns or raises")

    def names(self) -> SubjectOfCareType:
        caller = acting_caller()
        unknown = self.options.unknown_name
        given = caller.given_name if caller is not None else None
        family = caller.family_name if caller is not None else None
        return SubjectOfCareType(firstName=given or unknown, lastName=family or unknown)
