"""Personal identity numbers against an independent reference implementation.

The reference below shares no code with :mod:`tidbok.identity`: its own calendar, its own Luhn
(written as "sum the digits of the products"), its own parsing. Hypothesis feeds both the same
text; they must agree on every input, valid or not.
"""

from __future__ import annotations

import logging

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tidbok.identity import IdentityKind, InvalidPersonalIdentityNumber, PersonalIdentityNumber
from tidbok.models import Booking

ASCII_DIGITS = "0123456789"
RESERVE_LETTERS = "PTF"


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if _leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _luhn_check_digit(nine: str) -> int:
    """The check digit for the nine digits YYMMDDNNN (weights 2,1,2,1,...)."""
    total = 0
    for position, char in enumerate(nine):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += sum(int(d) for d in str(product))
    return (10 - total % 10) % 10


def reference(text: str) -> tuple[IdentityKind, str] | None:
    """(kind, 12-character value) of a valid number, or None. Only ASCII digits count."""
    text = text.strip(" \t\n\r\x0b\x0c")
    if len(text) == 13 and text[8] == "-":
        text = text[:8] + text[9:]
    if len(text) != 12:
        return None
    birth, ninth, rest = text[:8], text[8].upper(), text[9:]
    if any(c not in ASCII_DIGITS for c in birth + rest):
        return None
    if ninth in RESERVE_LETTERS:
        return IdentityKind.RESERVE, birth + ninth + rest
    if ninth not in ASCII_DIGITS:
        return None
    year, month, day = int(birth[:4]), int(birth[4:6]), int(birth[6:8])
    kind = IdentityKind.PERSONNUMMER
    if day > 60:
        kind, day = IdentityKind.SAMORDNINGSNUMMER, day - 60
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return None
    value = birth + ninth + rest
    if _luhn_check_digit(value[2:11]) != int(value[11]):
        return None
    return kind, value


def tidbok(text: str) -> tuple[IdentityKind, str] | None:
    try:
        pin = PersonalIdentityNumber(text)
    except InvalidPersonalIdentityNumber:
        return None
    return pin.kind, pin.value


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    """A valid personnummer, samordningsnummer or reserve number, in any accepted spelling."""
    year = draw(st.integers(1850, 2099))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, _days_in_month(year, month)))
    kind = draw(st.sampled_from(list(IdentityKind)))
    serial = draw(st.integers(0, 999))
    if kind is IdentityKind.RESERVE:
        letter = draw(st.sampled_from(RESERVE_LETTERS + RESERVE_LETTERS.lower()))
        body = f"{year:04d}{month:02d}{draw(st.integers(0, 99)):02d}{letter}{serial:03d}"
    else:
        shown_day = day + 60 if kind is IdentityKind.SAMORDNINGSNUMMER else day
        nine = f"{year % 100:02d}{month:02d}{shown_day:02d}{serial:03d}"
        body = f"{year // 100:02d}{nine}{_luhn_check_digit(nine)}"
    if draw(st.booleans()):
        body = f"{body[:8]}-{body[8:]}"
    return body


def mutate(text: str, position: int, replacement: str) -> str:
    return text[:position] + replacement + text[position + 1 :]


@given(valid_numbers())
def test_valid_numbers_are_accepted_with_their_kind(text: str) -> None:
    expected = reference(text)
    assert expected is not None
    assert tidbok(text) == expected


@given(
    valid_numbers(),
    st.integers(0, 12),
    st.sampled_from(ASCII_DIGITS + "PTFptfX-+ /"),
)
def test_one_changed_character_is_judged_like_the_reference(
    text: str, position: int, replacement: str
) -> None:
    changed = mutate(text, min(position, len(text) - 1), replacement)
    assert tidbok(changed) == reference(changed)


@given(
    st.text(
        alphabet=st.sampled_from(ASCII_DIGITS + "PTFptf-+ "),
        min_size=10,
        max_size=14,
    )
)
def test_short_digit_texts_are_judged_like_the_reference(text: str) -> None:
    assert tidbok(text) == reference(text)


@given(st.text(max_size=20))
def test_any_text_is_judged_like_the_reference(text: str) -> None:
    assert tidbok(text) == reference(text)


@given(valid_numbers())
def test_unicode_digits_are_refused(text: str) -> None:
    """Arabic-Indic, full-width and other non-ASCII digits never make a valid number."""
    for zero in ("\u0660", "\uff10", "\u0966"):
        foreign = "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in text)
        assert tidbok(foreign) is None


@given(valid_numbers(), st.integers(0, 9999))
def test_masking_never_reveals_the_last_four(text: str, last_four: int) -> None:
    """Every rendering is the same whatever the last four are: it carries nothing of them."""
    pin = PersonalIdentityNumber(text)
    renderings = {
        str(pin),
        repr(pin),
        f"{pin}",
        f"{pin:>20}".strip(),
        pin.masked,
        "%s" % (pin,),  # noqa: UP031 - the logging module formats this way
    }
    expected = f"{pin.value[:8]}-****"
    assert all(expected in rendering for rendering in renderings)
    assert all(
        pin.value[8:] not in rendering.replace(pin.value[:8], "") for rendering in renderings
    )
    # A sibling number differing only in the last four renders identically.
    sibling = reference(f"{pin.value[:8]}{last_four:04d}")
    if sibling is not None:
        other = PersonalIdentityNumber(sibling[1])
        assert str(other) == str(pin)
        assert repr(other) == repr(pin)


@given(valid_numbers())
def test_models_and_logs_mask_the_number(text: str) -> None:
    pin = PersonalIdentityNumber(text)
    assume(pin.kind is not IdentityKind.RESERVE or pin.value[8:] not in pin.value[:8])
    booking = Booking.model_validate(
        {
            "id": "b1",
            "unit": "SE2321000016-1234",
            "subject_of_care": pin,
            "start": "2026-12-02T10:00:00+01:00",
            "end": "2026-12-02T10:30:00+01:00",
            "time_type_id": "t",
            "time_type_name": "Läkarbesök",
        }
    )
    for rendering in (repr(booking), str(booking)):
        assert pin.value not in rendering
        assert pin.dashed not in rendering
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "citizen %s", (pin,), None)
    assert pin.value not in record.getMessage()
    assert booking.model_dump(mode="json")["subject_of_care"] == pin.value


@given(st.text(min_size=12, max_size=20))
def test_refusals_never_echo_the_input(text: str) -> None:
    assume(reference(text) is None and text.strip())
    with pytest.raises(InvalidPersonalIdentityNumber) as refused:
        PersonalIdentityNumber(text)
    assert text.strip() not in str(refused.value)
