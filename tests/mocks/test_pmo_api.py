"""Every PMO endpoint over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import seed
from .scenarios import OTHER_PNR12, OTHER_UNIT, PNR12, UNIT, pmo_scenario

RANGE = {"start": "2026-11-23T00:00:00Z", "end": "2026-11-30T00:00:00Z"}


async def book(
    pmo: httpx.AsyncClient, slot: str, patient: str = PNR12, **extra: Any
) -> httpx.Response:
    return await pmo.post("/appointments", json={"slotId": slot, "patientId": patient, **extra})


async def test_facilities(pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient) -> None:
    await seed(pmo_admin, pmo_scenario())
    body = (await pmo.get("/facilities")).json()
    assert body["nextCursor"] is None
    assert [f["id"] for f in body["items"]] == [OTHER_UNIT, UNIT]
    one = await pmo.get(f"/facilities/{UNIT.lower()}")
    assert one.json() == {"id": UNIT, "name": "Vårdcentralen Test", "address": ""}


async def test_booking_types_with_flags(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    items = (await pmo.get(f"/facilities/{UNIT}/booking-types")).json()["items"]
    flags = {t["id"]: (t["visibleInEServices"], t["bookable"], t["cancellable"]) for t in items}
    assert flags == {
        "bt-open": (True, True, True),
        "bt-nobook": (True, False, True),
        "bt-nocancel": (True, True, False),
        "bt-hidden": (False, True, True),
    }
    open_type = next(t for t in items if t["id"] == "bt-open")
    assert open_type["durationMinutes"] == 15
    assert open_type["defaultPurpose"] == "Kom fastande."
    assert open_type["facilityId"] == UNIT


async def test_slots_in_utc_with_cursor_paging(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    first = (await pmo.get(f"/facilities/{UNIT}/slots", params={**RANGE, "pageSize": 3})).json()
    assert [s["id"] for s in first["items"]] == ["s-past", "s-now", "s-today"]
    assert first["items"][2] == {
        "id": "s-today",
        "facilityId": UNIT,
        "bookingTypeId": "bt-open",
        "start": "2026-11-23T14:00:00Z",
        "end": "2026-11-23T14:15:00Z",
        "practitioner": {"name": "Dr Anna Berg"},
        "location": {"name": "Rum 4"},
        "status": "free",
    }
    ids = [s["id"] for s in first["items"]]
    cursor = first["nextCursor"]
    while cursor is not None:
        page = (
            await pmo.get(
                f"/facilities/{UNIT}/slots", params={**RANGE, "pageSize": 3, "cursor": cursor}
            )
        ).json()
        ids += [s["id"] for s in page["items"]]
        cursor = page["nextCursor"]
    assert ids == [
        "s-past",
        "s-now",
        "s-today",
        "s-today-2",
        "s-tue",
        "s-nobook",
        "s-nocancel",
        "s-hidden",
    ]
    typed = await pmo.get(
        f"/facilities/{UNIT}/slots",
        params={
            "start": "2026-11-24T00:00:00+01:00",
            "end": "2026-11-25T00:00:00+01:00",
            "bookingTypeId": "bt-open",
        },
    )
    assert [s["id"] for s in typed.json()["items"]] == ["s-tue"]


async def test_create_appointment(pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient) -> None:
    await seed(pmo_admin, pmo_scenario())
    response = await book(pmo, "s-tue", note="Ont i halsen")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"/api/v1/appointments/{body['id']}"
    assert body == {
        **body,
        "facilityId": UNIT,
        "slotId": "s-tue",
        "bookingTypeId": "bt-open",
        "patientId": PNR12,
        "start": "2026-11-24T09:00:00Z",
        "end": "2026-11-24T09:15:00Z",
        "status": "booked",
        "purpose": "Kom fastande.",
        "note": "Ont i halsen",
        "bookedBy": "patient",
        "hiddenInEServices": False,
        "cancellationReason": None,
        "createdAt": "2026-11-23T08:00:00Z",
    }
    assert (await pmo.get(f"/appointments/{body['id']}")).json() == body
    free = (await pmo.get(f"/facilities/{UNIT}/slots", params=RANGE)).json()["items"]
    assert "s-tue" not in [s["id"] for s in free]


async def test_list_appointments_all_facilities(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    await pmo_admin.post("/bookings", json={"slot": "s-nobook", "person": PNR12})
    await pmo_admin.post("/bookings", json={"slot": "s-hidden", "person": PNR12, "hidden": True})
    await pmo_admin.post("/bookings", json={"slot": "s-other", "person": PNR12})
    await pmo_admin.post("/bookings", json={"slot": "s-today", "person": OTHER_PNR12})
    await book(pmo, "s-tue")
    items = (await pmo.get("/appointments", params={"patientId": PNR12})).json()["items"]
    assert [a["start"] for a in items] == sorted(a["start"] for a in items)
    assert sorted((a["slotId"], a["bookedBy"], a["hiddenInEServices"]) for a in items) == [
        ("s-hidden", "staff", True),
        ("s-nobook", "staff", False),
        ("s-other", "staff", False),
        ("s-tue", "patient", False),
    ]
    one_unit = await pmo.get("/appointments", params={"patientId": PNR12, "facilityId": OTHER_UNIT})
    assert [a["slotId"] for a in one_unit.json()["items"]] == ["s-other"]
    paged = (await pmo.get("/appointments", params={"patientId": PNR12, "pageSize": 3})).json()
    assert len(paged["items"]) == 3
    rest = await pmo.get(
        "/appointments", params={"patientId": PNR12, "pageSize": 3, "cursor": paged["nextCursor"]}
    )
    assert [a["slotId"] for a in rest.json()["items"]] == ["s-hidden"]
    assert rest.json()["nextCursor"] is None


async def test_search_appointments_across_facilities(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    await pmo_admin.post("/bookings", json={"slot": "s-hidden", "person": PNR12, "hidden": True})
    await pmo_admin.post("/bookings", json={"slot": "s-other", "person": PNR12})
    await pmo_admin.post("/bookings", json={"slot": "s-today", "person": OTHER_PNR12})
    cancelled = (await book(pmo, "s-tue")).json()["id"]
    await pmo.post(f"/appointments/{cancelled}/cancel")

    async def search(**body: Any) -> dict[str, Any]:
        response = await pmo.post("/appointments/search", json={"patientId": PNR12, **body})
        assert response.status_code == 200, response.text
        return dict(response.json())

    both = await search(facilityIds=[UNIT, OTHER_UNIT.lower()])
    assert [(a["facilityId"], a["slotId"], a["hiddenInEServices"]) for a in both["items"]] == [
        (OTHER_UNIT, "s-other", False),
        (UNIT, "s-hidden", True),
    ]
    assert both["items"][1]["bookingType"]["id"] == "bt-hidden"
    assert not both["items"][1]["bookingType"]["visibleInEServices"]
    assert both["nextCursor"] is None
    assert (await search())["items"] == both["items"]  # no facilityIds: every facility
    assert [a["slotId"] for a in (await search(facilityIds=[OTHER_UNIT]))["items"]] == ["s-other"]
    assert (await search(facilityIds=["SE2321000016-0000"]))["items"] == []
    first = await search(facilityIds=[UNIT, OTHER_UNIT], pageSize=1)
    rest = await search(facilityIds=[UNIT, OTHER_UNIT], pageSize=1, cursor=first["nextCursor"])
    assert (first["items"] + rest["items"], rest["nextCursor"]) == (both["items"], None)
    strict = await pmo.post("/appointments/search", json={"patientId": PNR12, "unit": UNIT})
    assert strict.status_code == 400


async def test_reschedule(pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient) -> None:
    await seed(pmo_admin, pmo_scenario())
    appointment = (await book(pmo, "s-today")).json()
    response = await pmo.post(
        f"/appointments/{appointment['id']}/reschedule", json={"slotId": "s-tue"}
    )
    assert response.status_code == 200, response.text
    moved = response.json()
    assert (moved["id"], moved["slotId"], moved["start"]) == (
        appointment["id"],
        "s-tue",
        "2026-11-24T09:00:00Z",
    )
    entries = (await pmo_admin.get("/appointment-book")).json()["entries"]
    assert [(e["booking_id"], e["slot_id"]) for e in entries] == [(appointment["id"], "s-tue")]
    free = [
        s["id"] for s in (await pmo.get(f"/facilities/{UNIT}/slots", params=RANGE)).json()["items"]
    ]
    assert "s-today" in free


async def test_reschedule_refusals(pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient) -> None:
    await seed(pmo_admin, pmo_scenario())
    appointment_id = (await book(pmo, "s-today")).json()["id"]
    await book(pmo, "s-today-2", OTHER_PNR12)

    async def reschedule(slot: str) -> str:
        response = await pmo.post(
            f"/appointments/{appointment_id}/reschedule", json={"slotId": slot}
        )
        return str(response.json()["code"])

    assert await reschedule("s-today-2") == "slot-taken"
    assert await reschedule("s-today") == "validation-error"
    assert await reschedule("s-nocancel") == "validation-error"  # another booking type
    assert await reschedule("s-other") == "validation-error"  # another facility
    assert await reschedule("s-past") == "outside-booking-window"
    assert await reschedule("nope") == "not-found"
    after = (await pmo.get(f"/appointments/{appointment_id}")).json()
    assert (after["slotId"], after["status"]) == ("s-today", "booked")


async def test_cancel(pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient) -> None:
    await seed(pmo_admin, pmo_scenario())
    appointment_id = (await book(pmo, "s-tue")).json()["id"]
    response = await pmo.post(
        f"/appointments/{appointment_id}/cancel", json={"reason": "Frisk igen"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancellationReason"] == "Frisk igen"
    assert (await pmo.get("/appointments", params={"patientId": PNR12})).json()["items"] == []
    again = await pmo.post(f"/appointments/{appointment_id}/cancel")
    assert again.status_code == 409
    assert again.json()["code"] == "already-cancelled"
    rebooked = await book(pmo, "s-tue", OTHER_PNR12)
    assert rebooked.status_code == 201


async def test_cancel_without_body(pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient) -> None:
    await seed(pmo_admin, pmo_scenario())
    appointment_id = (await book(pmo, "s-tue")).json()["id"]
    response = await pmo.post(f"/appointments/{appointment_id}/cancel")
    assert response.status_code == 200
    assert response.json()["cancellationReason"] is None


async def test_unknown_ids_are_not_found(
    pmo: httpx.AsyncClient, pmo_admin: httpx.AsyncClient
) -> None:
    await seed(pmo_admin, pmo_scenario())
    for response in [
        await pmo.get("/facilities/SE2321000016-0000"),
        await pmo.get("/facilities/SE2321000016-0000/booking-types"),
        await pmo.get("/facilities/SE2321000016-0000/slots", params=RANGE),
        await pmo.get(f"/facilities/{UNIT}/slots", params={**RANGE, "bookingTypeId": "nope"}),
        await pmo.get("/appointments/nope"),
        await pmo.get(
            "/appointments", params={"patientId": PNR12, "facilityId": "SE2321000016-0000"}
        ),
        await pmo.post("/appointments/nope/cancel"),
        await pmo.post("/appointments/nope/reschedule", json={"slotId": "s-tue"}),
        await book(pmo, "nope"),
        await pmo.get("/nothing-here"),
    ]:
        assert response.status_code == 404, response.text
        assert response.headers["Content-Type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == "not-found"
        assert problem["type"] == "https://pmo.example/problems/not-found"
        assert problem["status"] == 404
