"""PASiS authentication: a shared API key in the ``X-Api-Key`` header."""

from __future__ import annotations

import hmac

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from ..kit import ErrorKind, MockError, is_admin_path

API_KEY_HEADER = "X-Api-Key"


def api_key_middleware(api_key: str) -> Middleware:
    """Refuse API requests without the right key (401 EJ_BEHORIG); admin paths are open."""
    expected = api_key.encode()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not is_admin_path(request.path):
            given = request.headers.get(API_KEY_HEADER, "").encode()
            if not given or not hmac.compare_digest(given, expected):
                raise MockError(
                    ErrorKind.UNAUTHORIZED, f"Saknad eller felaktig API-nyckel ({API_KEY_HEADER})."
                )
        return await handler(request)

    return middleware
