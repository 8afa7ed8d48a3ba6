"""The mock 1177 inbox: stores each message id once, lists per citizen, admin and faults."""

from __future__ import annotations

import httpx

from tidbok_mocks.inbox import InboxServer

CITIZEN = "191212121212"
KEY = {"X-Api-Key": "inbox-key"}


def _message(body: str = "Du har bokat en tid.") -> dict[str, str]:
    return {
        "citizen": CITIZEN,
        "kind": "booked",
        "unit": "SE2321000016-1111",
        "unit_name": "Vårdcentralen Tensta",
        "subject": "Bokad tid",
        "body": body,
        "created_at": "2026-12-01T09:00:00+01:00",
    }


async def test_same_id_is_stored_once(inbox: InboxServer) -> None:
    async with httpx.AsyncClient(base_url=inbox.url, headers=KEY) as client:
        first = await client.put("/api/messages/m1", json=_message())
        again = await client.put("/api/messages/m1", json=_message())
        other = await client.put("/api/messages/m1", json=_message("Annat"))
        assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
        listed = (await client.get(f"/api/citizens/{CITIZEN}/messages")).json()["messages"]
        assert [m["id"] for m in listed] == ["m1"]
        assert (await client.get("/api/messages/m1")).json()["body"] == "Du har bokat en tid."
        assert (await client.get("/api/messages/nope")).status_code == 404
        assert (await client.get("/api/citizens/199001012385/messages")).json()["messages"] == []
    assert inbox.state.store.deliveries == 3


async def test_api_key_and_bad_input(inbox: InboxServer) -> None:
    async with httpx.AsyncClient(base_url=inbox.url) as client:
        assert (await client.put("/api/messages/m1", json=_message())).status_code == 401
        bad = await client.put("/api/messages/m1", json={"citizen": CITIZEN}, headers=KEY)
        assert bad.status_code == 400
        assert bad.json()["error"] == "invalid"
        wrong_id = await client.put(
            "/api/messages/m1", json={**_message(), "id": "m2"}, headers=KEY
        )
        assert wrong_id.status_code == 400


async def test_admin_faults_requests_and_reset(inbox: InboxServer) -> None:
    async with (
        httpx.AsyncClient(base_url=inbox.url, headers=KEY) as client,
        httpx.AsyncClient(base_url=inbox.admin_url) as admin,
    ):
        info = (await admin.get("/info")).json()
        assert info["system"] == "inbox"
        assert info["api_key_required"] is True
        fault = (await admin.post("/faults", json={"kind": "http_503", "times": 1})).json()
        assert (await admin.get("/faults")).json()["faults"][0]["id"] == fault["id"]
        refused = await client.put("/api/messages/m1", json=_message())
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "1"
        assert (await client.put("/api/messages/m1", json=_message())).status_code == 201
        log = (await admin.get("/requests")).json()["requests"]
        assert [(entry["status"], entry["fault"]) for entry in log] == [
            (503, "http_503"),
            (201, None),
        ]
        assert len((await admin.get("/messages")).json()["messages"]) == 1
        await admin.post("/faults", json={"kind": "http_500"})
        assert (await admin.delete("/faults")).json() == {"faults": []}
        assert (await admin.delete("/faults/f99")).status_code == 404
        assert (await admin.post("/reset")).json() == {"reset": True}
        assert (await admin.get("/messages")).json() == {"messages": [], "deliveries": 0}
        assert (await admin.delete("/requests")).json() == {"requests": []}
