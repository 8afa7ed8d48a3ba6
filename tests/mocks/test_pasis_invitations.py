"""PASiS open invitations (R15): book one slot; the invitation closes; a second try is refused."""

from __future__ import annotations

import asyncio

import httpx

from .conftest import seed
from .scenarios import OTHER_PNR, PNR, PNR12, UNIT, pasis_scenario

INVITATION = {
    "id": "K1",
    "unit": UNIT,
    "person": PNR12,
    "slots": ["S-L2", "S-L3"],
    "purpose": "Årlig kontroll",
}


async def seed_invitation(admin: httpx.AsyncClient) -> None:
    await seed(admin, {**pasis_scenario(), "invitations": [INVITATION]})


async def test_open_invitation_is_listed_and_its_slots_reserved(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed_invitation(pasis_admin)
    listed = await pasis.get(f"/enheter/{UNIT}/kallelser", params={"personnummer": PNR})
    assert listed.status_code == 200
    [kallelse] = listed.json()["poster"]
    assert kallelse["kallelseId"] == "K1"
    assert kallelse["personnummer"] == PNR
    assert kallelse["syfte"] == "Årlig kontroll"
    assert kallelse["status"] == "OPPEN"
    assert [(t["tidId"], t["ledig"], t["start"]) for t in kallelse["tider"]] == [
        ("S-L2", True, "2026-11-25T13:00:00"),
        ("S-L3", True, "2026-11-25T11:00:00"),
    ]
    other = await pasis.get(f"/enheter/{UNIT}/kallelser", params={"personnummer": OTHER_PNR})
    assert other.json()["totalt"] == 0
    free = [t["tidId"] for t in (await pasis.get(f"/enheter/{UNIT}/lediga-tider")).json()["poster"]]
    assert not {"S-L2", "S-L3"} & set(free)
    direct = await pasis.post(
        f"/enheter/{UNIT}/bokningar", json={"tidId": "S-L3", "personnummer": PNR}
    )
    assert direct.json()["felkod"] == "EJ_BOKNINGSBAR_VIA_1177"


async def test_book_invitation_once(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed_invitation(pasis_admin)
    response = await pasis.post(
        "/kallelser/K1/bokning", json={"tidId": "S-L2", "personnummer": PNR, "orsak": "Ok"}
    )
    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["kallelseId"] == "K1"
    assert booking["syfte"] == "Årlig kontroll"
    assert booking["bokadAv"] == "invanare"
    kallelse = (await pasis.get("/kallelser/K1")).json()
    assert kallelse["status"] == "BOKAD"
    assert kallelse["bokningsId"] == booking["bokningsId"]
    second = await pasis.post("/kallelser/K1/bokning", json={"tidId": "S-L3", "personnummer": PNR})
    assert second.status_code == 409
    assert second.json()["felkod"] == "KALLELSE_REDAN_BOKAD"
    listed = await pasis.get(f"/enheter/{UNIT}/kallelser", params={"personnummer": PNR})
    assert listed.json()["totalt"] == 0
    book = (await pasis_admin.get("/appointment-book")).json()["entries"]
    assert [(e["slot_id"], e["invitation_id"]) for e in book] == [("S-L2", "K1")]


async def test_concurrent_invitation_bookings_one_wins(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed_invitation(pasis_admin)
    responses = await asyncio.gather(
        *(
            pasis.post("/kallelser/K1/bokning", json={"tidId": tid, "personnummer": PNR})
            for tid in ["S-L2", "S-L3"] * 5
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9
    assert len((await pasis_admin.get("/appointment-book")).json()["entries"]) == 1


async def test_invitation_refusals(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed_invitation(pasis_admin)
    other_person = await pasis.post(
        "/kallelser/K1/bokning", json={"tidId": "S-L2", "personnummer": OTHER_PNR}
    )
    assert other_person.status_code == 403
    assert other_person.json()["felkod"] == "EJ_BEHORIG"
    not_offered = await pasis.post(
        "/kallelser/K1/bokning", json={"tidId": "S-WED", "personnummer": PNR}
    )
    assert not_offered.status_code == 400
    assert not_offered.json()["felkod"] == "OGILTIG_BEGARAN"
    await pasis_admin.post("/clock", json={"now": "2026-11-25T08:00:00+01:00"})
    too_late = await pasis.post(
        "/kallelser/K1/bokning", json={"tidId": "S-L2", "personnummer": PNR}
    )
    assert too_late.json()["felkod"] == "UTANFOR_BOKNINGSFONSTER"


async def test_invitation_slot_taken_by_staff(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed_invitation(pasis_admin)
    await pasis_admin.post("/bookings", json={"slot": "S-L2", "person": OTHER_PNR})
    kallelse = (await pasis.get("/kallelser/K1")).json()
    assert {t["tidId"]: t["ledig"] for t in kallelse["tider"]} == {"S-L2": False, "S-L3": True}
    taken = await pasis.post("/kallelser/K1/bokning", json={"tidId": "S-L2", "personnummer": PNR})
    assert taken.status_code == 409
    assert taken.json()["felkod"] == "TIDEN_UPPTAGEN"
