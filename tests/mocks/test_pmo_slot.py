"""``GET /api/v1/slots/{id}``: one slot by id, so a client can check it before booking."""

from __future__ import annotations

import httpx

from .conftest import seed
from .scenarios import PNR12, pmo_scenario


async def test_one_slot_by_id_free_then_busy(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    free = await pmo.get("/slots/s-tue")
    assert free.status_code == 200
    assert free.json()["bookingTypeId"] == "bt-open"
    assert free.json()["start"] == "2026-11-24T09:00:00Z"
    assert free.json()["status"] == "free"
    booked = await pmo.post("/appointments", json={"slotId": "s-tue", "patientId": PNR12})
    assert booked.status_code == 201
    assert (await pmo.get("/slots/s-tue")).json()["status"] == "busy"


async def test_unknown_slot_is_not_found(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    missing = await pmo.get("/slots/no-such-slot")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not-found"
