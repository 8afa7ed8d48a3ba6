"""Bearer-JWT authentication: the 1177 platform's token names the citizen (and any agent).

The token is checked with PyJWT (signature, ``aud``, ``iss`` when configured); its time claims are
checked against the injected clock so that tests and demos with a frozen clock behave. ``sub`` is
the citizen's personal identity number; the configured agent claim (default ``act``, RFC 8693 style
``{"sub": "nurse-17"}`` or a plain string) marks an agent acting for the citizen.

A citizen's app sends the same token with every request, so :class:`TokenVerifier` keeps the
callers of tokens it verified (at most :data:`TOKEN_CACHE_SIZE`, least recently used dropped
first), keyed by the SHA-256 of the token, never the token itself. A cached token skips the
signature check only: its time claims are checked against the clock on every request, so it is
refused from its ``exp`` on exactly as an uncached one; refused tokens are not cached.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import jwt

from tidbok.clock import Clock
from tidbok.gateway.problems import Unauthorized
from tidbok.identity import InvalidPersonalIdentityNumber, PersonalIdentityNumber
from tidbok.models import Caller
from tidbok.settings import GatewaySettings

log = logging.getLogger("tidbok.gateway.auth")

MIN_SECRET_LENGTH = 32

#: The most verified tokens :class:`TokenVerifier` remembers.
TOKEN_CACHE_SIZE = 10_000


class GatewayConfigError(ValueError):
    """The gateway settings cannot work (e.g. no key to check tokens with)."""


class TokenVerifier:
    """Turns an ``Authorization`` header into a :class:`~tidbok.models.Caller`."""

    def __init__(
        self, settings: GatewaySettings, clock: Clock, *, cache_size: int = TOKEN_CACHE_SIZE
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._key = verification_key(settings)
        self.cache_size = cache_size
        self._verified: OrderedDict[bytes, tuple[Caller, dict[str, Any]]] = OrderedDict()

    def caller(self, authorization: str | None) -> Caller:
        """The caller named by a ``Bearer`` header; :class:`Unauthorized` for anything else."""
        if not authorization:
            raise Unauthorized("no Authorization header")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("the Authorization header is not a Bearer token")
        token = token.strip()
        digest = hashlib.sha256(token.encode()).digest()
        cached = self._verified.get(digest)
        if cached is not None:
            found, claims = cached
            try:
                self._check_times(claims)
            except Unauthorized:
                del self._verified[digest]
                raise
            self._verified.move_to_end(digest)
            return found
        claims = self.claims(token)
        found = self._caller_of(claims)
        if self.cache_size > 0:
            self._verified[digest] = (found, claims)
            if len(self._verified) > self.cache_size:
                self._verified.popitem(last=False)
        return found

    def _caller_of(self, claims: dict[str, Any]) -> Caller:
        try:
            citizen = PersonalIdentityNumber(claims["sub"])
        except (InvalidPersonalIdentityNumber, KeyError, TypeError):
            raise Unauthorized("the token's sub is not a personal identity number") from None
        return Caller(
            subject_of_care=citizen,
            agent_id=self._agent(claims),
            given_name=_name(claims.get("given_name")),
            family_name=_name(claims.get("family_name")),
        )

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of ``token``."""
        settings = self.settings
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[settings.jwt_algorithm],
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                options={
                    "require": ["exp", "sub", "aud"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as error:
            log.info("token refused: %s", type(error).__name__)
            raise Unauthorized(f"token refused: {type(error).__name__}") from None
        self._check_times(claims)
        return claims

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self.clock.now().astimezone(UTC).timestamp()
        leeway = self.settings.jwt_leeway
        exp = _number(claims.get("exp"), "exp")
        if exp is None or now > exp + leeway:
            log.info("token refused: expired")
            raise Unauthorized("token expired")
        nbf = _number(claims.get("nbf"), "nbf")
        if nbf is not None and now < nbf - leeway:
            log.info("token refused: not yet valid")
            raise Unauthorized("token not yet valid")
        iat = _number(claims.get("iat"), "iat")
        if iat is not None and iat - leeway > now:
            log.info("token refused: issued in the future")
            raise Unauthorized("token issued in the future")

    def _agent(self, claims: dict[str, Any]) -> str | None:
        raw = claims.get(self.settings.agent_claim)
        if raw is None:
            return None
        if isinstance(raw, dict):
            raw = raw.get("sub")
        if not isinstance(raw, str) or not raw.strip() or len(raw) > 200:
            raise Unauthorized(f"the token's {self.settings.agent_claim} claim is malformed")
        return raw.strip()


def _name(value: Any) -> str | None:
    """An OIDC name claim (``given_name``, ``family_name``), or None when absent or unusable."""
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        return None
    return value.strip()


#: The largest time claim taken (9999-12-31T23:59:59Z); beyond it, or NaN/Infinity: refused.
MAX_TIME_CLAIM = 253_402_300_799


def _number(value: Any, name: str) -> float | None:
    """A NumericDate claim (RFC 7519: seconds, possibly fractional); anything that is not a
    finite JSON number within ``[0, MAX_TIME_CLAIM]`` is refused: ``exp`` NaN or Infinity would
    otherwise never expire (every comparison with NaN is false)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unauthorized(f"the token's {name} claim is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise Unauthorized(f"the token's {name} claim is not a finite number")
    if not 0 <= value <= MAX_TIME_CLAIM:
        raise Unauthorized(f"the token's {name} claim is out of range")
    return float(value)


def verification_key(settings: GatewaySettings) -> str:
    """The key tokens are checked with; :class:`GatewayConfigError` when it is missing or weak."""
    if settings.jwt_algorithm == "HS256":
        if settings.jwt_secret is None:
            raise GatewayConfigError("gateway.jwt_secret is required for HS256 tokens")
        secret = settings.jwt_secret.get_secret_value()
        if len(secret) < MIN_SECRET_LENGTH:
            raise GatewayConfigError(
                f"gateway.jwt_secret must be at least {MIN_SECRET_LENGTH} characters"
            )
        return secret
    if not settings.jwt_public_key or "BEGIN PUBLIC KEY" not in settings.jwt_public_key:
        raise GatewayConfigError("gateway.jwt_public_key (PEM) is required for RS256 tokens")
    return settings.jwt_public_key


def issue_token(
    secret_or_private_key: str,
    subject: str,
    *,
    audience: str,
    expires_at: datetime,
    algorithm: str = "HS256",
    issuer: str | None = None,
    agent_id: str | None = None,
    agent_claim: str = "act",
    issued_at: datetime | None = None,
) -> str:
    """Make a token as the 1177 platform would; for tests, demos and local trials."""
    claims: dict[str, Any] = {
        "sub": subject,
        "aud": audience,
        "exp": int(expires_at.astimezone(UTC).timestamp()),
    }
    if issued_at is not None:
        claims["iat"] = int(issued_at.astimezone(UTC).timestamp())
    if issuer is not None:
        claims["iss"] = issuer
    if agent_id is not None:
        claims[agent_claim] = {"sub": agent_id}
    return jwt.encode(claims, secret_or_private_key, algorithm=algorithm)
