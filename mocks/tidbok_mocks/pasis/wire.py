"""PASiS's wire formats: dashed personnummer, local times without offset, dates, paging."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from aiohttp import web

from ..kit import ErrorKind, MockError, local_datetime, personnummer, query_int, query_str

ItemT = TypeVar("ItemT")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
DEFAULT_SEARCH_DAYS = 14
MAX_SEARCH_DAYS = 92


def parse_pnr(text: str, field: str = "personnummer") -> str:
    """A ``YYYYMMDD-NNNN`` personnummer as canonical 12 digits; bad input is OGILTIG_BEGARAN."""
    try:
        return personnummer.parse_dashed(text)
    except ValueError:
        raise MockError(
            ErrorKind.INVALID, f"{field} måste vara ett giltigt personnummer ÅÅÅÅMMDD-NNNN."
        ) from None


def _parse_date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MockError(ErrorKind.INVALID, f"{name} måste vara ett datum ÅÅÅÅ-MM-DD.") from None


def search_window(request: web.Request, today: date) -> tuple[datetime, datetime]:
    """``fran``/``till`` dates (inclusive, Stockholm) as a UTC half-open interval."""
    fran_text = query_str(request, "fran")
    till_text = query_str(request, "till")
    fran = _parse_date(fran_text, "fran") if fran_text else today
    till = (
        _parse_date(till_text, "till")
        if till_text
        else fran + timedelta(days=DEFAULT_SEARCH_DAYS - 1)
    )
    if till < fran:
        raise MockError(ErrorKind.INVALID, "till får inte vara före fran.")
    if (till - fran).days >= MAX_SEARCH_DAYS:
        raise MockError(
            ErrorKind.INVALID, f"Sökintervallet får vara högst {MAX_SEARCH_DAYS} dagar."
        )
    return local_datetime(fran, time(0)), local_datetime(till + timedelta(days=1), time(0))


def page(request: web.Request, items: Sequence[ItemT]) -> tuple[list[ItemT], dict[str, Any]]:
    """Cut ``items`` by ``offset``/``limit``; return the page and the envelope's counters."""
    offset = query_int(request, "offset", default=0, minimum=0, maximum=1_000_000)
    limit = query_int(request, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    return list(items[offset : offset + limit]), {
        "totalt": len(items),
        "offset": offset,
        "limit": limit,
    }


def envelope(posts: list[dict[str, Any]], counters: dict[str, Any]) -> dict[str, Any]:
    """PASiS's list envelope ``{"totalt", "offset", "limit", "poster"}``."""
    return {**counters, "poster": posts}
