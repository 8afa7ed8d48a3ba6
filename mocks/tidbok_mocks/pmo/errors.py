"""PMO's error format: RFC 9457 ``application/problem+json`` with a ``code`` member."""

from __future__ import annotations

import json

from aiohttp import web

from ..kit import ErrorKind, MockError

PROBLEM_BASE = "https://pmo.example/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

PROBLEMS: dict[ErrorKind, tuple[int, str, str]] = {
    ErrorKind.INVALID: (400, "validation-error", "Validation error"),
    ErrorKind.UNAUTHORIZED: (401, "unauthorized", "Unauthorized"),
    ErrorKind.FORBIDDEN: (403, "forbidden", "Forbidden"),
    ErrorKind.NOT_FOUND: (404, "not-found", "Not found"),
    ErrorKind.METHOD_NOT_ALLOWED: (405, "method-not-allowed", "Method not allowed"),
    ErrorKind.PAYLOAD_TOO_LARGE: (413, "payload-too-large", "Payload too large"),
    ErrorKind.SLOT_TAKEN: (409, "slot-taken", "Slot taken"),
    ErrorKind.ALREADY_CANCELLED: (409, "already-cancelled", "Appointment already cancelled"),
    ErrorKind.INVITATION_BOOKED: (409, "conflict", "Conflict"),
    ErrorKind.IDEMPOTENCY_IN_PROGRESS: (
        409,
        "idempotency-key-in-progress",
        "A request with this Idempotency-Key is still being processed",
    ),
    ErrorKind.IDEMPOTENCY_MISMATCH: (
        422,
        "idempotency-key-reused",
        "Idempotency-Key reused with a different request",
    ),
    ErrorKind.OUTSIDE_WINDOW: (422, "outside-booking-window", "Outside the booking window"),
    ErrorKind.NOT_BOOKABLE: (422, "not-bookable", "Not bookable via e-services"),
    ErrorKind.NOT_CANCELLABLE: (422, "not-cancellable", "Not cancellable via e-services"),
    ErrorKind.TOO_MANY_REQUESTS: (429, "too-many-requests", "Too many requests"),
    ErrorKind.INTERNAL: (500, "internal-error", "Internal server error"),
    ErrorKind.UNAVAILABLE: (503, "service-unavailable", "Service unavailable"),
}


def render_pmo_error(error: MockError) -> web.Response:
    """Render an error the PMO way."""
    status, code, title = PROBLEMS.get(error.kind, (400, "validation-error", "Validation error"))
    problem = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": error.message,
        "code": code,
        **error.extra,
    }
    return web.Response(
        status=status,
        body=json.dumps(problem).encode(),
        content_type=PROBLEM_CONTENT_TYPE,
        headers=error.headers,
    )
