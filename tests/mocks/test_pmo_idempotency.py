"""PMO's Idempotency-Key: replay, 422 on a different body, 409 while in progress."""

from __future__ import annotations

import asyncio

import httpx

from .conftest import seed
from .scenarios import OTHER_PNR12, PNR12, pmo_scenario

BODY = {"slotId": "s-tue", "patientId": PNR12, "note": "Hosta"}


async def appointment_count(admin: httpx.AsyncClient) -> int:
    return len((await admin.get("/appointment-book")).json()["entries"])


async def test_same_key_same_body_replays(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    first = await pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "k-1"})
    # Same JSON content, other formatting: still the same request.
    again = await pmo.post(
        "/appointments",
        content=b'{"note": "Hosta",  "patientId": "191212121212", "slotId": "s-tue"}',
        headers={"Idempotency-Key": '"k-1"', "Content-Type": "application/json"},
    )
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await appointment_count(pmo_admin) == 1


async def test_errors_are_replayed_too(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    await pmo.post("/appointments", json={**BODY, "patientId": OTHER_PNR12})
    first = await pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "k-2"})
    again = await pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "k-2"})
    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()


async def test_same_key_different_body_is_422(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    await pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "k-3"})
    other = await pmo.post(
        "/appointments", json={**BODY, "slotId": "s-today"}, headers={"Idempotency-Key": "k-3"}
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency-key-reused"
    other_path = await pmo.post(
        "/appointments/x/cancel", json={}, headers={"Idempotency-Key": "k-3"}
    )
    assert other_path.json()["code"] == "idempotency-key-reused"
    assert await appointment_count(pmo_admin) == 1


async def test_retry_while_in_progress_is_409(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    await pmo.get("/facilities")  # fetch the token before timing matters
    await pmo_admin.post(
        "/faults",
        json={
            "match": {"method": "POST", "path": "/appointments$"},
            "kind": "delay",
            "seconds": 0.3,
            "times": 1,
        },
    )
    slow = asyncio.create_task(
        pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "k-4"})
    )
    await asyncio.sleep(0.1)
    retry = await pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "k-4"})
    assert retry.status_code == 409
    assert retry.json()["code"] == "idempotency-key-in-progress"
    assert (await slow).status_code == 201
    replay = await pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "k-4"})
    assert replay.status_code == 201
    assert await appointment_count(pmo_admin) == 1


async def test_keys_are_scoped_per_client(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    info = (await pmo_admin.get("/info")).json()
    assert info["auth"]["clients"] == {"tidbok": "pmo-dev-secret"}
    first = await pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "k-5"})
    assert first.status_code == 201
    # Without a key there is no replay: a plain retry is a second, refused booking.
    plain = await pmo.post("/appointments", json=BODY)
    assert plain.json()["code"] == "slot-taken"


async def test_faulted_request_releases_the_key(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    await pmo_admin.post(
        "/faults", json={"kind": "http_503", "times": 1, "match": {"path": "/appointments$"}}
    )
    failed = await pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "k-6"})
    assert failed.status_code == 503
    retried = await pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "k-6"})
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers


async def test_bad_key_is_a_validation_error(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    response = await pmo.post("/appointments", json=BODY, headers={"Idempotency-Key": "x" * 300})
    assert response.status_code == 400
    assert response.json()["code"] == "validation-error"
