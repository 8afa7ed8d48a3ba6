"""The OpenAPI 3.1 document, built from the route table and the pydantic models.

Both the app's router and this document come from :data:`tidbok.gateway.routes.ROUTES`; a test
checks that they agree and that the document validates.
"""

from __future__ import annotations

import inspect
import re
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from tidbok import __version__
from tidbok.errors import all_error_types
from tidbok.gateway.idempotency import HEADER, MAX_KEY_LENGTH, REPLAYED_HEADER
from tidbok.gateway.problems import PROBLEM_CONTENT_TYPE, gateway_problem_types
from tidbok.gateway.routes import ROUTES, RouteSpec
from tidbok.gateway.schemas import ProblemOut

REF = "#/components/schemas/{model}"

STATUS_TEXT = {
    400: "Invalid input (invalid_input).",
    401: "Missing or bad bearer token (unauthorized).",
    404: "Not found; also another citizen's booking (not_found).",
    409: "Slot taken, invitation already used, or Idempotency-Key in use.",
    415: "The request body is not declared application/json (unsupported_media_type).",
    422: "Outside the booking window, not available via 1177, terms not accepted, case type not "
    "active, or Idempotency-Key reused with another body.",
    502: "The scheduling system answered something unusable (backend_protocol_error), or a "
    "write's answer was lost and reading back found nothing (outcome_unknown).",
    503: "The scheduling system is unavailable (backend_unavailable), or the write could not be "
    "recorded before it was sent, so nothing changed (activity_not_recorded); see Retry-After.",
    504: "The scheduling system did not answer in time (backend_timeout).",
}


def _models() -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    found: dict[type[BaseModel], JsonSchemaMode] = {ProblemOut: "serialization"}
    for route in ROUTES:
        if route.response is not None:
            found[route.response] = "serialization"
        if route.body is not None:
            found[route.body] = "validation"
    return list(found.items())


def _parameters(route: RouteSpec, query_schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{([^}]+)}", route.path)
    ]
    if query_schema is not None:
        required = set(query_schema.get("required", []))
        for name, schema in query_schema.get("properties", {}).items():
            param: dict[str, Any] = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": {k: v for k, v in schema.items() if k != "description"},
            }
            if "description" in schema:
                param["description"] = schema["description"]
            params.append(param)
    if route.idempotency_key:
        params.append(
            {
                "name": HEADER,
                "in": "header",
                "required": False,
                "description": "Makes the request safe to retry: the same key and body replay the "
                "first answer, another body gives 422, a concurrent retry 409.",
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
            }
        )
    return params


def _operation(
    route: RouteSpec, refs: dict[type[BaseModel], str], query_schema: dict[str, Any] | None
) -> dict[str, Any]:
    success: dict[str, Any] = {"description": route.summary}
    if route.response is not None:
        success["content"] = {route.content_type: {"schema": {"$ref": refs[route.response]}}}
    elif route.content_type == "text/plain":
        success["content"] = {"text/plain": {"schema": {"type": "string"}}}
    else:
        success["content"] = {"application/json": {"schema": {"type": "object"}}}
    if route.idempotency_key:
        success["headers"] = {
            REPLAYED_HEADER: {
                "description": "true when the answer is a replay of an earlier request.",
                "schema": {"type": "string"},
            }
        }
    responses: dict[str, Any] = {str(route.status): success}
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": refs[ProblemOut]}}}
    for status in route.errors:
        response: dict[str, Any] = {
            "description": STATUS_TEXT.get(status, "Unavailable."),
            "content": problem,
        }
        if status == 401:
            response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        if status == 503:
            response["headers"] = {
                "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
            }
        if route.path == "/readyz" and status == 503 and route.response is not None:
            response["content"] = {"application/json": {"schema": {"$ref": refs[route.response]}}}
        responses[str(status)] = response
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "description": inspect.cleandoc(route.handler.__doc__ or route.summary),
        "tags": [route.tag],
        "parameters": _parameters(route, query_schema),
        "responses": responses,
    }
    if not route.auth:
        operation["security"] = []
    if route.body is not None:
        operation["requestBody"] = {
            "required": not route.body_optional,
            "content": {"application/json": {"schema": {"$ref": refs[route.body]}}},
        }
    return operation


@cache
def build_openapi() -> dict[str, Any]:
    """The whole document (built once)."""
    models = _models()
    keyed, top = models_json_schema(models, ref_template=REF)
    refs = {model: keyed[(model, mode)]["$ref"] for model, mode in models}
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        query_schema = (
            route.query.model_json_schema(by_alias=True, ref_template=REF)
            if route.query is not None
            else None
        )
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(
            route, refs, query_schema
        )
    codes = sorted(
        {error.code for error in all_error_types()}
        | {problem.code for problem in gateway_problem_types()}
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tidbok gateway",
            "version": __version__,
            "summary": "1177 tidbokning: book, cancel and rebook in care units' systems.",
            "description": "Errors are RFC 9457 problem+json with a stable `code` "
            f"({', '.join(codes)}) and a Swedish `detail` for the citizen. Times are ISO 8601 "
            "with offset (Europe/Stockholm). Booking and invitation ids are opaque.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "tags": [
            {"name": name} for name in ("units", "bookings", "invitations", "inbox", "operations")
        ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "Issued by the 1177 platform; sub is the citizen's personal "
                    "identity number, act.sub an agent acting for the citizen.",
                }
            },
        },
    }
