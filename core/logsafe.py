"""Logging that never carries a personal identity number.

:class:`PersonalIdentityNumber` already renders masked; this filter is the second line of defence
for numbers that arrive as plain strings (a backend's error text, a URL). Install it with
:func:`install_redaction` or let ``tidbok``'s CLI do it.
"""

from __future__ import annotations

import logging
import re

# 12 or 10 digits with an optional dash or plus before the last four, or a reserve-number letter.
_PIN_LIKE = re.compile(r"(?<![0-9])(\d{6}(?:\d{2})?)[-+]?[0-9PTFptf]\d{3}(?![0-9])")


def redact(text: str) -> str:
    """Replace anything that looks like a personal identity number with a masked form."""
    return _PIN_LIKE.sub(lambda match: f"{match.group(1)}-****", text)


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
