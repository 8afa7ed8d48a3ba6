"""OAuth2 client credentials (RFC 6749 section 4.4) as an ``httpx.Auth``, for any plugin.

:class:`ClientCredentialsAuth` fetches an access token from the token endpoint, caches it until
shortly before it expires, and sends it as ``Authorization: Bearer``. When the backend answers 401
(the token expired by the backend's clock, or was revoked) it fetches a new token once and repeats
the request once. Concurrent requests share one token fetch (an :class:`asyncio.Lock`).

Neither the token nor the client secret is ever logged or put in an error message.

A token endpoint that cannot be reached, answers an error, or answers something that is not a token
raises :class:`TokenUnavailable`, an ``httpx.ConnectError``: the API request was never sent, so
:class:`tidbok.backend_http.BackendHttp` treats it like a refused connection (backend unavailable,
retried, counted by the circuit breaker) and never as a write with an unknown outcome.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tidbok.backend_http import shared_tls_context

log = logging.getLogger("tidbok.oauth")

#: Seconds before a token's expiry at which it is renewed.
DEFAULT_REFRESH_MARGIN = 30.0
#: Seconds a token is cached when the endpoint names no ``expires_in``.
DEFAULT_LIFETIME = 300.0


class TokenUnavailable(httpx.ConnectError):
    """No access token could be obtained, so the API request was not sent."""


class _TokenAnswer(BaseModel):
    """The token endpoint's successful answer (RFC 6749 section 5.1)."""

    model_config = ConfigDict(extra="ignore")

    access_token: str = Field(min_length=1)
    token_type: str
    expires_in: float | None = Field(default=None, gt=0)


@dataclass(frozen=True)
class _Token:
    value: str
    renew_at: float


class ClientCredentialsAuth(httpx.Auth):
    """Bearer tokens from an OAuth2 client-credentials grant, cached and refreshed.

    ``client`` sends the token requests (one is created, and closed by :meth:`aclose`, when none
    is given). ``timeout`` bounds one token request. ``monotonic`` is the time source for expiry;
    tokens live ``expires_in`` seconds by the server's own clock, so only elapsed time matters.
    ``basic`` sends the client credentials as HTTP Basic instead of in the form body.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        basic: bool = False,
        timeout: float = 5.0,
        refresh_margin: float = DEFAULT_REFRESH_MARGIN,
        client: httpx.AsyncClient | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self._secret = client_secret
        self._scope = scope
        self._basic = basic
        self._refresh_margin = refresh_margin
        self._monotonic = monotonic
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), verify=shared_tls_context()
        )
        self._timeout = timeout
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0
        """How many tokens have been fetched (for tests and metrics)."""

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(token_url={self.token_url!r}, client_id={self.client_id!r})"

    async def aclose(self) -> None:
        """Close the token client if this object created it."""
        if self._owns_client:
            await self._client.aclose()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        """Refused: the token cache is shared by asyncio tasks; use an ``httpx.AsyncClient``."""
        raise RuntimeError("ClientCredentialsAuth works only with httpx.AsyncClient")
        yield request  # pragma: no cover - makes this a generator, as httpx expects

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Send the request with a bearer token; on 401 renew the token and send it once more."""
        token = await self.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        log.info("backend answered 401; renewing the access token once")
        token = await self.token(rejected=token)
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    async def token(self, rejected: str | None = None) -> str:
        """A valid access token: the cached one, or a new one if it is old or was ``rejected``."""
        cached = self._token
        if cached is not None and cached.value != rejected and self._fresh(cached):
            return cached.value
        async with self._lock:
            cached = self._token  # another task may have renewed it while this one waited
            if cached is not None and cached.value != rejected and self._fresh(cached):
                return cached.value
            self._token = await self._fetch()
            return self._token.value

    def forget(self) -> None:
        """Drop the cached token; the next request fetches a new one."""
        self._token = None

    def _fresh(self, token: _Token) -> bool:
        return self._monotonic() < token.renew_at

    async def _fetch(self) -> _Token:
        form = {"grant_type": "client_credentials"}
        auth: httpx.BasicAuth | None = None
        if self._basic:
            auth = httpx.BasicAuth(self.client_id, self._secret)
        else:
            form |= {"client_id": self.client_id, "client_secret": self._secret}
        if self._scope is not None:
            form["scope"] = self._scope
        started = self._monotonic()
        try:
            response = await self._client.post(
                self.token_url,
                data=form,
                auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
                headers={"Accept": "application/json"},
                timeout=httpx.Timeout(self._timeout),
            )
        except httpx.HTTPError as error:
            log.warning("token request failed: %s", type(error).__name__)
            raise TokenUnavailable(f"token endpoint unreachable ({type(error).__name__})") from None
        if response.status_code != 200:
            oauth_error = _oauth_error(response)
            status = response.status_code
            log.warning("token request refused: status=%s error=%s", status, oauth_error)
            raise TokenUnavailable(f"token endpoint answered {status} ({oauth_error})")
        try:
            answer = _TokenAnswer.model_validate(response.json())
        except (ValueError, ValidationError):
            detail = "token endpoint answered something that is not a token"
            log.warning(detail)
            raise TokenUnavailable(detail) from None
        if answer.token_type.lower() != "bearer":
            raise TokenUnavailable(f"token endpoint issued a {answer.token_type!r} token")
        lifetime = answer.expires_in or DEFAULT_LIFETIME
        margin = min(self._refresh_margin, lifetime / 2)
        self.fetches += 1
        log.info("access token fetched: lifetime_s=%.0f", lifetime)
        return _Token(answer.access_token, started + lifetime - margin)


def _oauth_error(response: httpx.Response) -> str:
    """The OAuth ``error`` code of a refused token request, if it names one."""
    try:
        body = response.json()
    except ValueError:
        return "no error code"
    error = body.get("error") if isinstance(body, dict) else None
    return str(error) if isinstance(error, str) else "no error code"
