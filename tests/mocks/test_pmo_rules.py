"""PMO's server-side rules: same-day booking, started slots, booking-type flags, hidden."""

from __future__ import annotations

import httpx
import pytest

from .conftest import seed, set_clock
from .scenarios import PNR12, pmo_scenario


async def book(pmo: httpx.AsyncClient, slot: str) -> httpx.Response:
    return await pmo.post("/appointments", json={"slotId": slot, "patientId": PNR12})


async def test_same_day_later_slot_is_bookable(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    assert (await book(pmo, "s-today")).status_code == 201


@pytest.mark.parametrize("slot", ["s-past", "s-now"])
async def test_started_slot_is_refused(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient, slot: str
) -> None:
    await seed(pmo_admin, pmo_scenario())
    response = await book(pmo, slot)
    assert response.status_code == 422
    assert response.json()["code"] == "outside-booking-window"


@pytest.mark.parametrize("slot", ["s-nobook", "s-hidden"])
async def test_booking_type_flags_decide_bookable(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient, slot: str
) -> None:
    await seed(pmo_admin, pmo_scenario())
    response = await book(pmo, slot)
    assert response.status_code == 422
    assert response.json()["code"] == "not-bookable"


@pytest.mark.parametrize(
    ("slot", "hidden", "expected"),
    [
        ("s-tue", False, 200),
        ("s-nobook", False, 200),
        ("s-nocancel", False, 422),
        ("s-hidden", False, 422),
        ("s-tue", True, 422),
    ],
)
async def test_cancellable_flag_and_hidden_bookings(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient, slot: str, hidden: bool, expected: int
) -> None:
    await seed(pmo_admin, pmo_scenario())
    made = await pmo_admin.post("/bookings", json={"slot": slot, "person": PNR12, "hidden": hidden})
    response = await pmo.post(f"/appointments/{made.json()['booking_id']}/cancel")
    assert response.status_code == expected, response.text
    if expected == 422:
        assert response.json()["code"] == "not-cancellable"


async def test_non_cancellable_type_cannot_be_rescheduled(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    extra = {
        "id": "s-nocancel-2",
        "unit": "SE2321000016-9001",
        "time_type": "bt-nocancel",
        "start": "2026-11-24T12:30:00+01:00",
    }
    await seed(pmo_admin, pmo_scenario(extra_slots=[extra]))
    appointment_id = (await book(pmo, "s-nocancel")).json()["id"]
    response = await pmo.post(
        f"/appointments/{appointment_id}/reschedule", json={"slotId": "s-nocancel-2"}
    )
    assert response.json()["code"] == "not-cancellable"


@pytest.mark.parametrize(
    ("now", "expected"),
    [("2026-11-23T14:59:59+01:00", 200), ("2026-11-23T15:00:00+01:00", 422)],
)
@pytest.mark.parametrize("operation", ["cancel", "reschedule"])
async def test_cancel_and_reschedule_until_the_start(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient, now: str, expected: int, operation: str
) -> None:
    await seed(pmo_admin, pmo_scenario())
    appointment_id = (await book(pmo, "s-today")).json()["id"]
    await set_clock(pmo_admin, now)
    body = {"slotId": "s-tue"} if operation == "reschedule" else {}
    response = await pmo.post(f"/appointments/{appointment_id}/{operation}", json=body)
    assert response.status_code == expected, response.text
    if expected == 422:
        assert response.json()["code"] == "outside-booking-window"
