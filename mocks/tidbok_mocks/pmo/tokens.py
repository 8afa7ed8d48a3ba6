"""Issued OAuth2 access tokens; they expire by the mock's clock."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class IssuedToken:
    """Who a token was issued to and until when."""

    client_id: str
    expires_at: datetime


class TokenStore:
    """Bearer tokens by value."""

    def __init__(self) -> None:
        self._tokens: dict[str, IssuedToken] = {}

    def issue(self, client_id: str, now: datetime, lifetime_seconds: int) -> str:
        """A fresh token valid for ``lifetime_seconds`` from ``now``."""
        self._tokens = {t: i for t, i in self._tokens.items() if i.expires_at > now}
        token = secrets.token_urlsafe(24)
        self._tokens[token] = IssuedToken(client_id, now + timedelta(seconds=lifetime_seconds))
        return token

    def client_for(self, token: str, now: datetime) -> str | None:
        """The client a token belongs to, or ``None`` if unknown or expired."""
        issued = self._tokens.get(token)
        if issued is None or now >= issued.expires_at:
            return None
        return issued.client_id
