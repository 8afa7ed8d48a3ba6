"""Swedish personal identity numbers (personnummer and samordningsnummer), 12-digit form.

The canonical form inside the mocks is 12 digits, ``YYYYMMDDNNNC``. PASiS writes them with a dash
(``19121212-1212``), PMO without (``191212121212``). Reserve numbers with letters are not supported.
"""

from __future__ import annotations

import re
from datetime import date

_DASHED = re.compile(r"^(\d{8})-(\d{4})$", re.ASCII)
_PLAIN = re.compile(r"^\d{12}$", re.ASCII)


def luhn_check_digit(nine_digits: str) -> int:
    """The Luhn check digit for the nine digits ``YYMMDDNNN``."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def is_valid(canonical: str) -> bool:
    """Whether 12 digits form a valid personnummer or samordningsnummer (date and Luhn)."""
    if not _PLAIN.match(canonical):
        return False
    year, month, day = int(canonical[0:4]), int(canonical[4:6]), int(canonical[6:8])
    if day > 60:
        day -= 60
    try:
        date(year, month, day)
    except ValueError:
        return False
    return luhn_check_digit(canonical[2:11]) == int(canonical[11])


def _checked(canonical: str, text: str) -> str:
    if not is_valid(canonical):
        raise ValueError(f"{text!r} is not a valid personnummer (date or check digit)")
    return canonical


def parse_dashed(text: str) -> str:
    """Parse PASiS's ``YYYYMMDD-NNNN`` form into canonical 12 digits."""
    match = _DASHED.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not in the form YYYYMMDD-NNNN")
    return _checked(match.group(1) + match.group(2), text)


def parse_plain(text: str) -> str:
    """Parse PMO's ``YYYYMMDDNNNN`` form into canonical 12 digits."""
    if not _PLAIN.match(text):
        raise ValueError(f"{text!r} is not 12 digits YYYYMMDDNNNN")
    return _checked(text, text)


def parse_any(text: str) -> str:
    """Parse either form (used by the admin API)."""
    return parse_dashed(text) if "-" in text else parse_plain(text)


def dashed(canonical: str) -> str:
    """Canonical 12 digits as ``YYYYMMDD-NNNN``."""
    return f"{canonical[:8]}-{canonical[8:]}"
