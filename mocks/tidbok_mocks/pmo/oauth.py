"""PMO authentication: OAuth2 client credentials (``POST /oauth/token``) and bearer tokens."""

from __future__ import annotations

import base64
import binascii
import hmac

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from ..kit import ErrorKind, MockError, is_admin_path
from .idempotency import CLIENT_KEY
from .model import PmoState

TOKEN_PATH = "/oauth/token"
PMO_STATE = web.AppKey("pmo_state", PmoState)

token_routes = web.RouteTableDef()


def _oauth_error(kind: ErrorKind, error: str, detail: str, status_401: bool = False) -> MockError:
    headers = {"WWW-Authenticate": 'Basic realm="pmo"'} if status_401 else None
    return MockError(kind, detail, headers=headers, extra={"error": error})


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


@token_routes.post(TOKEN_PATH)
async def token(request: web.Request) -> web.Response:
    """Issue an access token for ``grant_type=client_credentials`` (form-encoded)."""
    state = request.app[PMO_STATE]
    if request.content_type != "application/x-www-form-urlencoded":
        raise _oauth_error(
            ErrorKind.INVALID,
            "invalid_request",
            "The token request must be application/x-www-form-urlencoded",
        )
    form = await request.post()
    grant_type = form.get("grant_type")
    if grant_type != "client_credentials":
        raise _oauth_error(
            ErrorKind.INVALID,
            "unsupported_grant_type",
            "Only grant_type=client_credentials is supported",
        )
    basic = _basic_credentials(request.headers.get("Authorization", ""))
    client_id, secret = basic or (
        str(form.get("client_id", "")),
        str(form.get("client_secret", "")),
    )
    expected = state.clients.get(client_id)
    if expected is None or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise _oauth_error(
            ErrorKind.UNAUTHORIZED, "invalid_client", "Unknown client or wrong secret", True
        )
    access_token = state.tokens.issue(client_id, state.clock.now(), state.token_lifetime)
    return web.json_response(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": state.token_lifetime,
        },
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def bearer_middleware(state: PmoState) -> Middleware:
    """Refuse API requests without a valid, unexpired bearer token (401 ``unauthorized``)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if is_admin_path(request.path) or request.path == TOKEN_PATH:
            return await handler(request)
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise MockError(
                ErrorKind.UNAUTHORIZED,
                "A bearer access token is required",
                headers={"WWW-Authenticate": 'Bearer realm="pmo"'},
            )
        client_id = state.tokens.client_for(value.strip(), state.clock.now())
        if client_id is None:
            raise MockError(
                ErrorKind.UNAUTHORIZED,
                "The access token is unknown or has expired",
                headers={"WWW-Authenticate": 'Bearer realm="pmo", error="invalid_token"'},
            )
        request[CLIENT_KEY] = client_id
        return await handler(request)

    return middleware
