"""RFC 9457 problem details: every failure as ``application/problem+json`` with a stable code.

``code`` is the error's stable code (``tidbok.errors`` codes, plus the gateway's own below);
``detail`` is the Swedish text for the citizen. A technical fault's detail is logged, never sent.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import web

from tidbok.errors import (
    ActivityNotRecorded,
    BackendProtocolError,
    BackendTimeout,
    BackendUnavailable,
    BookingRefused,
    CaseTypeNotActive,
    InvalidInput,
    InvitationAlreadyUsed,
    NotAvailableVia1177,
    NotFound,
    OutcomeUnknown,
    OutsideBookingWindow,
    SlotTaken,
    StoreDown,
    TechnicalFault,
    TermsNotAccepted,
    TidbokError,
)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:tidbok:problem:"


class GatewayProblem(Exception):
    """A failure that belongs to the HTTP layer (authentication, idempotency, routing)."""

    code: ClassVar[str] = "gateway_error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    citizen_text: ClassVar[str] = "Något gick fel. Försök igen senare."

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail or self.title
        super().__init__(self.detail)


class Unauthorized(GatewayProblem):
    """The bearer token is missing, malformed, expired or not meant for this service."""

    code = "unauthorized"
    status = 401
    title = "Unauthorized"
    citizen_text = "Du behöver logga in igen för att fortsätta."


class IdempotencyConflict(GatewayProblem):
    """A request with the same Idempotency-Key is still being processed."""

    code = "idempotency_conflict"
    status = 409
    title = "Idempotency-Key in use"
    citizen_text = "Din bokning behandlas redan. Vänta en stund och titta sedan i Bokade tider."


class IdempotencyKeyReused(GatewayProblem):
    """The Idempotency-Key was used before with another request body."""

    code = "idempotency_key_reused"
    status = 422
    title = "Idempotency-Key reused with another request"
    citizen_text = "Uppgifterna är inte giltiga. Kontrollera och försök igen."


class RouteNotFound(GatewayProblem):
    """No such resource in the API."""

    code = NotFound.code
    status = 404
    title = "Not found"
    citizen_text = NotFound.citizen_text


class MethodNotAllowed(GatewayProblem):
    """The resource exists but not with this method."""

    code = "method_not_allowed"
    status = 405
    title = "Method not allowed"
    citizen_text = InvalidInput.citizen_text


class UnsupportedMediaType(GatewayProblem):
    """A request body that is not declared ``application/json``."""

    code = "unsupported_media_type"
    status = 415
    title = "Unsupported media type"
    citizen_text = InvalidInput.citizen_text


class InternalError(GatewayProblem):
    """Something failed inside the gateway; the detail is logged only."""

    code = "internal_error"
    status = 500
    title = "Internal error"
    citizen_text = TechnicalFault.citizen_text


@dataclass(frozen=True)
class ProblemMapping:
    """HTTP status and title for a tidbok error type."""

    status: int
    title: str


#: Status and title per tidbok error type; the most specific class wins.
ERROR_STATUS: dict[type, ProblemMapping] = {
    InvalidInput: ProblemMapping(400, "Invalid input"),
    NotFound: ProblemMapping(404, "Not found"),
    SlotTaken: ProblemMapping(409, "Slot taken"),
    InvitationAlreadyUsed: ProblemMapping(409, "Invitation already used"),
    OutsideBookingWindow: ProblemMapping(422, "Outside the booking window"),
    NotAvailableVia1177: ProblemMapping(422, "Not available via 1177"),
    TermsNotAccepted: ProblemMapping(422, "Terms not accepted"),
    CaseTypeNotActive: ProblemMapping(422, "Case type not active"),
    BookingRefused: ProblemMapping(422, "Refused"),
    BackendUnavailable: ProblemMapping(503, "Scheduling system unavailable"),
    ActivityNotRecorded: ProblemMapping(503, "Activity not recorded"),
    StoreDown: ProblemMapping(503, "Store unavailable"),
    BackendTimeout: ProblemMapping(504, "Scheduling system timeout"),
    BackendProtocolError: ProblemMapping(502, "Scheduling system error"),
    OutcomeUnknown: ProblemMapping(502, "Scheduling system outcome unknown"),
    TechnicalFault: ProblemMapping(502, "Scheduling system error"),
    TidbokError: ProblemMapping(500, "Internal error"),
}


def mapping_for(error: TidbokError) -> ProblemMapping:
    """The status and title of a tidbok error (walks the class hierarchy)."""
    for cls in type(error).__mro__:
        found = ERROR_STATUS.get(cls)
        if found is not None:
            return found
    return ERROR_STATUS[TidbokError]


@dataclass
class Problem:
    """One problem document, ready to render."""

    status: int
    code: str
    title: str
    detail: str
    instance: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        """The JSON body (RFC 9457 members plus ``code``)."""
        document: dict[str, Any] = {
            "type": TYPE_PREFIX + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.instance is not None:
            document["instance"] = self.instance
        document.update(self.extra)
        return document

    def response(self) -> web.Response:
        """The ``application/problem+json`` response."""
        return web.Response(
            status=self.status,
            text=json.dumps(self.body(), ensure_ascii=False),
            content_type=PROBLEM_CONTENT_TYPE,
            headers=self.headers,
        )


def problem_for_error(
    error: TidbokError, instance: str | None = None, default_retry_after: int = 5
) -> Problem:
    """The problem for a tidbok error; technical faults carry only the generic citizen text."""
    mapping = mapping_for(error)
    headers: dict[str, str] = {}
    if isinstance(error, BackendUnavailable):
        retry = error.retry_after if error.retry_after is not None else default_retry_after
        headers["Retry-After"] = str(max(0, math.ceil(retry)))
    elif isinstance(error, ActivityNotRecorded | StoreDown):
        headers["Retry-After"] = str(max(0, default_retry_after))
    return Problem(
        status=mapping.status,
        code=error.code,
        title=mapping.title,
        detail=error.citizen_text,
        instance=instance,
        headers=headers,
    )


def problem_for_gateway(error: GatewayProblem, instance: str | None = None) -> Problem:
    """The problem for an HTTP-layer failure."""
    headers: dict[str, str] = {}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="tidbok", error="invalid_token"'
    return Problem(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.citizen_text,
        instance=instance,
        headers=headers,
    )


def gateway_problem_types() -> list[type[GatewayProblem]]:
    """Every gateway problem type, for documentation and tests."""
    return [
        Unauthorized,
        IdempotencyConflict,
        IdempotencyKeyReused,
        RouteNotFound,
        MethodNotAllowed,
        UnsupportedMediaType,
        InternalError,
    ]
