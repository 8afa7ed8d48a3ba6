"""Honest state: of 50 concurrent bookings of one slot exactly one wins."""

from __future__ import annotations

import asyncio

from .conftest import Harness, seed
from .scenarios import PNR12


async def test_fifty_concurrent_bookings_of_one_slot(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    path, params = harness.search
    await harness.api.get(path, params=params)  # PMO: fetch the token once, up front
    responses = await asyncio.gather(
        *(harness.book(harness.bookable_slot, PNR12) for _ in range(50))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 49
    assert {harness.code(r) for r in responses if r.status_code == 409} == {harness.slot_taken}
    entries = (await harness.admin.get("/appointment-book")).json()["entries"]
    assert len(entries) == 1
    assert entries[0]["slot_id"] == harness.bookable_slot
