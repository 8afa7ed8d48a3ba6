"""Idempotent booking with the ``Idempotency-Key`` header (IETF httpapi draft).

* no key: the request runs as usual;
* a new key: the request runs and its answer is stored, per citizen, in the gateway store;
* the same key and the same body again: the stored answer is replayed (``Idempotent-Replayed``);
* the same key with another body: 422 ``idempotency_key_reused`` (as the draft says);
* the same key while the first request still runs: 409 ``idempotency_conflict``.

A request that fails releases its key, so the client may retry with the same key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiohttp import web

from tidbok.gateway.idempotency_store import idempotency_secret
from tidbok.gateway.problems import IdempotencyConflict, IdempotencyKeyReused
from tidbok.gateway.requests import RequestInvalid
from tidbok.gateway.state import GatewayState
from tidbok.gateway.store import BeginOutcome, citizen_key, fingerprint_of
from tidbok.models import Caller

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


def valid_key(raw: str) -> str:
    """The key if it is 1-255 printable ASCII characters; RequestInvalid otherwise."""
    key = raw.strip().strip('"')
    if not key or len(key) > MAX_KEY_LENGTH or not all(32 < ord(c) < 127 for c in key):
        raise RequestInvalid(f"{HEADER}: 1-{MAX_KEY_LENGTH} printable ASCII characters")
    return key


async def idempotent(
    request: web.Request,
    state: GatewayState,
    caller: Caller,
    payload: Any,
    run: Callable[[], Awaitable[tuple[int, str]]],
) -> web.Response:
    """Run ``run`` (which returns status and JSON text) at most once per key and citizen."""
    raw = request.headers.get(HEADER)
    if raw is None:
        status, text = await run()
        return web.Response(status=status, text=text, content_type="application/json")
    key = valid_key(raw)
    settings = state.settings
    owner = citizen_key(caller.subject_of_care, idempotency_secret(settings))
    record = await state.store.begin(
        owner,
        key,
        fingerprint_of(payload),
        state.service.clock.now(),
        timedelta(seconds=settings.idempotency_lock_timeout),
    )
    if record.outcome is BeginOutcome.MISMATCH:
        raise IdempotencyKeyReused("the key was used with another request body")
    if record.outcome is BeginOutcome.IN_PROGRESS:
        raise IdempotencyConflict("a request with this key is still running")
    if record.outcome is BeginOutcome.REPLAY:
        return web.Response(
            status=record.status or 200,
            text=record.body or "{}",
            content_type="application/json",
            headers={REPLAYED_HEADER: "true"},
        )
    try:
        status, text = await run()
    except BaseException:
        await state.store.release(owner, key)
        raise
    await state.store.complete(owner, key, status, text)
    return web.Response(status=status, text=text, content_type="application/json")
