"""Reading request bodies and query strings into the ``*In``/``*Query`` models (400 otherwise)."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from tidbok.errors import InvalidInput
from tidbok.gateway.problems import UnsupportedMediaType

MAX_BODY_BYTES = 64 * 1024
ModelT = TypeVar("ModelT", bound=BaseModel)


class RequestInvalid(InvalidInput):
    """The request body or query does not fit the API; ``errors`` names fields, never values."""

    def __init__(self, detail: str, errors: list[str] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or [detail]


def validation_errors(error: ValidationError) -> list[str]:
    """``field: problem`` lines without the input values."""
    return [
        f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False)
    ][:20]


def validate(model: type[ModelT], data: Any) -> ModelT:
    """Validate a decoded body or query against ``model``."""
    if not isinstance(data, dict):
        raise RequestInvalid("the request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        lines = validation_errors(error)
        raise RequestInvalid("; ".join(lines), lines) from None


async def parse_body(
    request: web.Request, model: type[ModelT], *, optional: bool = False
) -> ModelT:
    """The JSON body validated against ``model``; an empty body counts as ``{}`` if ``optional``.

    A body must be declared ``Content-Type: application/json`` (415 otherwise): a form or
    ``text/plain`` post from another site's page is never read as JSON.
    """
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise RequestInvalid("the request body is too large")
    raw = await request.read()
    if not raw.strip():
        if optional:
            return validate(model, {})
        raise RequestInvalid("the request body must be a JSON object")
    if request.content_type != "application/json":
        raise UnsupportedMediaType("the request body must be application/json")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise RequestInvalid("the request body is not valid JSON") from None
    return validate(model, data)


def parse_query(request: web.Request, model: type[ModelT]) -> ModelT:
    """The query string validated against ``model``; repeated parameters are refused.

    A ``+`` in a time offset that arrived unescaped (decoded as a space) is restored.
    """
    data: dict[str, str] = {}
    for name in request.query:
        values = request.query.getall(name)
        if len(values) > 1:
            raise RequestInvalid(f"{name}: given more than once")
        value = values[0]
        if name in ("from", "to"):
            value = value.replace(" ", "+")
        data[name] = value
    return validate(model, data)
