"""A mock API's shared-key authentication: one header that must carry one key."""

from __future__ import annotations

import hmac

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from .context import is_admin_path
from .errors import ErrorKind, MockError


def api_key_middleware(
    api_key: str, header: str = "X-Api-Key", message: str | None = None
) -> Middleware:
    """Refuse every request but the admin API's whose ``header`` is not ``api_key``:
    ``MockError(UNAUTHORIZED, message)`` (default: "<header> missing or wrong")."""
    expected = api_key.encode()
    refusal = message or f"{header} missing or wrong"

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not is_admin_path(request.path):
            given = request.headers.get(header, "").encode()
            if not given or not hmac.compare_digest(given, expected):
                raise MockError(ErrorKind.UNAUTHORIZED, refusal)
        return await handler(request)

    return middleware
