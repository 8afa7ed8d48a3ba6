"""Verified tokens are remembered (by their SHA-256) until they expire on the gateway's clock."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import jwt
import pytest

from tidbok.clock import FrozenClock
from tidbok.gateway import TokenVerifier, issue_token
from tidbok.gateway.problems import Unauthorized
from tidbok.settings import GatewaySettings

from .conftest import AUDIENCE, ISSUER, NOW, OTHER, SECRET, TOLVAN


def _verifier(clock: FrozenClock, cache_size: int = 100) -> TokenVerifier:
    settings = GatewaySettings(jwt_secret=SECRET, jwt_audience=AUDIENCE, jwt_issuer=ISSUER)
    return TokenVerifier(settings, clock, cache_size=cache_size)


def _bearer(citizen: str = TOLVAN.value, expires_in: timedelta = timedelta(minutes=10)) -> str:
    token = issue_token(
        SECRET, citizen, audience=AUDIENCE, issuer=ISSUER, expires_at=NOW + expires_in
    )
    return f"Bearer {token}"


def _decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens whose signature is checked from now on."""
    seen: list[str] = []
    real = jwt.decode

    def counting(token: str, *args: object, **kwargs: object) -> object:
        seen.append(token)
        return real(token, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", counting)
    return seen


def test_a_verified_token_is_checked_once_then_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verifier = _verifier(FrozenClock(NOW))
    decodes = _decodes(monkeypatch)
    header = _bearer()
    callers = [verifier.caller(header) for _ in range(3)]
    assert [c.subject_of_care for c in callers] == [TOLVAN] * 3
    assert len(decodes) == 1
    assert verifier.caller(_bearer(OTHER.value)).subject_of_care == OTHER  # its own entry
    assert len(decodes) == 2
    token = header.removeprefix("Bearer ")
    assert hashlib.sha256(token.encode()).digest() in verifier._verified  # the hash is the key
    assert all(token not in repr(key) for key in verifier._verified)


def test_a_cached_token_is_refused_from_its_expiry_on() -> None:
    clock = FrozenClock(NOW)
    verifier = _verifier(clock)
    header = _bearer(expires_in=timedelta(minutes=10))
    assert verifier.caller(header).subject_of_care == TOLVAN
    clock.set(NOW + timedelta(minutes=10, seconds=29))  # within the 30 s leeway
    assert verifier.caller(header).subject_of_care == TOLVAN
    clock.set(NOW + timedelta(minutes=10, seconds=31))
    with pytest.raises(Unauthorized, match="expired"):
        verifier.caller(header)
    with pytest.raises(Unauthorized, match="expired"):
        verifier.caller(header)
    clock.set(NOW)  # a clock set back: verified afresh, and fine again
    assert verifier.caller(header).subject_of_care == TOLVAN


def test_refusals_are_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FrozenClock(NOW + timedelta(hours=1))
    verifier = _verifier(clock)
    header = _bearer(expires_in=timedelta(minutes=10))  # already expired at this clock
    decodes = _decodes(monkeypatch)
    for _ in range(2):
        with pytest.raises(Unauthorized, match="expired"):
            verifier.caller(header)
    assert len(decodes) == 2
    assert not verifier._verified
    forged = _bearer() + "x"
    with pytest.raises(Unauthorized, match="token refused"):
        verifier.caller(forged)
    assert not verifier._verified


def test_the_cache_is_bounded_least_recently_used_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verifier = _verifier(FrozenClock(NOW), cache_size=2)
    first, second, third = (_bearer(expires_in=timedelta(minutes=n)) for n in (5, 6, 7))
    verifier.caller(first)
    verifier.caller(second)
    verifier.caller(first)  # used again: second is now the oldest
    verifier.caller(third)
    decodes = _decodes(monkeypatch)
    verifier.caller(first)
    verifier.caller(third)
    assert decodes == []
    verifier.caller(second)  # dropped: verified again
    assert len(decodes) == 1
    assert len(verifier._verified) == 2
