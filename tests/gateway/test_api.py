"""API v1 over a real socket: every endpoint, the shapes of its answers, the rules behind them."""

from __future__ import annotations

from tests.core.memory_system import BOOKABLE, NOT_SHOWN, SHOWN_ONLY
from tidbok.gateway.ids import decode_id, encode_id
from tidbok.models import BookedBy

from .conftest import NOW, OTHER, PASIS_UNIT, PMO_UNIT, TOLVAN, VIEW_UNIT, Gateway, at

PROBLEM = "application/problem+json"


async def test_units_list_active_units_with_case_types(gw: Gateway) -> None:
    response = await gw.client.get("/v1/units", headers=gw.auth())
    assert response.status_code == 200
    units = {unit["hsa_id"]: unit for unit in response.json()["units"]}
    assert set(units) == {PASIS_UNIT, PMO_UNIT, VIEW_UNIT}
    pasis = units[PASIS_UNIT]
    assert pasis["name"] == "Vårdcentralen Tensta"
    assert pasis["system"] == "memory_pasis"
    assert pasis["case_types"][0] == {
        "kind": "book",
        "name": "Boka tid i minnet",
        "terms": "Avboka senast 24 timmar innan.",
    }
    assert units[PMO_UNIT]["case_types"][0]["name"] == "Boka provtagning"


async def test_time_types_show_only_visible_ones(gw: Gateway) -> None:
    gw.pasis.add_time_type(PASIS_UNIT, "t1", "Provtagning", BOOKABLE)
    gw.pasis.add_time_type(PASIS_UNIT, "t2", "Telefontid", SHOWN_ONLY)
    gw.pasis.add_time_type(PASIS_UNIT, "t3", "Internt möte", NOT_SHOWN)
    response = await gw.client.get(f"/v1/units/{PASIS_UNIT.lower()}/time-types", headers=gw.auth())
    assert response.status_code == 200
    assert response.json()["time_types"] == [
        {"id": "t1", "name": "Provtagning", "bookable": True, "changeable": True},
        {"id": "t2", "name": "Telefontid", "bookable": False, "changeable": False},
    ]


async def test_overview_lists_every_time_type_with_access_and_slot_levels(gw: Gateway) -> None:
    """R14: visible or not, what 1177 does with each type, and slots at other levels."""
    provtagning = gw.pasis.add_time_type(PASIS_UNIT, "t1", "Provtagning", BOOKABLE)
    gw.pasis.add_time_type(PASIS_UNIT, "t3", "Internt möte", NOT_SHOWN)
    gw.pasis.add_slot(PASIS_UNIT, at(1, 10), time_type=provtagning)
    gw.pasis.add_slot(PASIS_UNIT, at(2, 10), time_type=provtagning, access=SHOWN_ONLY)
    response = await gw.client.get(f"/v1/units/{PASIS_UNIT.lower()}/overview", headers=gw.auth())
    assert response.status_code == 200
    body = response.json()
    assert body["unit"]["hsa_id"] == PASIS_UNIT
    assert body["period_start"] == NOW.isoformat()
    assert body["period_end"] == at(28, 9).isoformat()
    yes = {"visible": True, "bookable": True, "changeable": True}
    shown = {"visible": True, "bookable": False, "changeable": False}
    no = {"visible": False, "bookable": False, "changeable": False}
    assert body["time_types"] == [
        {
            "id": "t1",
            "name": "Provtagning",
            "access": yes,
            "on_1177": yes,
            "free_slots": 2,
            "slot_levels": [{"access": shown, "on_1177": shown, "free_slots": 1}],
        },
        {
            "id": "t3",
            "name": "Internt möte",
            "access": no,
            "on_1177": no,
            "free_slots": 0,
            "slot_levels": [],
        },
    ]
    view_only = await gw.client.get(f"/v1/units/{VIEW_UNIT}/overview", headers=gw.auth())
    assert view_only.status_code == 200
    assert view_only.json()["time_types"] == []


async def test_overview_errors_are_problems(gw: Gateway) -> None:
    unknown = await gw.client.get("/v1/units/SE2321000016-9999/overview", headers=gw.auth())
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith(PROBLEM)
    malformed = await gw.client.get("/v1/units/nope/overview", headers=gw.auth())
    assert (malformed.status_code, malformed.json()["code"]) == (400, "invalid_input")
    anonymous = await gw.client.get(f"/v1/units/{PMO_UNIT}/overview")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthorized")
    extra = await gw.client.get(
        f"/v1/units/{PMO_UNIT}/overview", params={"x": "1"}, headers=gw.auth()
    )
    assert extra.status_code == 400
    gw.pmo.down = True
    down = await gw.client.get(f"/v1/units/{PMO_UNIT}/overview", headers=gw.auth())
    assert (down.status_code, down.json()["code"]) == (503, "backend_unavailable")


async def test_slots_only_what_the_citizen_may_book_now(gw: Gateway) -> None:
    today = gw.pasis.add_slot(PASIS_UNIT, at(0, 15))  # PASiS: not today (R9)
    tomorrow = gw.pasis.add_slot(PASIS_UNIT, at(1, 10))
    gw.pasis.add_slot(PASIS_UNIT, at(2, 10), access=SHOWN_ONLY)  # not bookable via 1177
    response = await gw.client.get(
        f"/v1/units/{PASIS_UNIT}/slots",
        params={"from": NOW.isoformat(), "to": at(7, 0).isoformat()},
        headers=gw.auth(),
    )
    assert response.status_code == 200
    slots = response.json()["slots"]
    assert [slot["id"] for slot in slots] == [tomorrow.id]
    assert today.id not in {slot["id"] for slot in slots}
    assert slots[0]["start"] == "2026-12-02T10:00:00+01:00"
    assert slots[0]["end"] == "2026-12-02T10:30:00+01:00"
    assert slots[0]["time_type"] == {"id": "tt-1", "name": "Läkarbesök"}
    assert slots[0]["performer"] == "Dr Anna Berg"


async def test_slots_default_period_and_time_type_filter(gw: Gateway) -> None:
    gw.pmo.add_slot(PMO_UNIT, at(0, 15))  # PMO: same day allowed (R8)
    gw.pmo.add_slot(PMO_UNIT, at(20, 10))  # outside the default 14 days
    response = await gw.client.get(f"/v1/units/{PMO_UNIT}/slots", headers=gw.auth())
    assert response.status_code == 200
    assert len(response.json()["slots"]) == 1
    filtered = await gw.client.get(
        f"/v1/units/{PMO_UNIT}/slots", params={"time_type": "nope"}, headers=gw.auth()
    )
    assert filtered.json()["slots"] == []


async def test_unescaped_plus_in_offset_is_understood(gw: Gateway) -> None:
    gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    query = "from=2026-12-01T09:00:00+01:00&to=2026-12-05T00:00:00+01:00"
    response = await gw.client.get(f"/v1/units/{PMO_UNIT}/slots?{query}", headers=gw.auth())
    assert response.status_code == 200
    assert len(response.json()["slots"]) == 1


async def test_book_see_rebook_cancel(gw: Gateway) -> None:
    slot = gw.pasis.add_slot(PASIS_UNIT, at(3, 10))
    new_slot = gw.pasis.add_slot(PASIS_UNIT, at(4, 11))
    booked = await gw.client.post(
        "/v1/bookings",
        json={"unit": PASIS_UNIT, "slot_id": slot.id, "accept_terms": True, "reason": "Ont"},
        headers=gw.auth(),
    )
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert body["outcome"] == "OK"
    assert body["info"] is None
    booking = body["booking"]
    assert booking["reason"] == "Ont"
    assert booking["booked_by"] == "citizen"
    assert booking["permissions"] == {
        "cancel_booking_allowed": True,
        "rebooking_allowed": True,
        "message_allowed": True,
    }
    qualified = decode_id(booking["id"])
    assert qualified.unit == PASIS_UNIT
    assert qualified.backend_id in gw.pasis.bookings
    assert "191212121212" not in booked.text

    details = await gw.client.get(f"/v1/bookings/{booking['id']}", headers=gw.auth())
    assert details.status_code == 200
    assert details.json() == booking

    rebook_slots = await gw.client.get(
        f"/v1/units/{PASIS_UNIT}/slots", params={"rebook": booking["id"]}, headers=gw.auth()
    )
    assert rebook_slots.status_code == 200
    assert [s["id"] for s in rebook_slots.json()["slots"]] == [new_slot.id]

    moved = await gw.client.post(
        f"/v1/bookings/{booking['id']}/rebook", json={"slot_id": new_slot.id}, headers=gw.auth()
    )
    assert moved.status_code == 200, moved.text
    moved_booking = moved.json()["booking"]
    assert moved_booking["start"] == "2026-12-05T11:00:00+01:00"

    cancelled = await gw.client.post(
        f"/v1/bookings/{moved_booking['id']}/cancel",
        json={"message": "Jag är frisk igen"},
        headers=gw.auth(),
    )
    assert cancelled.status_code == 200
    assert cancelled.json() == {"outcome": "OK", "info": None}
    assert gw.pasis.bookings == {}

    inbox = await gw.client.get("/v1/inbox", headers=gw.auth())
    assert inbox.status_code == 200
    messages = inbox.json()["messages"]
    assert [m["kind"] for m in messages] == ["cancelled", "rebooked", "booked"]
    assert messages[2]["body"].startswith("Du har bokat en tid för Läkarbesök hos Vårdcentralen")
    assert "fredag 4 december 2026 kl. 10:00" in messages[2]["body"]
    assert "är ombokad" in messages[1]["body"]
    assert messages[0]["body"].startswith("Din tid för Läkarbesök hos Vårdcentralen Tensta")
    assert "är avbokad" in messages[0]["body"]
    assert "Jag är frisk igen" in messages[0]["body"]


async def test_cancel_without_body(gw: Gateway) -> None:
    booking = gw.pmo.add_booking(PMO_UNIT, TOLVAN, at(2, 9))
    opaque = encode_id(PMO_UNIT, booking.id)
    response = await gw.client.post(f"/v1/bookings/{opaque}/cancel", headers=gw.auth())
    assert response.status_code == 200
    assert gw.pmo.bookings == {}


async def test_bokade_tider_all_units_hidden_left_out_staff_made_shown(gw: Gateway) -> None:
    staff = gw.pasis.add_booking(PASIS_UNIT, TOLVAN, at(5, 8), booked_by=BookedBy.STAFF)
    gw.pasis.add_booking(PASIS_UNIT, TOLVAN, at(6, 8), hidden=True)
    pmo = gw.pmo.add_booking(PMO_UNIT, TOLVAN, at(3, 8), booked_by=BookedBy.CITIZEN)
    gw.pmo.add_booking(PMO_UNIT, OTHER, at(3, 9))
    response = await gw.client.get("/v1/bookings", headers=gw.auth())
    assert response.status_code == 200
    body = response.json()
    assert [decode_id(b["id"]).backend_id for b in body["bookings"]] == [pmo.id, staff.id]
    assert [b["booked_by"] for b in body["bookings"]] == ["citizen", "staff"]
    assert body["failed_units"] == []

    one_unit = await gw.client.get(f"/v1/units/{PMO_UNIT}/bookings", headers=gw.auth())
    assert one_unit.status_code == 200
    assert [decode_id(b["id"]).backend_id for b in one_unit.json()["bookings"]] == [pmo.id]


async def test_bokade_tider_lists_units_that_failed(gw: Gateway) -> None:
    gw.pasis.add_booking(PASIS_UNIT, TOLVAN, at(5, 8))
    gw.pmo.down = True
    response = await gw.client.get("/v1/bookings", headers=gw.auth())
    assert response.status_code == 200
    body = response.json()
    assert len(body["bookings"]) == 1
    failed = {f["unit"]: f for f in body["failed_units"]}
    assert set(failed) == {PMO_UNIT, VIEW_UNIT}
    assert failed[PMO_UNIT]["code"] == "backend_unavailable"
    assert failed[PMO_UNIT]["detail"] == "Tjänsten fungerar inte just nu. Försök igen om en stund."


async def test_booking_details_flags_inside_the_cutoff(gw: Gateway) -> None:
    soon = gw.pasis.add_booking(PASIS_UNIT, TOLVAN, NOW.replace(hour=20))
    response = await gw.client.get(
        f"/v1/bookings/{encode_id(PASIS_UNIT, soon.id)}", headers=gw.auth()
    )
    assert response.status_code == 200
    assert response.json()["permissions"] == {
        "cancel_booking_allowed": False,
        "rebooking_allowed": False,
        "message_allowed": False,
    }


async def test_invitations_list_and_book(gw: Gateway) -> None:
    invitation = gw.pasis.add_invitation(PASIS_UNIT, TOLVAN, [at(3, 9), at(4, 9)])
    gw.pasis.add_invitation(PASIS_UNIT, OTHER, [at(3, 10)])
    listed = await gw.client.get("/v1/invitations", headers=gw.auth())
    assert listed.status_code == 200
    invitations = listed.json()["invitations"]
    assert len(invitations) == 1
    assert invitations[0]["title"] == "Årlig kontroll"
    opaque = invitations[0]["id"]
    assert decode_id(opaque).backend_id == invitation.id
    slot_id = invitations[0]["slots"][1]["id"]
    booked = await gw.client.post(
        f"/v1/invitations/{opaque}/book",
        json={"slot_id": slot_id, "accept_terms": True},
        headers=gw.auth(),
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["booking"]["is_invitation"] is True
    again = await gw.client.post(
        f"/v1/invitations/{opaque}/book",
        json={"slot_id": invitations[0]["slots"][0]["id"], "accept_terms": True},
        headers=gw.auth(),
    )
    assert again.status_code == 409
    assert again.json()["code"] == "invitation_already_used"
    inbox = (await gw.client.get("/v1/inbox", headers=gw.auth())).json()["messages"]
    assert inbox[0]["kind"] == "invitation_booked"
    assert inbox[0]["body"].startswith("Du har bokat en tid från din kallelse")


async def test_agent_acting_for_the_citizen(gw: Gateway) -> None:
    slot = gw.pmo.add_slot(PMO_UNIT, at(1, 10))
    response = await gw.client.post(
        "/v1/bookings",
        json={"unit": PMO_UNIT, "slot_id": slot.id, "accept_terms": True},
        headers=gw.auth(agent_id="sjukskoterska-17"),
    )
    assert response.status_code == 201
    messages = (await gw.client.get("/v1/inbox", headers=gw.auth())).json()["messages"]
    assert "för din räkning" in messages[0]["body"]


async def test_health_ready_metrics(gw: Gateway) -> None:
    health = await gw.client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    ready = await gw.client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready"
    assert body["outbox"] == "ok"
    assert {b["backend"]: b["reachable"] for b in body["backends"]} == {
        "pasis-main": True,
        "pmo-main": True,
    }
    gw.pmo.down = True
    window = gw.service.settings.gateway.readiness_cache
    gw.timer.advance(window)  # the probes are reused within the window: move past it
    degraded = await gw.client.get("/readyz")
    assert degraded.status_code == 200
    assert degraded.json()["status"] == "degraded"
    gw.pasis.down = True
    gw.timer.advance(window)
    down = await gw.client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["status"] == "unavailable"
    gw.pasis.down = gw.pmo.down = False

    await gw.client.get(f"/v1/units/{PMO_UNIT}/time-types", headers=gw.auth())
    metrics = await gw.client.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert "# TYPE tidbok_http_requests_total counter" in text
    assert 'tidbok_http_requests_total{method="GET",route="/healthz",status="200"} 1' in text
    assert "# TYPE tidbok_operation_duration_seconds histogram" in text
    assert (
        'tidbok_operation_duration_seconds_count{operation="time_types",system="memory_pmo"} 1'
        in text
    )
    assert 'le="+Inf"' in text
    assert "tidbok_outbox_pending 0" in text
