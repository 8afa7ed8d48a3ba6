"""Translation helpers every HTTP plugin needs: parsing, times, errors and paging.

A plugin's own modules say *what* its system's wire looks like (field names, error codes); these
functions do the shared *how*, so that no two plugins carry copies of the same code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, PlainValidator, ValidationError
from pydantic_core import core_schema

from tidbok.clock import STOCKHOLM, to_stockholm
from tidbok.errors import (
    BackendProtocolError,
    BackendUnavailable,
    NotFound,
    TidbokError,
    describe_validation_error,
)
from tidbok.identity import normalize_hsa_id
from tidbok.models import Access1177, Slot

M = TypeVar("M", bound=BaseModel)
P = TypeVar("P", bound=BaseModel)
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


def parse_json(model: type[M], body: bytes | str, operation: str) -> M:
    """Parse a JSON body straight into ``model`` in one pass (pydantic's own JSON parser).

    The text is never first turned into Python dicts and lists and then validated a second time.
    Malformed JSON and an answer that does not fit ``model`` are both protocol errors.
    """
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors(include_input=False)):
            raise BackendProtocolError(f"{operation}: the answer is not valid JSON") from None
        raise BackendProtocolError(
            f"{operation}: unexpected answer ({describe_validation_error(error)})"
        ) from None
    except ValueError:
        raise BackendProtocolError(f"{operation}: the answer is not valid JSON") from None


def parse_response(model: type[M], response: httpx.Response, operation: str) -> M:
    """Parse a response body as JSON into ``model``; malformed JSON is a protocol error."""
    return parse_json(model, response.content, operation)


@cache
def page_model(generic: type[P], item: type[Any]) -> type[P]:
    """The concrete page class ``generic[item]`` (e.g. ``Sida[Tid]``), built once per pair.

    pydantic keeps parametrized generics only weakly: asking for ``Sida[Tid]`` on every call
    rebuilds the class and its validator again and again. This cache holds each one for good.
    """
    return generic[item]  # type: ignore[index]


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
    except UnusableRecord as error:  # from wire_slot: its messages never echo the input
        raise BackendProtocolError(f"{operation}: unusable answer ({error})") from None


class UnusableRecord(ValueError):
    """A wire record's value that tidbok's models refuse; the message never echoes the value."""


#: HSA-ids seen in wire records, normalized once: every slot of a unit repeats the same id.
_unit_id = lru_cache(maxsize=4096)(normalize_hsa_id)


def wire_slot(
    *,
    id: str,
    unit: str,
    start: datetime,
    end: datetime,
    time_type_id: str,
    time_type_name: str,
    performer: str | None,
    resource: str | None,
    access: Access1177,
) -> Slot:
    """A :class:`~tidbok.models.Slot` from a wire record's values, checked in one pass.

    The slot search turns hundreds of wire records into slots, and pydantic's validators of
    ``Slot`` (Python callbacks for the HSA-id, each time zone and the order) were a third of its
    cost. This function makes exactly the checks those validators make, as plain Python, and
    then stores the values without validating them again (``model_construct``'s job): that is
    safe because every field is checked here, with the same rules, before it is stored. A value
    they refuse raises :class:`UnusableRecord`, so :func:`build_models` reports it as the
    backend's protocol error, never a crash.
    """
    if not isinstance(id, str) or not id:
        raise UnusableRecord("a slot needs an id")
    if not (
        isinstance(unit, str)
        and isinstance(time_type_id, str)
        and isinstance(time_type_name, str)
        and (performer is None or isinstance(performer, str))
        and (resource is None or isinstance(resource, str))
    ):
        raise UnusableRecord("a slot's unit, time type, performer and resource must be texts")
    if not isinstance(access, Access1177):
        raise UnusableRecord("a slot's access must be an Access1177")
    if not (isinstance(start, datetime) and isinstance(end, datetime)):
        raise UnusableRecord("a slot's start and end must be datetimes")
    try:
        # The wire's timestamp types already give Stockholm datetimes: convert only others.
        if start.tzinfo is not STOCKHOLM:
            start = to_stockholm(start)
        if end.tzinfo is not STOCKHOLM:
            end = to_stockholm(end)
        unit = _unit_id(unit)
    except ValueError as error:  # naive datetime, not an HSA-id: fixed texts, never the value
        raise UnusableRecord(str(error)) from None
    if end.astimezone(UTC) <= start.astimezone(UTC):
        raise UnusableRecord("a slot must end after it starts")
    return _stored_slot(
        {
            "id": id,
            "unit": unit,
            "start": start,
            "end": end,
            "time_type_id": time_type_id,
            "time_type_name": time_type_name,
            "performer": performer,
            "resource": resource,
            "access": access,
        }
    )


_SLOT_FIELDS = frozenset(Slot.model_fields)
_set = object.__setattr__


def _stored_slot(fields: dict[str, Any]) -> Slot:
    """A Slot holding ``fields`` (every field, in declaration order, each already checked).

    What ``Slot.model_construct`` does, without its per-field loop over aliases and defaults
    (5 µs a slot on a 2-core machine, more than the checks themselves): a frozen pydantic model
    is its ``__dict__`` of field values plus the set of fields given. tests/core/test_wire.py
    checks that the result equals, dumps and hashes like a validated ``Slot``.
    """
    slot = object.__new__(Slot)
    _set(slot, "__dict__", fields)
    _set(slot, "__pydantic_fields_set__", set(_SLOT_FIELDS))
    _set(slot, "__pydantic_extra__", None)
    _set(slot, "__pydantic_private__", None)
    return slot


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
    Anything but a text is a ``ValueError`` too, so this is the wire type's validator itself.
    """
    if not isinstance(text, str):
        raise ValueError("expected a timestamp text")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        return moment.astimezone(STOCKHOLM)
    return moment.replace(tzinfo=STOCKHOLM)


def local_span(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """A start and an end read from wall-clock times without offset, the repeated hour resolved.

    A text in the repeated hour of the autumn change reads as its first occurrence (summer time,
    see :func:`local_to_stockholm`). A slot that crosses back, e.g. 02:45 (summer time) to 02:15
    (winter time, half an hour later), would then end before it starts: its end is the second
    occurrence, and that is what is returned. A span that lies wholly in the second occurrence
    cannot be told from one in the first on such a wire; it stays in the first.
    """
    if end.astimezone(UTC) <= start.astimezone(UTC):
        later = end.replace(fold=1)
        if later.astimezone(UTC) > start.astimezone(UTC):
            return start, later
    return start, end


def stockholm_to_local(moment: datetime) -> str:
    """Format an aware datetime as Stockholm wall-clock time without offset."""
    return moment.astimezone(STOCKHOLM).replace(tzinfo=None).isoformat(timespec="seconds")


def utc_to_stockholm(text: str) -> datetime:
    """Parse a UTC timestamp (``2026-11-27T09:00:00Z``) into Stockholm time (or ValueError)."""
    if not isinstance(text, str):
        raise ValueError("expected a timestamp text")
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


class _CachedTextTime:
    """Pydantic metadata for a wire time type: a text (checked by pydantic), then ``parse``.

    Two timestamps per record make parsing them the hottest line of a slot search, and the
    same texts come back in every search (slots lie on a grid; a slot's end is the next one's
    start). So each text is parsed once and the aware datetime (immutable) is shared: a bounded
    ``lru_cache`` in C, called without a Python frame. A text ``parse`` refuses raises
    ``ValueError`` each time (errors are not cached), so it is a validation error as before.
    """

    def __init__(self, parse: Callable[[str], datetime]) -> None:
        self._parse = lru_cache(maxsize=8192)(parse)

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.chain_schema(
            [
                core_schema.str_schema(strict=True),
                core_schema.no_info_plain_validator_function(self._parse),
            ],
            serialization=core_schema.plain_serializer_function_ser_schema(_iso, when_used="json"),
        )


def _iso(moment: datetime) -> str:
    return moment.isoformat()


#: A UTC timestamp on the wire (``2026-11-27T09:00:00Z``), read as an aware Stockholm datetime.
UtcTimestamp = Annotated[datetime, _CachedTextTime(utc_to_stockholm)]
#: A Stockholm wall-clock time on the wire (``2026-11-27T10:00:00``), read as an aware datetime.
LocalTimestamp = Annotated[datetime, _CachedTextTime(local_to_stockholm)]


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
