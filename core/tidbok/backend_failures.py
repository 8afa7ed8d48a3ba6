"""What a failed backend attempt means: may a retry fix it, and is a write's outcome known?

The rules :class:`~tidbok.backend_http.BackendHttp` applies to every attempt that did not get a
usable answer. A read says what happened (the backend is unavailable, or late). A write whose
request may have reached the backend has an unknown outcome (:class:`~tidbok.errors.OutcomeUnknown`)
unless the backend deduplicates it; only a refused connection, a 429 or a 503 proves it did not act.
"""

from __future__ import annotations

import json

import httpx

from tidbok.errors import BackendTimeout, BackendUnavailable, OutcomeUnknown, TechnicalFault

__all__ = ["Transient", "ambiguous", "garbled_json", "retry_after_seconds", "unknown"]


class Transient(Exception):
    """An attempt failed in a way a retry may fix; carries the typed error for the last attempt."""

    def __init__(
        self, error: TechnicalFault, retry_after: float | None = None, refused: bool = False
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after
        self.refused = refused
        """The backend certainly did not act (no connection, 429, 503): safe to retry any write."""


def garbled_json(response: httpx.Response) -> bool:
    """Whether a successful answer says it is JSON but cannot be parsed."""
    if not 200 <= response.status_code < 300 or "json" not in response.headers.get(
        "content-type", ""
    ):
        return False
    try:
        json.loads(response.content)
    except ValueError:
        return True
    return False


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The backend's ``Retry-After`` in seconds (never negative), or None without a usable one."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def ambiguous(detail: str, write: bool, retry: bool, lost: bool) -> Exception:
    """The error for a broken (``lost``) or timed-out attempt, after the request may have been sent.

    A read says what happened: the connection was lost (unavailable) or the answer was late
    (timeout). A write's outcome is unknown either way.
    """
    if write:
        return unknown(detail, retry)
    return Transient(BackendUnavailable(detail) if lost else BackendTimeout(detail))


def unknown(detail: str, retry: bool, retry_after: float | None = None) -> Exception:
    """A write attempt that may or may not have happened.

    A write the backend deduplicates is retried (with the same key); the last attempt's outcome
    stays unknown. Any other write is never retried: the plugin reads back instead.
    """
    if retry:
        return Transient(OutcomeUnknown(detail), retry_after)
    return OutcomeUnknown(detail)
