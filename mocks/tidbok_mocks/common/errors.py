"""System-neutral errors; each mock renders them in its own wire format."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from aiohttp import web


class ErrorKind(StrEnum):
    """What went wrong, independent of how a vendor spells it."""

    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    SLOT_TAKEN = "slot_taken"
    OUTSIDE_WINDOW = "outside_window"
    NOT_BOOKABLE = "not_bookable"
    NOT_CANCELLABLE = "not_cancellable"
    ALREADY_CANCELLED = "already_cancelled"
    INVITATION_BOOKED = "invitation_booked"
    IDEMPOTENCY_MISMATCH = "idempotency_mismatch"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    INTERNAL = "internal"
    UNAVAILABLE = "unavailable"
    TOO_MANY_REQUESTS = "too_many_requests"


class MockError(Exception):
    """A failure to report to the client, in the serving system's error format."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})
        self.extra: dict[str, Any] = dict(extra or {})


ErrorRenderer = Callable[[MockError], web.Response]
"""Turns a :class:`MockError` into a response in one system's error format."""


def kind_for_status(status: int) -> ErrorKind:
    """The error kind for an HTTP status raised by aiohttp itself (404, 405, 413, ...)."""
    return {
        401: ErrorKind.UNAUTHORIZED,
        403: ErrorKind.FORBIDDEN,
        404: ErrorKind.NOT_FOUND,
        405: ErrorKind.METHOD_NOT_ALLOWED,
        413: ErrorKind.PAYLOAD_TOO_LARGE,
        429: ErrorKind.TOO_MANY_REQUESTS,
        503: ErrorKind.UNAVAILABLE,
    }.get(status, ErrorKind.INVALID if status < 500 else ErrorKind.INTERNAL)
