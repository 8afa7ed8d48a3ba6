"""Idempotent booking with Idempotency-Key: replay, reuse with another body, concurrent retry."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from .conftest import OTHER, PMO_UNIT, TOLVAN, Gateway, at


def _body(slot_id: str, **extra: object) -> dict[str, object]:
    return {"unit": PMO_UNIT, "slot_id": slot_id, "accept_terms": True, **extra}


async def test_same_key_same_body_replays_and_books_once(gw: Gateway) -> None:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    headers = {**gw.auth(), "Idempotency-Key": "7a1c-retry"}
    first = await gw.client.post("/v1/bookings", json=_body(slot.id), headers=headers)
    second = await gw.client.post("/v1/bookings", json=_body(slot.id), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(gw.pmo.bookings) == 1
    assert gw.pmo.calls.count("book") == 1
    messages = await gw.gateway.store.messages_for(TOLVAN.value, 10)
    assert len(messages) == 1


async def test_unit_case_does_not_change_the_body(gw: Gateway) -> None:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    headers = {**gw.auth(), "Idempotency-Key": "case"}
    first = await gw.client.post("/v1/bookings", json=_body(slot.id), headers=headers)
    lower = {**_body(slot.id), "unit": PMO_UNIT.lower()}
    second = await gw.client.post("/v1/bookings", json=lower, headers=headers)
    assert second.status_code == 201
    assert second.json() == first.json()


async def test_same_key_other_body_is_422(gw: Gateway) -> None:
    one, two = gw.pmo.add_slot(PMO_UNIT, at(1, 10)), gw.pmo.add_slot(PMO_UNIT, at(1, 11))
    headers = {**gw.auth(), "Idempotency-Key": "k"}
    assert (await gw.client.post("/v1/bookings", json=_body(one.id), headers=headers)).is_success
    other = await gw.client.post("/v1/bookings", json=_body(two.id), headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert gw.pmo.slots[two.id].booking_id is None


async def test_keys_are_per_citizen(gw: Gateway) -> None:
    one, two = gw.pmo.add_slot(PMO_UNIT, at(1, 10)), gw.pmo.add_slot(PMO_UNIT, at(1, 11))
    mine = await gw.client.post(
        "/v1/bookings", json=_body(one.id), headers={**gw.auth(TOLVAN), "Idempotency-Key": "k"}
    )
    theirs = await gw.client.post(
        "/v1/bookings", json=_body(two.id), headers={**gw.auth(OTHER), "Idempotency-Key": "k"}
    )
    assert mine.status_code == theirs.status_code == 201
    assert len(gw.pmo.bookings) == 2


async def test_concurrent_retry_is_409_and_books_once(gw: Gateway) -> None:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    gw.pmo.delay = 0.15
    headers = {**gw.auth(), "Idempotency-Key": "race"}
    responses = await asyncio.gather(
        *(gw.client.post("/v1/bookings", json=_body(slot.id), headers=headers) for _ in range(3))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 409, 409]
    assert len(gw.pmo.bookings) == 1
    gw.pmo.delay = 0
    replay = await gw.client.post("/v1/bookings", json=_body(slot.id), headers=headers)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"


async def test_a_failed_request_releases_its_key(gw: Gateway) -> None:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    headers = {**gw.auth(), "Idempotency-Key": "after-outage"}
    gw.pmo.down = True
    failed = await gw.client.post("/v1/bookings", json=_body(slot.id), headers=headers)
    assert failed.status_code == 503
    gw.pmo.down = False
    retried = await gw.client.post("/v1/bookings", json=_body(slot.id), headers=headers)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers


async def test_abandoned_key_can_be_taken_over(gw: Gateway) -> None:
    from tidbok.gateway.store import BeginOutcome, citizen_key, fingerprint_of, idempotency_secret

    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    owner = citizen_key(TOLVAN, idempotency_secret(gw.service.settings.gateway))
    payload = {"accept_terms": True, "reason": None, "slot_id": slot.id, "unit": PMO_UNIT}
    lock = timedelta(seconds=120)
    store = gw.gateway.store
    claimed = await store.begin(owner, "crashed", fingerprint_of(payload), gw.clock.now(), lock)
    assert claimed.outcome is BeginOutcome.STARTED  # as if the gateway died right here
    headers = {**gw.auth(expires_in=timedelta(hours=2)), "Idempotency-Key": "crashed"}
    busy = await gw.client.post("/v1/bookings", json=_body(slot.id), headers=headers)
    assert busy.status_code == 409
    gw.clock.advance(timedelta(minutes=3))
    taken_over = await gw.client.post("/v1/bookings", json=_body(slot.id), headers=headers)
    assert taken_over.status_code == 201


async def test_bad_keys_are_400(gw: Gateway) -> None:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    for key in ("", "x" * 256, "blank space"):
        response = await gw.client.post(
            "/v1/bookings", json=_body(slot.id), headers={**gw.auth(), "Idempotency-Key": key}
        )
        assert response.status_code == 400, key
    assert gw.pmo.bookings == {}


async def test_expired_keys_are_purged(gw: Gateway) -> None:
    from tidbok.gateway.store import citizen_key, idempotency_secret

    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    headers = {**gw.auth(), "Idempotency-Key": "old"}
    await gw.client.post("/v1/bookings", json=_body(slot.id), headers=headers)
    removed = await gw.gateway.store.purge(gw.clock.now() + timedelta(seconds=1))
    assert removed == 1
    secret = idempotency_secret(gw.service.settings.gateway)
    await gw.gateway.store.release(citizen_key(TOLVAN, secret), "old")
