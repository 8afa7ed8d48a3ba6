"""PASiS authentication: a shared API key in the ``X-Api-Key`` header."""

from __future__ import annotations

from aiohttp.typedefs import Middleware

from .. import kit

API_KEY_HEADER = "X-Api-Key"


def api_key_middleware(api_key: str) -> Middleware:
    """Refuse API requests without the right key (401 EJ_BEHORIG); admin paths are open."""
    message = f"Saknad eller felaktig API-nyckel ({API_KEY_HEADER})."
    return kit.api_key_middleware(api_key, API_KEY_HEADER, message)
