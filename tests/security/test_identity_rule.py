"""One rule for personal identity numbers in the core, both mocks and the token check.

The core (``tidbok.identity``) and the mocks (``tidbok_mocks.common.personnummer``) each write the
rule down, because the mocks never import tidbok. These tests feed one table to both and demand the
same verdicts, and book with a reserve number at both mocks.

On the old code the mocks refused every reserve number (``19121212T123``) that the gateway had let
through, so a booking answered 502 with every unit in ``failed_units``: the table test and the
booking test fail there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from tests.mocks import conftest as mocks
from tidbok.clock import FrozenClock
from tidbok.gateway.auth import TokenVerifier, issue_token
from tidbok.gateway.problems import Unauthorized
from tidbok.identity import IdentityKind, InvalidPersonalIdentityNumber, PersonalIdentityNumber
from tidbok.settings import GatewaySettings
from tidbok_mocks.common import personnummer

SECRET = "a-test-secret-of-at-least-32-characters"
harness = mocks.harness
mock_now = mocks.mock_now

#: (text, canonical 12 characters or None when the number is invalid).
TABLE: list[tuple[str, str | None]] = [
    ("191212121212", "191212121212"),
    ("19121212-1212", "19121212" + "1212"),
    ("  191212121212 ", "191212121212"),
    ("199001012385", "199001012385"),
    ("19701063-2391", "197010632391"),  # samordningsnummer, day 03 + 60
    ("19121212T123", "19121212T123"),  # reserve numbers: the contract's pattern
    ("19121212t123", "19121212T123"),
    ("19121212-T123", "19121212T123"),
    ("19900101P123", "19900101P123"),
    ("20000101F999", "20000101F999"),
    ("19129912T123", "19129912T123"),  # a reserve number's date part is not checked
    ("191212121213", None),  # check digit
    ("19121232-1212", None),  # no 32nd
    ("19130229-1234", None),  # not a leap year
    ("19121212X123", None),  # only P, T and F
    ("19121212TT23", None),
    ("1912121212", None),  # 10 digits
    ("1912121-21212", None),  # dash in the wrong place
    ("19121212--1212", None),
    ("19121212+1212", None),
    ("19121212 1212", None),
    ("１９１２１２１２１２１２", None),  # full-width digits
    ("١٩١٢١٢١٢-١٢١٢", None),  # Arabic-Indic digits
    ("", None),
    ("SE2321000016-1234", None),
]


def core_verdict(text: str) -> str | None:
    try:
        return PersonalIdentityNumber(text).value
    except InvalidPersonalIdentityNumber:
        return None


def mock_verdict(text: str) -> str | None:
    try:
        return personnummer.parse_any(text)
    except ValueError:
        return None


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_core_and_mocks_agree_on_the_table(text: str, expected: str | None) -> None:
    assert core_verdict(text) == expected
    assert mock_verdict(text) == expected
    assert personnummer.canonical(text) == expected


@pytest.mark.parametrize(("text", "expected"), [row for row in TABLE if row[1] is not None])
def test_each_mock_wire_form_reads_the_core_wire_form(text: str, expected: str) -> None:
    pin = PersonalIdentityNumber(text)
    assert personnummer.parse_dashed(pin.dashed) == expected  # what the PASiS plugin sends
    assert personnummer.parse_plain(pin.value) == expected  # what the PMO plugin sends
    assert PersonalIdentityNumber(personnummer.dashed(expected)) == pin  # what PASiS answers


@given(
    st.text(alphabet="0123456789-PTFptfX +", min_size=10, max_size=14)
    | st.from_regex(r"\A(19|20)\d{6}-?[0-9PTFptf]\d{3}\Z")
)
def test_core_and_mocks_agree_on_generated_texts(text: str) -> None:
    assert core_verdict(text) == mock_verdict(text)


def test_a_reserve_number_is_a_reserve_number() -> None:
    assert PersonalIdentityNumber("19121212T123").kind is IdentityKind.RESERVE


@pytest.mark.parametrize(("sub", "accepted"), TABLE)
def test_the_token_check_uses_the_same_rule(sub: str, accepted: str | None) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    settings = GatewaySettings(jwt_secret=SecretStr(SECRET))
    verifier = TokenVerifier(settings, FrozenClock(now))
    token = issue_token(SECRET, sub, audience="tidbok", expires_at=now + timedelta(minutes=5))
    if accepted is None:
        with pytest.raises(Unauthorized):
            verifier.caller(f"Bearer {token}")
    else:
        assert verifier.caller(f"Bearer {token}").subject_of_care.value == accepted


@pytest.mark.parametrize("reserve", ["19121212T123", "19900101P123"])
async def test_both_mocks_book_for_a_reserve_number(harness: mocks.Harness, reserve: str) -> None:
    await mocks.seed(harness.admin, harness.scenario())
    response = await harness.book(harness.bookable_slot, person=reserve)
    assert response.status_code == 201, response.text
    body = response.json()
    answered = body.get("personnummer") or body.get("patientId")
    assert PersonalIdentityNumber(answered) == PersonalIdentityNumber(reserve)
