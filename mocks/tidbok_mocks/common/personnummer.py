"""Swedish personal identity numbers: personnummer, samordningsnummer and reserve numbers.

One rule, the same as ``tidbok.identity.PersonalIdentityNumber`` (the mocks never import tidbok, so
it is written twice; ``tests/security/test_identity_rule.py`` feeds one table to both):

* 12 characters ``YYYYMMDD`` + ``X`` + ``NNN``, optionally with a dash before the last four;
  surrounding whitespace is ignored. Digits are ASCII only.
* ``X`` a digit: personnummer, or samordningsnummer when the day is + 60. The date part must name a
  real date and the last digit is the Luhn check digit of ``YYMMDDNNN``.
* ``X`` one of ``P``, ``T``, ``F`` (either case): a national reserve number, the national contract's
  SubjectOfCareIdType pattern ``\\d{8}[\\dpPtTfF]\\d{3}``. Neither date nor check digit is checked.

The canonical form is 12 characters, the letter upper-cased (``19121212T123``). PASiS writes them
with a dash (``19121212-1212``, ``19121212-T123``), PMO without (``191212121212``).
"""

from __future__ import annotations

import re
from datetime import date

_NUMBER = re.compile(r"^(\d{8})(-?)([0-9PTFptf])(\d{3})$", re.ASCII)


def luhn_check_digit(nine_digits: str) -> int:
    """The Luhn check digit for the nine digits ``YYMMDDNNN``."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def canonical(text: str) -> str | None:
    """The canonical 12 characters of a valid number in either spelling, or None."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    birth, _dash, ninth, rest = match.groups()
    value = f"{birth}{ninth.upper()}{rest}"
    return value if is_valid(value) else None


def is_valid(canonical: str) -> bool:
    """Whether 12 canonical characters form a valid number (see the module's rule)."""
    match = _NUMBER.fullmatch(canonical)
    if match is None or match.group(2):
        return False
    if not match.group(3).isdigit():
        return match.group(3).isupper()
    year, month, day = int(canonical[0:4]), int(canonical[4:6]), int(canonical[6:8])
    if day > 60:
        day -= 60
    try:
        date(year, month, day)
    except ValueError:
        return False
    return luhn_check_digit(canonical[2:11]) == int(canonical[11])


def _parse(text: str, dash: bool, form: str) -> str:
    match = _NUMBER.fullmatch(text)
    if match is None or bool(match.group(2)) != dash:
        raise ValueError(f"not in the form {form}")
    value = canonical(text)
    if value is None:
        raise ValueError("not a valid personal identity number (date or check digit)")
    return value


def parse_dashed(text: str) -> str:
    """Parse PASiS's ``YYYYMMDD-NNNN`` (or ``YYYYMMDD-TNNN``) form into canonical form."""
    return _parse(text, dash=True, form="YYYYMMDD-NNNN")


def parse_plain(text: str) -> str:
    """Parse PMO's ``YYYYMMDDNNNN`` (or ``YYYYMMDDTNNN``) form into canonical form."""
    return _parse(text, dash=False, form="YYYYMMDDNNNN")


def parse_any(text: str) -> str:
    """Parse either spelling (used by the admin API); surrounding whitespace is ignored."""
    value = canonical(text)
    if value is None:
        raise ValueError("not a valid personal identity number (YYYYMMDD-NNNN or YYYYMMDDNNNN)")
    return value


def dashed(canonical: str) -> str:
    """Canonical 12 characters as ``YYYYMMDD-NNNN``."""
    return f"{canonical[:8]}-{canonical[8:]}"
