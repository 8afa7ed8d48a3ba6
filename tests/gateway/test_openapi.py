"""The OpenAPI 3.1 document validates, matches the registered routes and documents every code."""

from __future__ import annotations

from openapi_spec_validator import validate

from tidbok.errors import all_error_types
from tidbok.gateway import build_openapi
from tidbok.gateway.problems import gateway_problem_types

from .conftest import Gateway


def _routes_of(gw: Gateway) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in gw.gateway.app.router.routes():
        if route.method in ("HEAD", "OPTIONS"):
            continue
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter")
        assert path is not None, route
        found.add((route.method.lower(), path))
    return found


async def test_the_document_validates_and_is_served(gw: Gateway) -> None:
    response = await gw.client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document == build_openapi()


async def test_the_document_matches_the_routes(gw: Gateway) -> None:
    document = build_openapi()
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert documented == _routes_of(gw)


def test_every_operation_is_complete() -> None:
    document = build_openapi()
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation["operationId"], where
            assert operation["summary"], where
            assert operation["responses"], where
            for name in (part[1:-1] for part in path.split("/") if part.startswith("{")):
                assert any(
                    p["name"] == name and p["in"] == "path" for p in operation["parameters"]
                ), where
            for response in operation["responses"].values():
                for media in response.get("content", {}).values():
                    ref = media["schema"].get("$ref")
                    if ref is not None:
                        assert ref.rsplit("/", 1)[1] in schemas, where
    slots = document["paths"]["/v1/units/{hsa_id}/slots"]["get"]
    assert {p["name"] for p in slots["parameters"] if p["in"] == "query"} == {
        "from",
        "to",
        "time_type",
        "rebook",
    }
    book = document["paths"]["/v1/bookings"]["post"]
    assert {p["name"] for p in book["parameters"] if p["in"] == "header"} == {"Idempotency-Key"}
    assert set(book["responses"]) >= {"201", "400", "401", "409", "422", "503", "504"}
    assert document["paths"]["/healthz"]["get"]["security"] == []
    overview = document["paths"]["/v1/units/{hsa_id}/overview"]["get"]
    assert "security" not in overview  # the document's bearer requirement applies
    assert set(overview["responses"]) == {"200", "400", "401", "404", "502", "503", "504"}
    assert "on_1177" in schemas["TimeTypeOverviewOut"]["properties"]


def test_every_error_code_is_named() -> None:
    description = build_openapi()["info"]["description"]
    for code in {e.code for e in all_error_types()} | {p.code for p in gateway_problem_types()}:
        assert code in description
