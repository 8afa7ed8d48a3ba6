"""Identifiers from the glossary: the citizen's personal identity number and the HSA-id of a unit.

A :class:`PersonalIdentityNumber` never shows itself in full: ``str``, ``repr``, f-strings and log
lines all get the masked form. Code that must send it over the wire reads :attr:`value`.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, GetCoreSchemaHandler
from pydantic_core import core_schema

from tidbok.errors import InvalidInput

# ASCII only: ``\d`` alone also matches Arabic-Indic, full-width and other Unicode digits, which
# int() and date() accept, so such a text would pass as a valid number and reach the wire.
_PIN_PATTERN = re.compile(r"^(\d{8})-?([0-9pPtTfF])(\d{3})$", re.ASCII)


class IdentityKind(StrEnum):
    """The three forms of Swedish personal identity numbers tidbok accepts."""

    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVE = "reserve"


class InvalidPersonalIdentityNumber(InvalidInput):
    """The text is not a valid personnummer, samordningsnummer or reserve number."""

    citizen_text = "Personnumret är inte giltigt. Kontrollera att du skrivit tolv siffror."


def luhn_ok(digits: str) -> bool:
    """Whether ``digits`` (the ten digits YYMMDDNNNC) carry a correct Luhn check digit."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


class PersonalIdentityNumber:
    """A validated personal identity number (12 characters, ``YYYYMMDDNNNC``).

    Accepts an optional dash before the last four characters. Personnummer and samordningsnummer
    (day + 60) must name a real date and carry a correct check digit; a reserve number has a letter
    P, T or F in position 9 and no check digit.
    """

    __slots__ = ("_kind", "_value")

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise InvalidPersonalIdentityNumber("personal identity number must be a string")
        match = _PIN_PATTERN.fullmatch(text.strip())
        if match is None:
            raise InvalidPersonalIdentityNumber("expected 12 characters YYYYMMDDNNNC")
        birth, ninth, rest = match.groups()
        value = f"{birth}{ninth.upper()}{rest}"
        if not ninth.isdigit():
            self._kind = IdentityKind.RESERVE
        else:
            day = int(birth[6:8])
            self._kind = IdentityKind.SAMORDNINGSNUMMER if day > 60 else IdentityKind.PERSONNUMMER
            real_day = day - 60 if day > 60 else day
            try:
                date(int(birth[0:4]), int(birth[4:6]), real_day)
            except ValueError:
                raise InvalidPersonalIdentityNumber("the date part is not a real date") from None
            if not luhn_ok(value[2:]):
                raise InvalidPersonalIdentityNumber("the check digit is wrong")
        self._value = value

    @property
    def value(self) -> str:
        """The full 12-character number, for the wire only; never log it."""
        return self._value

    @property
    def dashed(self) -> str:
        """The full number with a dash before the last four (``19121212-1212``); wire only."""
        return f"{self._value[:8]}-{self._value[8:]}"

    @property
    def kind(self) -> IdentityKind:
        """Personnummer, samordningsnummer or reserve number."""
        return self._kind

    @property
    def masked(self) -> str:
        """The number with its last four characters hidden: ``19121212-****``."""
        return f"{self._value[:8]}-****"

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"PersonalIdentityNumber('{self.masked}')"

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PersonalIdentityNumber):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(raw: Any) -> PersonalIdentityNumber:
            if isinstance(raw, PersonalIdentityNumber):
                return raw
            try:
                return cls(raw)
            except InvalidPersonalIdentityNumber as error:
                # The message never echoes the input.
                raise ValueError(error.detail) from None

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda pin: pin.value, when_used="json"
            ),
        )


_HSA_PATTERN = re.compile(r"^[A-Z]{2}[0-9A-Z]{6,20}-[0-9A-Z]{1,20}$")


def normalize_hsa_id(text: str) -> str:
    """Validate an HSA-id such as ``SE2321000016-1234`` and return it upper-cased.

    HSA-ids compare case-insensitively; upper-casing once makes plain ``==`` correct.
    """
    normalized = text.strip().upper()
    if not _HSA_PATTERN.fullmatch(normalized):
        raise ValueError("not an HSA-id (expected e.g. SE2321000016-1234)")
    return normalized


#: An HSA-id, normalized to upper case so that comparison is case-insensitive.
HsaId = Annotated[str, AfterValidator(normalize_hsa_id)]
