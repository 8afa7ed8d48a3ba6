"""PMO's ``Idempotency-Key`` support, following the IETF httpapi idempotency-key draft.

* same key, same request, first one finished -> the stored answer is replayed (no second write);
* same key, different request -> 422 ``idempotency-key-reused``;
* same key while the first request is still running -> 409 ``idempotency-key-in-progress``.

Keys are scoped per OAuth client and kept for 24 hours of mock time. Answers with 5xx or 429, and
requests that a fault stopped before the handler ran, are not stored: the key can be retried. A
fault that answers 500 after the handler ran (``commit_then_500``) stores the handler's answer:
the write and its key commit together, and a retry replays it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from ..kit import (
    HANDLER_ANSWER_KEY,
    ErrorKind,
    ErrorRenderer,
    MockClock,
    MockError,
    handler_ran,
    is_admin_path,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255

CLIENT_KEY = web.RequestKey("pmo_client_id", str)
"""Set by the authentication middleware: the OAuth client of the request."""


@dataclass(frozen=True)
class StoredAnswer:
    """A finished response, kept for replay."""

    status: int
    body: bytes
    content_type: str
    location: str | None


@dataclass
class IdempotencyRecord:
    """One key's request fingerprint and, once finished, its answer."""

    fingerprint: str
    created_at: datetime
    answer: StoredAnswer | None = None


class IdempotencyStore:
    """Records by (client, key)."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], IdempotencyRecord] = {}

    def clear(self) -> None:
        """Forget every key."""
        self._records.clear()

    def begin(self, scope: str, key: str, fingerprint: str, now: datetime) -> StoredAnswer | None:
        """Claim ``key`` for a request; a finished identical request's answer is returned."""
        self._records = {k: r for k, r in self._records.items() if now - r.created_at < RETENTION}
        record = self._records.get((scope, key))
        if record is None:
            self._records[(scope, key)] = IdempotencyRecord(fingerprint, now)
            return None
        if record.fingerprint != fingerprint:
            raise MockError(
                ErrorKind.IDEMPOTENCY_MISMATCH,
                "This Idempotency-Key was used with a different request",
            )
        if record.answer is None:
            raise MockError(
                ErrorKind.IDEMPOTENCY_IN_PROGRESS,
                "A request with this Idempotency-Key is still being processed",
            )
        return record.answer

    def finish(self, scope: str, key: str, answer: StoredAnswer) -> None:
        """Store the answer of the request that claimed ``key``."""
        record = self._records.get((scope, key))
        if record is not None:
            record.answer = answer

    def abandon(self, scope: str, key: str) -> None:
        """Release ``key`` without an answer (the request may be retried)."""
        self._records.pop((scope, key), None)


def fingerprint(method: str, path: str, body: bytes) -> str:
    """A digest of the request; JSON bodies are compared by content, not by formatting."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        canonical = body
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(canonical)
    return digest.hexdigest()


def parse_key(header: str) -> str:
    """The key from the header (a structured-field string, quotes optional)."""
    key = header.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH:
        raise MockError(
            ErrorKind.INVALID, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters"
        )
    return key


def _storable(request: web.Request, response: web.StreamResponse) -> StoredAnswer | None:
    # A fault that replaced a finished write's answer (commit_then_500): PMO kept the real one.
    response = request.get(HANDLER_ANSWER_KEY, response)
    if not handler_ran(request) or response.status >= 500 or response.status == 429:
        return None
    if not isinstance(response, web.Response) or not isinstance(response.body, bytes):
        return None
    return StoredAnswer(
        status=response.status,
        body=response.body,
        content_type=response.content_type,
        location=response.headers.get("Location"),
    )


def _replay(answer: StoredAnswer) -> web.Response:
    headers = {REPLAYED_HEADER: "true"}
    if answer.location is not None:
        headers["Location"] = answer.location
    return web.Response(
        status=answer.status, body=answer.body, content_type=answer.content_type, headers=headers
    )


def idempotency_middleware(
    store: IdempotencyStore, clock: MockClock, render: ErrorRenderer, exempt: frozenset[str]
) -> Middleware:
    """Honour ``Idempotency-Key`` on API POSTs (paths in ``exempt`` excluded)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        header = request.headers.get(IDEMPOTENCY_HEADER)
        if (
            header is None
            or request.method != "POST"
            or is_admin_path(request.path)
            or request.path in exempt
        ):
            return await handler(request)
        key = parse_key(header)
        scope = request.get(CLIENT_KEY, "")
        body = await request.read()
        stored = store.begin(
            scope, key, fingerprint(request.method, request.path, body), clock.now()
        )
        if stored is not None:
            return _replay(stored)
        try:
            try:
                response = await handler(request)
            except MockError as error:
                response = render(error)
        except BaseException:
            store.abandon(scope, key)
            raise
        answer = _storable(request, response)
        if answer is None:
            store.abandon(scope, key)
        else:
            store.finish(scope, key, answer)
        return response

    return middleware
