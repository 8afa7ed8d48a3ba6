"""Every status and every error code as RFC 9457 problem+json, with the Swedish citizen text."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.core.memory_system import SHOWN_ONLY
from tidbok import hookimpl
from tidbok.errors import (
    BackendTimeout,
    BackendUnavailable,
    CaseTypeNotActive,
    InvalidInput,
    NotFound,
    OutcomeUnknown,
    RefusedByUnit,
    StoreDown,
    TechnicalFault,
    all_error_types,
)
from tidbok.events import ActivityIntent
from tidbok.gateway.ids import encode_id
from tidbok.gateway.problems import gateway_problem_types

from .conftest import NOW, PASIS_UNIT, PMO_UNIT, TOLVAN, VIEW_UNIT, Gateway, at

PROBLEM = "application/problem+json"
Scenario = Callable[[Gateway], Awaitable[httpx.Response]]


def check_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:tidbok:problem:{code}"
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


async def _book(gw: Gateway, unit: str, slot_id: str, accept: bool = True) -> httpx.Response:
    return await gw.client.post(
        "/v1/bookings",
        json={"unit": unit, "slot_id": slot_id, "accept_terms": accept},
        headers=gw.auth(),
    )


async def slot_taken(gw: Gateway) -> httpx.Response:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    assert (await _book(gw, PMO_UNIT, slot.id)).status_code == 201
    return await _book(gw, PMO_UNIT, slot.id)


async def outside_booking_window(gw: Gateway) -> httpx.Response:
    today = gw.pasis.add_slot(PASIS_UNIT, at(0, 16))  # PASiS: not the same day (R9)
    return await _book(gw, PASIS_UNIT, today.id)


async def not_available_via_1177(gw: Gateway) -> httpx.Response:
    slot = gw.pmo.add_slot(PMO_UNIT, at(2, 10), access=SHOWN_ONLY)
    return await _book(gw, PMO_UNIT, slot.id)


async def case_type_not_active(gw: Gateway) -> httpx.Response:
    return await gw.client.get(f"/v1/units/{VIEW_UNIT}/slots", headers=gw.auth())


async def not_found(gw: Gateway) -> httpx.Response:
    return await gw.client.get(f"/v1/bookings/{encode_id(PMO_UNIT, 'bk-nope')}", headers=gw.auth())


async def invitation_already_used(gw: Gateway) -> httpx.Response:
    invitation = gw.pasis.add_invitation(PASIS_UNIT, TOLVAN, [at(3, 9), at(4, 9)])
    opaque = encode_id(PASIS_UNIT, invitation.id)
    for slot in invitation.slots:
        response = await gw.client.post(
            f"/v1/invitations/{opaque}/book",
            json={"slot_id": slot.id, "accept_terms": True},
            headers=gw.auth(),
        )
    return response


async def terms_not_accepted(gw: Gateway) -> httpx.Response:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    return await _book(gw, PMO_UNIT, slot.id, accept=False)


async def invalid_input(gw: Gateway) -> httpx.Response:
    return await gw.client.post(
        "/v1/bookings",
        json={"unit": PMO_UNIT, "slot_id": "s", "accept_terms": True, "surprise": 1},
        headers=gw.auth(),
    )


UNIT_TEXT = "Ring mottagningen för att boka den här tiden."


async def refused_by_unit(gw: Gateway) -> httpx.Response:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    gw.pmo_system.fail = RefusedByUnit(UNIT_TEXT)
    return await _book(gw, PMO_UNIT, slot.id)


async def backend_unavailable(gw: Gateway) -> httpx.Response:
    gw.pmo_system.fail = BackendUnavailable("pmo refused service", retry_after=12.3)
    return await gw.client.get(f"/v1/units/{PMO_UNIT}/time-types", headers=gw.auth())


async def activity_not_recorded(gw: Gateway) -> httpx.Response:
    class Broken:
        @hookimpl
        def tidbok_activity_intent(self, intent: ActivityIntent) -> None:
            raise OSError("disk full")

    gw.service.registry.register(Broken(), name="broken-journal")
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    response = await _book(gw, PMO_UNIT, slot.id)
    assert response.headers["Retry-After"] == "5"
    assert gw.pmo.bookings == {}
    return response


async def store_unavailable(gw: Gateway) -> httpx.Response:
    async def down(*args: object, **kwargs: object) -> object:
        raise StoreDown("the PostgreSQL store is unavailable (PoolTimeout)")

    gw.gateway.store.begin = down  # type: ignore[method-assign,assignment]
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    response = await gw.client.post(
        "/v1/bookings",
        json={"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True},
        headers={**gw.auth(), "Idempotency-Key": "k-store-down"},
    )
    assert response.headers["Retry-After"] == "5"
    assert gw.pmo.bookings == {}  # refused before any backend was called
    return response


async def backend_timeout(gw: Gateway) -> httpx.Response:
    gw.pmo_system.fail = BackendTimeout("pmo did not answer in 2.0 s")
    return await gw.client.get(f"/v1/units/{PMO_UNIT}/time-types", headers=gw.auth())


async def outcome_unknown(gw: Gateway) -> httpx.Response:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    gw.pmo_system.fail = OutcomeUnknown("pmo: book answered 500; reading back found nothing")
    return await _book(gw, PMO_UNIT, slot.id)


async def backend_protocol_error(gw: Gateway) -> httpx.Response:
    gw.pmo_system.fail = ValueError("secret internal detail 0xdeadbeef")
    return await gw.client.get(f"/v1/units/{PMO_UNIT}/time-types", headers=gw.auth())


async def unauthorized(gw: Gateway) -> httpx.Response:
    return await gw.client.get("/v1/bookings")


async def idempotency_conflict(gw: Gateway) -> httpx.Response:
    import asyncio

    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    gw.pmo.delay = 0.2
    headers = {**gw.auth(), "Idempotency-Key": "same"}
    body = {"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True}
    first = asyncio.create_task(gw.client.post("/v1/bookings", json=body, headers=headers))
    await asyncio.sleep(0.05)
    second = await gw.client.post("/v1/bookings", json=body, headers=headers)
    assert (await first).status_code == 201
    return second


async def idempotency_key_reused(gw: Gateway) -> httpx.Response:
    one, two = gw.pmo.add_slot(PMO_UNIT, at(1, 10)), gw.pmo.add_slot(PMO_UNIT, at(1, 11))
    headers = {**gw.auth(), "Idempotency-Key": "k-1"}
    for slot in (one, two):
        response = await gw.client.post(
            "/v1/bookings",
            json={"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True},
            headers=headers,
        )
    return response


async def method_not_allowed(gw: Gateway) -> httpx.Response:
    return await gw.client.delete("/v1/bookings", headers=gw.auth())


async def unsupported_media_type(gw: Gateway) -> httpx.Response:
    body = b'{"unit": "SE2321000016-1234", "slot_id": "s", "accept_terms": true}'
    headers = {**gw.auth(), "Content-Type": "text/plain"}
    return await gw.client.post("/v1/bookings", content=body, headers=headers)


async def internal_error(gw: Gateway) -> httpx.Response:
    await gw.gateway.store.close()
    return await gw.client.get("/v1/inbox", headers=gw.auth())


SCENARIOS: dict[str, tuple[int, Scenario]] = {
    "slot_taken": (409, slot_taken),
    "outside_booking_window": (422, outside_booking_window),
    "not_available_via_1177": (422, not_available_via_1177),
    "case_type_not_active": (422, case_type_not_active),
    "not_found": (404, not_found),
    "invitation_already_used": (409, invitation_already_used),
    "refused_by_unit": (422, refused_by_unit),
    "terms_not_accepted": (422, terms_not_accepted),
    "invalid_input": (400, invalid_input),
    "backend_unavailable": (503, backend_unavailable),
    "activity_not_recorded": (503, activity_not_recorded),
    "store_unavailable": (503, store_unavailable),
    "backend_timeout": (504, backend_timeout),
    "backend_protocol_error": (502, backend_protocol_error),
    "outcome_unknown": (502, outcome_unknown),
    "unauthorized": (401, unauthorized),
    "idempotency_conflict": (409, idempotency_conflict),
    "idempotency_key_reused": (422, idempotency_key_reused),
    "method_not_allowed": (405, method_not_allowed),
    "unsupported_media_type": (415, unsupported_media_type),
    "internal_error": (500, internal_error),
}


def test_every_error_code_has_a_scenario() -> None:
    codes = {error.code for error in all_error_types()} | {
        problem.code for problem in gateway_problem_types()
    }
    assert codes == set(SCENARIOS)


@pytest.mark.parametrize("code", sorted(SCENARIOS))
async def test_error_code(gw: Gateway, code: str) -> None:
    status, scenario = SCENARIOS[code]
    body = check_problem(await scenario(gw), status, code)
    by_code = {error.code: error for error in all_error_types()}
    if code == "refused_by_unit":  # the unit's own text, passed on
        assert body["detail"] == UNIT_TEXT
    elif code in by_code:
        assert body["detail"] == by_code[code].citizen_text
    else:
        problems = {problem.code: problem for problem in gateway_problem_types()}
        assert body["detail"] == problems[code].citizen_text


async def test_technical_faults_never_leak_detail(gw: Gateway) -> None:
    response = await backend_protocol_error(gw)
    assert "deadbeef" not in response.text
    assert response.json()["detail"] == TechnicalFault.citizen_text
    timeout = await backend_timeout(gw)
    assert "2.0 s" not in timeout.text
    unknown = await outcome_unknown(gw)
    assert "answered 500" not in unknown.text
    closed = await internal_error(gw)
    assert "not open" not in closed.text


async def test_503_carries_retry_after(gw: Gateway) -> None:
    response = await backend_unavailable(gw)
    assert response.headers["Retry-After"] == "13"
    gw.pmo_system.fail = BackendUnavailable("no hint")
    plain = await gw.client.get(f"/v1/units/{PMO_UNIT}/time-types", headers=gw.auth())
    assert plain.headers["Retry-After"] == "5"


async def test_404_for_unknown_unit_route_and_garbage_ids(gw: Gateway) -> None:
    unknown_unit = await gw.client.get("/v1/units/SE2321000016-9999/time-types", headers=gw.auth())
    check_problem(unknown_unit, 404, NotFound.code)
    check_problem(await gw.client.get("/v1/nothing-here", headers=gw.auth()), 404, "not_found")
    for garbage in ("x", "!!!!", "bm90LWEtdW5pdA", "U0V8Ym9vbQ", "%00", "a" * 700):
        response = await gw.client.get(f"/v1/bookings/{garbage}", headers=gw.auth())
        check_problem(response, 404, "not_found")
        cancel = await gw.client.post(f"/v1/bookings/{garbage}/cancel", headers=gw.auth())
        check_problem(cancel, 404, "not_found")
    rebook_garbage = await gw.client.get(
        f"/v1/units/{PMO_UNIT}/slots", params={"rebook": "garbage"}, headers=gw.auth()
    )
    check_problem(rebook_garbage, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/v1/units/not-an-hsa-id/time-types", {}),
        ("GET", f"/v1/units/{PMO_UNIT}/slots", {"params": {"from": "2026-12-01T09:00:00"}}),
        ("GET", f"/v1/units/{PMO_UNIT}/slots", {"params": {"from": "yesterday"}}),
        ("GET", f"/v1/units/{PMO_UNIT}/slots", {"params": {"colour": "blue"}}),
        (
            "GET",
            f"/v1/units/{PMO_UNIT}/slots",
            {"params": {"from": NOW.isoformat(), "to": "2027-12-01T00:00:00+01:00"}},
        ),
        ("GET", "/v1/bookings", {"params": {"page": "2"}}),
        (
            "POST",
            "/v1/bookings",
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        ),
        ("POST", "/v1/bookings", {"content": b""}),
        ("POST", "/v1/bookings", {"json": ["a", "list"]}),
        ("POST", "/v1/bookings", {"json": {"unit": PMO_UNIT, "slot_id": "s"}}),
        (
            "POST",
            "/v1/bookings",
            {"json": {"unit": "nope", "slot_id": "s", "accept_terms": True}},
        ),
        (
            "POST",
            "/v1/bookings",
            {"json": {"unit": PMO_UNIT, "slot_id": "", "accept_terms": True}},
        ),
        (
            "POST",
            "/v1/bookings",
            {
                "json": {
                    "unit": PMO_UNIT,
                    "slot_id": "s",
                    "accept_terms": True,
                    "reason": "x" * 1001,
                }
            },
        ),
        ("POST", f"/v1/bookings/{encode_id(PMO_UNIT, 'b')}/rebook", {"json": {}}),
        (
            "POST",
            f"/v1/bookings/{encode_id(PMO_UNIT, 'b')}/cancel",
            {"json": {"message": "x", "extra": True}},
        ),
        ("POST", f"/v1/invitations/{encode_id(PASIS_UNIT, 'i')}/book", {"json": {"slot_id": "s"}}),
    ],
)
async def test_400_invalid_input(
    gw: Gateway, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    headers = {**gw.auth(), **kwargs.pop("headers", {})}
    response = await gw.client.request(method, path, headers=headers, **kwargs)
    body = check_problem(response, 400, InvalidInput.code)
    assert body["detail"] == InvalidInput.citizen_text


async def test_validation_errors_name_fields_not_values(gw: Gateway) -> None:
    response = await gw.client.post(
        "/v1/bookings",
        json={"unit": PMO_UNIT, "slot_id": "s", "accept_terms": "maybe-191212121212"},
        headers=gw.auth(),
    )
    body = check_problem(response, 400, "invalid_input")
    assert any("accept_terms" in line for line in body["errors"])  # type: ignore[attr-defined]
    assert "191212121212" not in response.text


async def test_view_only_unit_refuses_booking_with_422(gw: Gateway) -> None:
    slot = gw.pmo.add_slot(VIEW_UNIT, at(1, 10))
    check_problem(await _book(gw, VIEW_UNIT, slot.id), 422, CaseTypeNotActive.code)
    # but its bookings are shown
    response = await gw.client.get(f"/v1/units/{VIEW_UNIT}/bookings", headers=gw.auth())
    assert response.status_code == 200


async def test_cancel_inside_the_24_hour_cutoff_is_refused(gw: Gateway) -> None:
    soon = gw.pasis.add_booking(PASIS_UNIT, TOLVAN, at(1, 8))  # 23 h away
    response = await gw.client.post(
        f"/v1/bookings/{encode_id(PASIS_UNIT, soon.id)}/cancel", headers=gw.auth()
    )
    check_problem(response, 422, "outside_booking_window")
    assert soon.id in gw.pasis.bookings
