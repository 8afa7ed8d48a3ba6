"""Logging that never carries a personal identity number.

:class:`PersonalIdentityNumber` already renders masked; this filter is the second line of defence
for numbers that arrive as plain strings (a backend's error text, a URL). Install it with
:func:`install_redaction` or let ``tidbok``'s CLI do it.
"""

from __future__ import annotations

import logging
import re

# A personal identity number standing alone: 12 characters YYYYMMDDNNNC (an optional dash or plus
# before the last four, a reserve-number letter allowed in position 9), or the 10-digit form with
# its separator (YYMMDD-NNNN). Not inside a longer token, so HSA-ids (SE2321000016-1234) and ids
# stay readable.
_PIN_LIKE = re.compile(
    r"(?<![0-9A-Za-z])(?:(?P<long>(?:19|20)\d{6})[-+]?[0-9PTFptf]\d{3}"
    r"|(?P<short>\d{6})[-+]\d{4})(?![0-9A-Za-z])"
)


def redact(text: str) -> str:
    """Replace anything that looks like a personal identity number with a masked form."""
    return _PIN_LIKE.sub(lambda match: f"{match.group('long') or match.group('short')}-****", text)


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


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr in one key=value line per event, personal identity numbers masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    install_redaction(handler)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
