"""The admin API, the same on both mocks."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Harness, seed
from .scenarios import OTHER_UNIT, PNR12, UNIT


async def test_info(harness: Harness) -> None:
    info = (await harness.admin.get("/info")).json()
    assert info["system"] == harness.system
    assert info["api_base"] == ("/api/v2" if harness.system == "pasis" else "/api/v1")


async def test_clock_get_set_advance_real(harness: Harness) -> None:
    clock = (await harness.admin.get("/clock")).json()
    assert clock == {
        "now": "2026-11-23T09:00:00+01:00",
        "utc": "2026-11-23T08:00:00Z",
        "today": "2026-11-23",
        "frozen": True,
        "real": False,
    }
    moved = await harness.admin.post("/clock", json={"now": "2026-07-01T23:30:00Z"})
    assert moved.json()["now"] == "2026-07-02T01:30:00+02:00"
    assert moved.json()["today"] == "2026-07-02"
    advanced = await harness.admin.post("/clock", json={"advance_seconds": 3600})
    assert advanced.json()["utc"] == "2026-07-02T00:30:00Z"
    ticking = await harness.admin.post(
        "/clock", json={"now": "2030-01-01T00:00:00+01:00", "frozen": False}
    )
    assert ticking.json()["frozen"] is False
    assert ticking.json()["now"].startswith("2030-01-01T00:00")
    real = await harness.admin.post("/clock", json={"real": True})
    assert real.json()["real"] is True
    for bad in ({}, {"now": "2026-11-23T09:00:00"}, {"now": "igår"}, {"advance_seconds": "x"}):
        response = await harness.admin.post("/clock", json=bad)
        assert response.status_code == 400, bad
        assert response.json()["error"] == "invalid"


async def test_scenario_loads_and_replaces(harness: Harness) -> None:
    response = await harness.admin.post("/scenario", json=harness.scenario())
    assert response.status_code == 200
    loaded = response.json()["loaded"]
    assert loaded["units"] == 2
    assert loaded["slots"] >= 9
    assert response.json()["clock"]["now"] == "2026-11-23T09:00:00+01:00"
    replaced = await harness.admin.post(
        "/scenario", json={"units": [{"id": UNIT, "name": "Bara en enhet"}]}
    )
    assert replaced.json()["loaded"]["slots"] == 0
    assert (await harness.admin.get("/slots")).json()["slots"] == []


@pytest.mark.parametrize(
    "scenario",
    [
        [],
        {"unknown": []},
        {"units": {}},
        {"units": [{"id": "not-an-hsa-id", "name": "X"}]},
        {"units": [{"id": UNIT}]},
        {"units": [{"id": UNIT, "name": "A"}, {"id": UNIT.lower(), "name": "B"}]},
        {"time_types": [{"unit": UNIT, "name": "X"}]},
        {"now": "2026-11-23T09:00:00"},
    ],
)
async def test_bad_scenarios_are_refused(harness: Harness, scenario: object) -> None:
    response = await harness.admin.post("/scenario", json=scenario)
    assert response.status_code in (400, 404)
    assert response.json()["error"] in ("invalid", "not_found")
    assert response.json()["detail"]


async def test_fine_grained_adds(harness: Harness) -> None:
    unit = await harness.admin.post("/units", json={"id": UNIT, "name": "Vårdcentralen Ny"})
    assert unit.status_code == 201
    assert unit.json() == {"id": UNIT, "name": "Vårdcentralen Ny", "address": ""}
    settings = {"level": 4} if harness.system == "pasis" else {"visible": True, "bookable": True}
    time_type = await harness.admin.post(
        "/time-types",
        json={"unit": UNIT.lower(), "name": "Provtagning", "duration_minutes": 20, **settings},
    )
    assert time_type.status_code == 201
    tt = time_type.json()
    assert tt["unit"] == UNIT
    assert tt["duration_minutes"] == 20
    slot = await harness.admin.post(
        "/slots",
        json={
            "unit": UNIT,
            "time_type": tt["id"],
            "start": "2026-11-24T10:00:00+01:00",
            "performer": "Dr Anna Berg",
            "resource": "Rum 1",
        },
    )
    assert slot.status_code == 201
    assert slot.json()["end"] == "2026-11-24T10:20:00+01:00"
    assert slot.json()["booking_id"] is None
    booking = await harness.admin.post(
        "/bookings",
        json={
            "slot": slot.json()["id"],
            "person": "19121212-1212",
            "booked_by": "citizen",
            "reason": "Trött",
        },
    )
    assert booking.status_code == 201
    assert booking.json()["person"] == PNR12
    assert booking.json()["booked_by"] == "citizen"
    taken = await harness.admin.post("/bookings", json={"slot": slot.json()["id"], "person": PNR12})
    assert taken.status_code == 409
    assert taken.json()["error"] == "slot_taken"
    slots = (await harness.admin.get("/slots", params={"unit": UNIT})).json()["slots"]
    assert slots[0]["booking_id"] == booking.json()["booking_id"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/units", {"id": UNIT, "name": ""}),
        ("/time-types", {"unit": "SE2321000016-0000", "name": "X"}),
        ("/slots", {"unit": UNIT, "time_type": "nope", "start": "2026-11-24T10:00:00+01:00"}),
        ("/slots", {"unit": UNIT, "time_type": "T", "start": "2026-11-24T10:00:00"}),
        ("/bookings", {"slot": "nope", "person": PNR12}),
        ("/bookings", {"slot": "x", "person": "191212121213"}),
        ("/nothing", {}),
    ],
)
async def test_bad_adds_are_refused(harness: Harness, path: str, body: dict[str, object]) -> None:
    await harness.admin.post("/units", json={"id": UNIT, "name": "U"})
    response = await harness.admin.post(path, json=body)
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


async def test_invitations_only_in_pasis(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    body = {"unit": UNIT, "person": PNR12, "slots": ["S-L2", "S-L3"], "purpose": "Kontroll"}
    response = await harness.admin.post("/invitations", json=body)
    if harness.system == "pmo":
        assert response.status_code == 404
        return
    assert response.status_code == 201
    invitation = response.json()
    assert invitation["status"] == "open"
    assert invitation["slots"] == ["S-L2", "S-L3"]
    slots = {s["id"]: s for s in (await harness.admin.get("/slots")).json()["slots"]}
    assert slots["S-L2"]["reserved_for_invitation"] == invitation["id"]
    twice = await harness.admin.post("/invitations", json=body)
    assert twice.status_code == 409


async def test_appointment_book_shows_what_staff_see(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    slot = harness.bookable_slot
    other = "S-OTHER" if harness.system == "pasis" else "s-other"
    await harness.admin.post("/bookings", json={"slot": other, "person": PNR12, "hidden": True})
    citizen = await harness.book(slot)
    assert citizen.status_code == 201
    everything = (await harness.admin.get("/appointment-book")).json()["entries"]
    assert len(everything) == 2
    one_unit = (await harness.admin.get("/appointment-book", params={"unit": UNIT.lower()})).json()
    [entry] = one_unit["entries"]
    assert entry["slot_id"] == slot
    assert entry["booked_by"] == "citizen"
    assert entry["hidden"] is False
    assert entry["status"] == "booked"
    assert entry["unit"] == UNIT
    hidden = (await harness.admin.get("/appointment-book", params={"unit": OTHER_UNIT})).json()
    assert hidden["entries"][0]["hidden"] is True
    assert hidden["entries"][0]["booked_by"] == "staff"
    missing = await harness.admin.get("/appointment-book", params={"unit": "SE2321000016-0000"})
    assert missing.status_code == 404


async def test_reset_clears_schedule_faults_and_log_but_not_the_clock(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    await harness.admin.post("/clock", json={"now": "2026-11-23T10:00:00+01:00"})
    await harness.admin.post("/faults", json={"kind": "http_500", "match": {"path": "nomatch"}})
    await harness.book(harness.bookable_slot)
    assert (await harness.admin.get("/requests")).json()["requests"]
    response = await harness.admin.post("/reset")
    assert response.json() == {"reset": True, "loaded": {}}
    assert (await harness.admin.get("/slots")).json()["slots"] == []
    assert (await harness.admin.get("/faults")).json()["faults"] == []
    assert (await harness.admin.get("/requests")).json()["requests"] == []
    assert (await harness.admin.get("/clock")).json()["now"] == "2026-11-23T10:00:00+01:00"
    demo = await harness.admin.post("/reset", json={"demo": True})
    assert demo.json()["loaded"]["units"] == 2


async def test_request_log(harness: Harness) -> None:
    await seed(harness.admin, harness.scenario())
    path, params = harness.search
    await harness.api.get(path, params=params)
    entries = (await harness.admin.get("/requests")).json()["requests"]
    searches = [e for e in entries if e["path"].endswith(path)]
    assert searches[-1]["status"] == 200
    assert searches[-1]["method"] == "GET"
    assert (await harness.admin.delete("/requests")).json() == {"requests": []}


async def test_admin_needs_no_auth(harness: Harness) -> None:
    async with httpx.AsyncClient(base_url=harness.server.admin_url) as anonymous:
        assert (await anonymous.get("/clock")).status_code == 200
