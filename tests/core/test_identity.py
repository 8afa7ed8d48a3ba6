"""Personal identity numbers and HSA-ids: accepted, refused with the typed error, never printed."""

from __future__ import annotations

import logging

import pytest
from pydantic import BaseModel, ValidationError

from tidbok.errors import InvalidInput, describe_validation_error
from tidbok.identity import IdentityKind, PersonalIdentityNumber, normalize_hsa_id


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("191212121212", IdentityKind.PERSONNUMMER),
        ("19121212-1212", IdentityKind.PERSONNUMMER),
        ("199001012385", IdentityKind.PERSONNUMMER),
        ("197010632391", IdentityKind.SAMORDNINGSNUMMER),
        ("19900101P123", IdentityKind.RESERVE),
        ("19900101t123", IdentityKind.RESERVE),
        ("20000101F999", IdentityKind.RESERVE),
    ],
)
def test_valid_numbers_are_accepted(text: str, kind: IdentityKind) -> None:
    pin = PersonalIdentityNumber(text)
    assert pin.kind is kind
    assert len(pin.value) == 12
    assert "-" not in pin.value


@pytest.mark.parametrize(
    "text",
    [
        "191212121213",  # bad check digit
        "197010632390",  # samordningsnummer, bad check digit
        "19200230-1238",  # 30 February: the check digit is right but the date is not
        "1912121212",  # ten digits: the century is missing
        "1912121212120",  # thirteen digits
        "19121212X212",  # a letter that is not P, T or F
        "hello world!",
        "",
        "1912-12-12-1212",
    ],
)
def test_invalid_numbers_are_refused_with_the_typed_error(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        PersonalIdentityNumber(text)
    assert raised.value.code == "invalid_input"
    assert "Personnumret" in raised.value.citizen_text


def test_non_string_is_refused() -> None:
    with pytest.raises(InvalidInput):
        PersonalIdentityNumber(191212121212)  # type: ignore[arg-type]


def test_number_is_masked_in_str_repr_format_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    pin = PersonalIdentityNumber("191212121212")
    assert str(pin) == "19121212-****"
    assert "1212121212" not in repr(pin)
    assert f"{pin}" == "19121212-****"
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("citizen %s booked (%r)", pin, pin)
    assert "191212121212" not in caplog.text
    assert "-1212" not in caplog.text
    assert "19121212-****" in caplog.text


class _Holder(BaseModel):
    pin: PersonalIdentityNumber


def test_models_validate_and_never_echo_the_input() -> None:
    assert _Holder(pin="19121212-1212").pin == PersonalIdentityNumber("191212121212")
    with pytest.raises(ValidationError) as raised:
        _Holder(pin="191212121213")
    summary = describe_validation_error(raised.value)
    assert "check digit" in summary
    assert "191212121213" not in summary
    holder = _Holder(pin="191212121212")
    assert "191212121212" not in repr(holder)
    assert holder.model_dump(mode="json") == {"pin": "191212121212"}


def test_equal_numbers_compare_and_hash_equal() -> None:
    assert PersonalIdentityNumber("19121212-1212") == PersonalIdentityNumber("191212121212")
    assert (
        len({PersonalIdentityNumber("191212121212"), PersonalIdentityNumber("191212121212")}) == 1
    )


@pytest.mark.parametrize("text", ["se2321000016-1234", "SE2321000016-1234", " Se2321000016-1234 "])
def test_hsa_ids_compare_case_insensitively(text: str) -> None:
    assert normalize_hsa_id(text) == "SE2321000016-1234"


@pytest.mark.parametrize("text", ["", "2321000016-1234", "SE2321000016", "SE 232-1"])
def test_bad_hsa_ids_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="HSA-id"):
        normalize_hsa_id(text)


def test_tracebacks_are_masked_by_the_redacting_filter(caplog: pytest.LogCaptureFixture) -> None:
    from tidbok.logsafe import RedactingFilter

    logger = logging.getLogger("test.redaction")
    handler = logging.StreamHandler()
    seen: list[str] = []
    handler.emit = lambda record: seen.append(handler.format(record))  # type: ignore[method-assign]
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError("backend said: no booking for 19121212-1212 or 199001012385")
        except RuntimeError:
            logger.exception("call failed for 191212121212")
    finally:
        logger.removeHandler(handler)
    [text] = seen
    assert "RuntimeError" in text
    assert "1212-1212" not in text
    assert "191212121212" not in text
    assert "199001012385" not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("citizen 191212121212 booked", "citizen 19121212-**** booked"),
        ("citizen 19121212-1212 booked", "citizen 19121212-**** booked"),
        ("reserve 19900101P123.", "reserve 19900101-****."),
        ("short 121212-1212 form", "short 121212-**** form"),
        ("?personnummer=19121212-1212&x=1", "?personnummer=19121212-****&x=1"),
        ("unit SE2321000016-1111 answered", "unit SE2321000016-1111 answered"),
        ("booking B1001 slot S-2026-11-27", "booking B1001 slot S-2026-11-27"),
        ("took 1234567890 ns", "took 1234567890 ns"),
    ],
)
def test_redaction_masks_numbers_but_keeps_hsa_ids(text: str, expected: str) -> None:
    from tidbok.logsafe import redact

    assert redact(text) == expected
