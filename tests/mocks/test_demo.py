"""The demo data: realistic, in the future of the mock clock, Luhn-valid citizens."""

from __future__ import annotations

import httpx

from tidbok_mocks.common.personnummer import is_valid
from tidbok_mocks.pasis import PasisServer
from tidbok_mocks.pmo import PmoServer


async def test_pasis_demo(pasis_demo_server: PasisServer) -> None:
    async with httpx.AsyncClient(base_url=pasis_demo_server.url) as client:
        book = (await client.get("/__admin/appointment-book")).json()["entries"]
        slots = (await client.get("/__admin/slots")).json()["slots"]
        clock = (await client.get("/__admin/clock")).json()
    assert all(entry["start"] > clock["now"] for entry in book)
    assert all(is_valid(entry["person"]) for entry in book)
    tolvan = [e for e in book if e["person"] == "191212121212"]
    assert any(e["hidden"] for e in tolvan)
    assert all(e["booked_by"] == "staff" for e in tolvan)
    assert {s["level"] for s in slots} == {1, 2, 3, 4}
    assert any(s["reserved_for_invitation"] for s in slots)
    headers = pasis_demo_server.headers
    async with httpx.AsyncClient(base_url=pasis_demo_server.api_url, headers=headers) as api:
        units = (await api.get("/enheter")).json()["poster"]
        assert {u["namn"] for u in units} == {
            "Vårdcentralen Tensta",
            "Barnmorskemottagningen Solna",
        }
        invitations = await api.get(
            f"/enheter/{units[1]['hsaId']}/kallelser", params={"personnummer": "19121212-1212"}
        )
        assert invitations.json()["totalt"] == 1


async def test_pmo_demo(pmo_demo_server: PmoServer) -> None:
    async with httpx.AsyncClient(base_url=pmo_demo_server.url) as client:
        book = (await client.get("/__admin/appointment-book")).json()["entries"]
        clock = (await client.get("/__admin/clock")).json()
        slots = (await client.get("/__admin/slots")).json()["slots"]
    assert all(entry["start"] > clock["now"] for entry in book)
    assert all(is_valid(entry["person"]) for entry in book)
    assert any(e["hidden"] and e["person"] == "191212121212" for e in book)
    assert any(s["start"][:10] == clock["today"] for s in slots)  # same-day slots exist
