"""Request parsing helpers that turn every kind of bad input into a :class:`MockError`."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from .errors import ErrorKind, MockError

ModelT = TypeVar("ModelT", bound=BaseModel)


def describe_validation_error(error: ValidationError) -> str:
    """A short one-line description of a pydantic validation error."""
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


async def read_json(request: web.Request) -> Any:
    """The request body parsed as JSON; malformed or empty bodies raise ``INVALID``."""
    raw = await request.read()
    if not raw.strip():
        raise MockError(ErrorKind.INVALID, "The request body must be a JSON object")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise MockError(ErrorKind.INVALID, f"Malformed JSON body: {error}") from None


async def read_optional_json(request: web.Request) -> Any:
    """Like :func:`read_json` but an empty body reads as ``{}``."""
    raw = await request.read()
    if not raw.strip():
        return {}
    return await read_json(request)


def validate(model: type[ModelT], data: Any) -> ModelT:
    """Validate ``data`` against ``model``; failures raise ``INVALID`` with a readable text."""
    if not isinstance(data, dict):
        raise MockError(ErrorKind.INVALID, "The request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise MockError(ErrorKind.INVALID, describe_validation_error(error)) from None


async def parse_body(
    request: web.Request, model: type[ModelT], *, optional: bool = False
) -> ModelT:
    """Read the JSON body and validate it against ``model``."""
    data = await (read_optional_json(request) if optional else read_json(request))
    return validate(model, data)


def query_str(request: web.Request, name: str) -> str | None:
    """A query parameter; empty counts as absent."""
    value = request.query.get(name)
    return value if value else None


def require_query(request: web.Request, name: str) -> str:
    """A required query parameter."""
    value = query_str(request, name)
    if value is None:
        raise MockError(ErrorKind.INVALID, f"Query parameter {name!r} is required")
    return value


def query_int(request: web.Request, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """An integer query parameter within ``[minimum, maximum]``."""
    text = query_str(request, name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise MockError(ErrorKind.INVALID, f"Query parameter {name!r} must be an integer") from None
    if not minimum <= value <= maximum:
        raise MockError(
            ErrorKind.INVALID, f"Query parameter {name!r} must be between {minimum} and {maximum}"
        )
    return value
