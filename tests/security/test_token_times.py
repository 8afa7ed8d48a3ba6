"""A correctly signed token's time claims must be finite numbers in range.

Fails on the code before issue 12: ``exp`` NaN never expired (``now > NaN + leeway`` is false) and
``exp`` Infinity never either; ``nbf``/``iat`` NaN were passed over the same way.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest

from tests.gateway.conftest import AUDIENCE, ISSUER, NOW, SECRET, TOLVAN
from tidbok.clock import FrozenClock
from tidbok.gateway import TokenVerifier
from tidbok.gateway.problems import Unauthorized
from tidbok.settings import GatewaySettings

FINE_EXP = int((NOW + timedelta(hours=1)).timestamp())


def verifier() -> TokenVerifier:
    settings = GatewaySettings(jwt_secret=SECRET, jwt_audience=AUDIENCE, jwt_issuer=ISSUER)
    return TokenVerifier(settings, FrozenClock(NOW))


def signed(**times: Any) -> str:
    claims: dict[str, Any] = {"sub": TOLVAN.value, "aud": AUDIENCE, "iss": ISSUER}
    claims.update({"exp": FINE_EXP, **times})
    return jwt.encode(claims, SECRET, algorithm="HS256")


BAD_TIMES = [
    {"exp": float("nan")},
    {"exp": float("inf")},
    {"exp": float("-inf")},
    {"exp": 1e300},
    {"exp": -1},
    {"nbf": float("nan")},
    {"nbf": float("-inf")},
    {"iat": float("nan")},
    {"iat": float("-inf")},
]


@pytest.mark.parametrize("times", BAD_TIMES, ids=repr)
def test_non_finite_or_absurd_times_are_refused(times: dict[str, float]) -> None:
    with pytest.raises(Unauthorized):
        verifier().caller(f"Bearer {signed(**times)}")


def test_a_later_clock_expires_an_ordinary_token() -> None:
    verifier().caller(f"Bearer {signed()}")  # fine now
    late = verifier()
    late.clock = FrozenClock(NOW + timedelta(days=365))
    with pytest.raises(Unauthorized):
        late.caller(f"Bearer {signed()}")


def test_fractional_seconds_are_numeric_dates() -> None:
    """RFC 7519 allows non-integer NumericDates; a finite fraction is taken."""
    assert verifier().caller(f"Bearer {signed(exp=FINE_EXP + 0.5)}").subject_of_care == TOLVAN
