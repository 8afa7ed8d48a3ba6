"""Logging that never carries a personal identity number.

:class:`PersonalIdentityNumber` already renders masked; this filter is the second line of defence
for numbers that arrive as plain strings (a backend's error text, a URL). Install it with
:func:`install_redaction` or let ``tidbok``'s CLI do it.
"""

from __future__ import annotations

import logging
import re
from calendar import monthrange

from tidbok.identity import luhn_ok

# What counts as a personal identity number here (the rule of ``tidbok.identity``, plus the forms
# people write in text): the 12-character form YYYYMMDD-NNNC or the 10-digit form YYMMDD-NNNC, each
# with an optional separator ``-`` or ``+`` (also URL-encoded, %2D or %2B) before the last four.
# With a digit in position 9 (of 12), the date part must be a real date (the day may be + 60, a
# samordningsnummer; for the 10-digit form some century must make it one) and the last digit the
# Luhn check digit; with a letter P, T or F there (12-character form only) it is a reserve number,
# whose date and check digit are not checked.
#
# However it is embedded: only a digit may not touch it, so a number after a letter, a quote, an
# ``=`` or a URL escape (``%3D19121212-1212``, ``%2219121212-1212``) is found, and so is a number in
# JSON. Candidates that fail the date or the check digit stay as they are: slot ids such as
# ``T-PROV-20261204-0800``, timestamps and counters are not numbers. (An id whose digits happen to
# form a valid number is masked; that errs on the safe side.)
_SEPARATOR = r"(?:[-+]|%2[BbDd])?"
_CANDIDATE = re.compile(
    r"(?:(?<![0-9])|(?<=%[0-9A-Fa-f]{2}))"
    rf"(?:(?P<long>[0-9]{{8}}){_SEPARATOR}(?P<long_tail>[0-9PTFptf][0-9]{{3}})"
    rf"|(?P<short>[0-9]{{6}}){_SEPARATOR}(?P<short_tail>[0-9]{{4}}))"
    r"(?![0-9])",
    re.ASCII,
)


def _real_day(years: tuple[int, ...], month: int, day: int) -> bool:
    if day > 60:
        day -= 60
    if not 1 <= month <= 12 or day < 1:
        return False
    return any(year >= 1 and day <= monthrange(year, month)[1] for year in years)


def is_personal_identity_number(birth: str, tail: str) -> bool:
    """Whether ``birth`` (8 or 6 digits) and ``tail`` (4 characters) form a number (see above)."""
    if not tail[0].isdigit():
        return len(birth) == 8 and tail[0] in "PTFptf"
    if len(birth) == 8:
        years: tuple[int, ...] = (int(birth[:4]),)
        month, day, digits = int(birth[4:6]), int(birth[6:8]), birth[2:] + tail
    else:
        years = (1800 + int(birth[:2]), 1900 + int(birth[:2]), 2000 + int(birth[:2]))
        month, day, digits = int(birth[2:4]), int(birth[4:6]), birth + tail
    return _real_day(years, month, day) and luhn_ok(digits)


def redact(text: str) -> str:
    """Replace every personal identity number in ``text`` with its masked form (``YYYYMMDD-****``).

    Nothing else changes: see the comment above for what counts as a number.
    """
    parts: list[str] = []
    done = position = 0
    while (match := _CANDIDATE.search(text, position)) is not None:
        birth = match.group("long") or match.group("short")
        tail = match.group("long_tail") or match.group("short_tail")
        if is_personal_identity_number(birth, tail):
            parts += [text[done : match.start()], f"{birth}-****"]
            done = position = match.end()
        else:
            # Not a number; a shorter one may still start inside it (after a URL escape).
            position = match.start() + 1
    parts.append(text[done:])
    return "".join(parts)


class RedactingFilter(logging.Filter):
    """A logging filter that masks personal identity numbers in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; never drops a record."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # Format the traceback now so that its text, too, is masked.
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FORMATTER = logging.Formatter()


def install_redaction(handler: logging.Handler) -> None:
    """Attach the redacting filter to a handler; it then sees every propagated record."""
    if not any(isinstance(existing, RedactingFilter) for existing in handler.filters):
        handler.addFilter(RedactingFilter())


#: Libraries whose DEBUG lines carry SQL with its parameters (hashed citizen keys, booking ids)
#: or every connection detail: kept at WARNING even with ``--log-level DEBUG``.
QUIET_LIBRARIES = ("aiosqlite", "psycopg", "psycopg.pool")


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr in one key=value line per event, personal identity numbers masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    install_redaction(handler)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for chatty in QUIET_LIBRARIES:
        logging.getLogger(chatty).setLevel(logging.WARNING)
