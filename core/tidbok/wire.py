"""Translation helpers every HTTP plugin needs: parsing, times, errors and paging.

A plugin's own modules say *what* its system's wire looks like (field names, error codes); these
functions do the shared *how*, so that no two plugins carry copies of the same code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError

from tidbok.clock import STOCKHOLM
from tidbok.errors import (
    BackendProtocolError,
    BackendUnavailable,
    NotFound,
    TidbokError,
    describe_validation_error,
)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
C = TypeVar("C")

#: The most pages a plugin follows before it calls the backend's paging broken.
MAX_PAGES = 1000


def parse_model(model: type[M], data: Any, operation: str) -> M:
    """Validate a backend's JSON against the plugin's wire model; BackendProtocolError if off."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BackendProtocolError(
            f"{operation}: unexpected answer ({describe_validation_error(error)})"
        ) from None


def parse_response(model: type[M], response: httpx.Response, operation: str) -> M:
    """Parse a response body as JSON into ``model``; malformed JSON is a protocol error."""
    try:
        data = response.json()
    except ValueError:
        raise BackendProtocolError(f"{operation}: the answer is not valid JSON") from None
    return parse_model(model, data, operation)


def build_models(build: Callable[[], T], operation: str) -> T:
    """Run ``build``, which turns parsed wire records into tidbok models.

    A value tidbok's models refuse (an invalid HSA-id, a slot that ends before it starts) is the
    backend's protocol error, never a crash.
    """
    try:
        return build()
    except ValidationError as error:
        raise BackendProtocolError(
            f"{operation}: unusable answer ({describe_validation_error(error)})"
        ) from None


class WireModel(BaseModel):
    """Base of a plugin's wire models: one record of the system's API as the plugin reads it.

    Fields the plugin does not declare are ignored (the API may add some). Name a field as
    tidbok's model names it and, where the API's name differs, give that with
    ``Field(alias="...")``: :meth:`to` then makes tidbok's model from it.
    """

    model_config = ConfigDict(extra="ignore")

    def to(self, model: type[M], operation: str) -> M:
        """As tidbok's ``model`` (e.g. ``Slot``), from this record's fields of the same names
        (the others are left out). ``model`` validates them again: a value it refuses is the
        backend's :class:`~tidbok.errors.BackendProtocolError` (as with :func:`build_models`)."""
        fields = self.model_dump(include=set(model.model_fields))
        return build_models(lambda: model(**fields), operation)


def path_segment(identifier: str) -> str:
    """An id as exactly one URL path segment: ``/``, ``?``, ``#`` and ``..`` cannot escape it."""
    segment = quote(identifier, safe="")
    return segment.replace(".", "%2E") if segment in {"", ".", ".."} else segment


def local_to_stockholm(text: str) -> datetime:
    """Parse a Stockholm wall-clock time without offset (``2026-11-27T10:00:00``).

    In the repeated hour of the autumn change the earlier instant is chosen (``fold=0``).
    """
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        return moment.astimezone(STOCKHOLM)
    return moment.replace(tzinfo=STOCKHOLM)


def stockholm_to_local(moment: datetime) -> str:
    """Format an aware datetime as Stockholm wall-clock time without offset."""
    return moment.astimezone(STOCKHOLM).replace(tzinfo=None).isoformat(timespec="seconds")


def utc_to_stockholm(text: str) -> datetime:
    """Parse a UTC timestamp (``2026-11-27T09:00:00Z``) into Stockholm time."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a UTC timestamp must carry Z or an offset")
    return moment.astimezone(STOCKHOLM)


def stockholm_to_utc(moment: datetime) -> str:
    """Format an aware datetime as UTC with ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def text_time(parse: Callable[[str], datetime]) -> PlainValidator:
    """A pydantic validator that reads a wire timestamp text with ``parse``.

    Anything but a text, or a text ``parse`` refuses, is a validation error (so, through
    :func:`parse_model`, a protocol error), never a crash.
    """

    def validate(raw: Any) -> datetime:
        if not isinstance(raw, str):
            raise ValueError("expected a timestamp text")
        return parse(raw)

    return PlainValidator(validate)


#: A UTC timestamp on the wire (``2026-11-27T09:00:00Z``), read as an aware Stockholm datetime.
UtcTimestamp = Annotated[datetime, text_time(utc_to_stockholm)]
#: A Stockholm wall-clock time on the wire (``2026-11-27T10:00:00``), read as an aware datetime.
LocalTimestamp = Annotated[datetime, text_time(local_to_stockholm)]


def translate_error(
    response: httpx.Response,
    code: str | None,
    table: Mapping[str, type[TidbokError]],
    operation: str,
) -> TidbokError:
    """Turn a backend's error answer into a typed error.

    ``code`` is the system's own error code (already read from its error format); ``table`` maps
    the codes the plugin knows. Unknown codes fall back on the status: 404 is NotFound, 5xx and
    429 are BackendUnavailable, anything else a BackendProtocolError (our request was wrong, or
    the backend says something we do not understand; the citizen must not be blamed for it).
    """
    status = response.status_code
    if code is not None and code in table:
        return table[code](f"{operation}: backend said {code} ({status})")
    if status == 404:
        return NotFound(f"{operation}: backend said not found ({code})")
    if status >= 500 or status == 429:
        return BackendUnavailable(f"{operation}: backend answered {status} ({code})")
    return BackendProtocolError(f"{operation}: unexpected {status} answer ({code})")


async def collect_pages(
    fetch: Callable[[C | None], Awaitable[tuple[list[T], C | None]]],
    operation: str,
) -> list[T]:
    """Fetch every page: ``fetch(cursor)`` returns a page and the next cursor (None at the end).

    Works for offset paging (the cursor is the next offset) and cursor paging alike. A backend
    that never ends, or repeats a cursor, is a protocol error rather than an endless loop.
    """
    items: list[T] = []
    cursor: C | None = None
    seen: set[Any] = set()
    for _ in range(MAX_PAGES):
        page, cursor = await fetch(cursor)
        items.extend(page)
        if cursor is None:
            return items
        if cursor in seen:
            raise BackendProtocolError(f"{operation}: the backend repeated a page cursor")
        seen.add(cursor)
    raise BackendProtocolError(f"{operation}: more than {MAX_PAGES} pages")
