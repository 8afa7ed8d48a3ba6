"""Fault injection on both mocks: each kind, matching, counting, seeded probability."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from .conftest import Harness, seed


async def add_fault(harness: Harness, **spec: object) -> dict[str, object]:
    response = await harness.admin.post("/faults", json=spec)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def search(harness: Harness) -> httpx.Response:
    path, params = harness.search
    return await harness.api.get(path, params=params)


async def test_http_500_in_the_system_format_then_normal(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)  # PMO: token fetched before the fault is armed
    await add_fault(harness, kind="http_500", times=1)
    failed = await search(harness)
    assert failed.status_code == 500
    assert harness.code(failed) in ("TEKNISKT_FEL", "internal-error")
    assert (await search(harness)).status_code == 200


@pytest.mark.parametrize(("kind", "status"), [("http_503", 503), ("http_429", 429)])
async def test_retry_after(harness: Harness, kind: str, status: int) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)
    await add_fault(harness, kind=kind, times=2, retry_after=7)
    for _ in range(2):
        response = await search(harness)
        assert response.status_code == status
        assert response.headers["Retry-After"] == "7"
    assert (await search(harness)).status_code == 200


async def test_delay_fixed(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)
    await add_fault(harness, kind="delay", seconds=0.1, times=1)
    started = time.monotonic()
    assert (await search(harness)).status_code == 200
    assert time.monotonic() - started >= 0.1


async def test_delay_random_range_is_seeded(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)
    await add_fault(harness, kind="delay", min_seconds=0.01, max_seconds=0.05, seed=3, times=1)
    started = time.monotonic()
    assert (await search(harness)).status_code == 200
    assert time.monotonic() - started >= 0.01


async def test_reset_drops_the_connection_without_writing(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)
    await add_fault(harness, kind="reset", times=1, match={"method": "POST"})
    with pytest.raises(httpx.TransportError):
        await harness.book(harness.bookable_slot)
    assert (await harness.admin.get("/appointment-book")).json()["entries"] == []
    assert (await harness.book(harness.bookable_slot)).status_code == 201


async def test_malformed_body(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)
    await add_fault(harness, kind="malformed", times=1)
    response = await search(harness)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


async def test_commit_then_drop_writes_then_cuts(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)
    await add_fault(harness, kind="commit_then_drop", times=1, match={"method": "POST"})
    with pytest.raises(httpx.TransportError):
        await harness.book(harness.bookable_slot)
    [entry] = (await harness.admin.get("/appointment-book")).json()["entries"]
    assert entry["slot_id"] == harness.bookable_slot
    # Without idempotency the naive retry finds the slot taken (by itself).
    retry = await harness.book(harness.bookable_slot)
    assert harness.code(retry) == harness.slot_taken


async def test_pmo_commit_then_drop_with_idempotency_key_replays(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    from .scenarios import PNR12, pmo_scenario

    await seed(pmo_admin, pmo_scenario())
    await pmo.get("/facilities")
    await pmo_admin.post(
        "/faults", json={"kind": "commit_then_drop", "times": 1, "match": {"method": "POST"}}
    )
    body = {"slotId": "s-tue", "patientId": PNR12}
    with pytest.raises(httpx.TransportError):
        await pmo.post("/appointments", json=body, headers={"Idempotency-Key": "lost"})
    retry = await pmo.post("/appointments", json=body, headers={"Idempotency-Key": "lost"})
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert len((await pmo_admin.get("/appointment-book")).json()["entries"]) == 1


async def test_commit_then_500_writes_then_answers_500(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)
    await add_fault(harness, kind="commit_then_500", times=1, match={"method": "POST"})
    failed = await harness.book(harness.bookable_slot)
    assert failed.status_code == 500
    assert harness.code(failed) in ("TEKNISKT_FEL", "internal-error")
    [entry] = (await harness.admin.get("/appointment-book")).json()["entries"]
    assert entry["slot_id"] == harness.bookable_slot  # the write happened all the same
    [logged] = (await harness.admin.get("/requests")).json()["requests"][-1:]
    assert (logged["status"], logged["fault"]) == (500, "commit_then_500")
    retry = await harness.book(harness.bookable_slot)
    assert harness.code(retry) == harness.slot_taken  # a naive retry meets its own booking


async def test_pmo_commit_then_500_with_idempotency_key_replays(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    """PMO keeps the key with the write it committed: the retry replays the real answer."""
    from .scenarios import PNR12, pmo_scenario

    await seed(pmo_admin, pmo_scenario())
    await pmo.get("/facilities")
    await pmo_admin.post(
        "/faults", json={"kind": "commit_then_500", "times": 1, "match": {"method": "POST"}}
    )
    body = {"slotId": "s-tue", "patientId": PNR12}
    failed = await pmo.post("/appointments", json=body, headers={"Idempotency-Key": "k-500"})
    assert failed.status_code == 500
    retry = await pmo.post("/appointments", json=body, headers={"Idempotency-Key": "k-500"})
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["slotId"] == "s-tue"
    assert len((await pmo_admin.get("/appointment-book")).json()["entries"]) == 1


async def test_commit_after_client_timeout_writes_once_the_client_gave_up(
    harness: Harness,
) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)
    await add_fault(
        harness,
        kind="commit_after_client_timeout",
        seconds=0.3,
        times=1,
        match={"method": "POST"},
    )
    with pytest.raises(httpx.TimeoutException):
        await harness.book(harness.bookable_slot, client_timeout=0.05)
    assert (await harness.admin.get("/appointment-book")).json()["entries"] == []
    # The mock logs the request when its handler has finished: then the write is there.
    for _ in range(100):
        logged = (await harness.admin.get("/requests")).json()["requests"]
        if any(entry["fault"] == "commit_after_client_timeout" for entry in logged):
            break
        await asyncio.sleep(0.02)
    [entry] = (await harness.admin.get("/appointment-book")).json()["entries"]
    assert entry["slot_id"] == harness.bookable_slot
    writes = [(e["status"], e["fault"]) for e in logged if e["path"] == harness.write_path]
    assert writes == [(201, "commit_after_client_timeout")]


async def test_match_by_method_and_path_regex(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)
    await add_fault(
        harness, kind="http_500", match={"method": "POST", "path": "bokningar$|appointments$"}
    )
    assert (await search(harness)).status_code == 200
    assert (await harness.book(harness.bookable_slot)).status_code == 500
    assert (await harness.book(harness.bookable_slot)).status_code == 500  # no times: stays


async def test_never_applies_to_admin(harness: Harness) -> None:
    await add_fault(harness, kind="http_500")
    assert (await harness.admin.get("/clock")).status_code == 200


async def test_seeded_probability_is_reproducible(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    await search(harness)

    async def pattern() -> list[int]:
        await harness.admin.delete("/faults")
        await add_fault(
            harness, kind="http_503", probability=0.5, seed=42, match={"path": "lediga-tider|slots"}
        )
        return [(await search(harness)).status_code for _ in range(12)]

    first = await pattern()
    assert first == await pattern()
    assert set(first) == {200, 503}


async def test_list_and_delete_faults(harness: Harness) -> None:
    one = await add_fault(harness, kind="http_500", times=3, match={"path": "x"})
    two = await add_fault(harness, kind="delay", seconds=1, match={"method": "GET"})
    listed = (await harness.admin.get("/faults")).json()["faults"]
    assert [f["id"] for f in listed] == [one["id"], two["id"]]
    assert listed[0]["remaining"] == 3
    assert listed[0]["fired"] == 0
    assert (await harness.admin.delete(f"/faults/{one['id']}")).status_code == 200
    assert (await harness.admin.delete(f"/faults/{one['id']}")).status_code == 404
    assert [f["id"] for f in (await harness.admin.get("/faults")).json()["faults"]] == [two["id"]]
    assert (await harness.admin.delete("/faults")).json() == {"faults": []}


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "explode"},
        {"kind": "delay"},
        {"kind": "delay", "min_seconds": 2, "max_seconds": 1},
        {"kind": "commit_after_client_timeout"},
        {"kind": "commit_then_500", "seconds": 1},
        {"kind": "http_500", "seconds": 1},
        {"kind": "http_500", "times": 0},
        {"kind": "http_500", "probability": 2},
        {"kind": "http_500", "match": {"path": "("}},
        {"kind": "http_500", "surprise": True},
    ],
)
async def test_bad_fault_specs(harness: Harness, spec: dict[str, object]) -> None:
    response = await harness.admin.post("/faults", json=spec)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
