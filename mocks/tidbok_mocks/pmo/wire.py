"""PMO's wire formats: 12-digit patientId, UTC timestamps, cursor paging."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web

from ..kit import ErrorKind, MockError, parse_aware, personnummer, query_int, query_str

ItemT = TypeVar("ItemT")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_SEARCH_SECONDS = 93 * 24 * 3600


def parse_patient_id(text: str, field: str = "patientId") -> str:
    """A ``YYYYMMDDNNNN`` patient id as canonical 12 digits; bad input is a validation error."""
    try:
        return personnummer.parse_plain(text)
    except ValueError:
        raise MockError(
            ErrorKind.INVALID, f"{field} must be a valid personal identity number YYYYMMDDNNNN"
        ) from None


def parse_instant(text: str, field: str) -> datetime:
    """An RFC 3339 timestamp with ``Z`` or an offset (a ``+`` decoded to space is tolerated)."""
    for candidate in (text, text.replace(" ", "+")):
        try:
            return parse_aware(candidate)
        except ValueError:
            continue
    raise MockError(
        ErrorKind.INVALID, f"{field} must be an RFC 3339 timestamp such as 2026-11-27T09:00:00Z"
    )


def search_range(start_text: str, end_text: str) -> tuple[datetime, datetime]:
    """``start``/``end`` of a slot search as a UTC half-open interval."""
    start = parse_instant(start_text, "start")
    end = parse_instant(end_text, "end")
    if end <= start:
        raise MockError(ErrorKind.INVALID, "end must be after start")
    if (end - start).total_seconds() > MAX_SEARCH_SECONDS:
        raise MockError(ErrorKind.INVALID, "The search range may be at most 93 days")
    return start, end


def encode_cursor(offset: int) -> str:
    """An opaque cursor for the item at ``offset``."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset an opaque cursor stands for."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        offset = int(number)
        if prefix != "o" or offset < 0:
            raise ValueError(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise MockError(ErrorKind.INVALID, "Invalid cursor") from None
    return offset


def cursor_page(request: web.Request, items: Sequence[ItemT]) -> tuple[list[ItemT], str | None]:
    """The page ``cursor``/``pageSize`` select, and the cursor of the next page (or ``None``)."""
    size = query_int(
        request, "pageSize", default=DEFAULT_PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE
    )
    return cursor_slice(items, query_str(request, "cursor"), size)


def cursor_slice(
    items: Sequence[ItemT], cursor: str | None, size: int
) -> tuple[list[ItemT], str | None]:
    """The page of ``size`` items at ``cursor`` (None: the first), and the next page's cursor."""
    offset = decode_cursor(cursor) if cursor is not None else 0
    chunk = list(items[offset : offset + size])
    following = offset + size
    return chunk, encode_cursor(following) if following < len(items) else None


def envelope(items: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    """PMO's list envelope ``{"items": [...], "nextCursor": ...}``."""
    return {"items": items, "nextCursor": next_cursor}
