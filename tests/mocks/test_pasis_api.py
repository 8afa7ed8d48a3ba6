"""Every PASiS endpoint over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import seed
from .scenarios import OTHER_PNR, OTHER_UNIT, PNR, UNIT, pasis_scenario


async def book(pasis: httpx.AsyncClient, tid: str, pnr: str = PNR, **extra: Any) -> httpx.Response:
    return await pasis.post(
        f"/enheter/{UNIT}/bokningar", json={"tidId": tid, "personnummer": pnr, **extra}
    )


async def test_enheter_list_and_one(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    body = (await pasis.get("/enheter")).json()
    assert body["totalt"] == 2
    assert body["offset"] == 0
    assert body["limit"] == 50
    assert {e["hsaId"] for e in body["poster"]} == {UNIT, OTHER_UNIT}
    one = await pasis.get(f"/enheter/{UNIT.lower()}")
    assert one.status_code == 200
    assert one.json() == {"hsaId": UNIT, "namn": "Vårdcentralen Test", "adress": "Testgatan 1"}


async def test_tidstyper(pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient) -> None:
    await seed(pasis_admin, pasis_scenario())
    body = (await pasis.get(f"/enheter/{UNIT}/tidstyper")).json()
    assert body["totalt"] == 4
    prov = next(t for t in body["poster"] if t["tidstypId"] == "TT4")
    assert prov == {
        "tidstypId": "TT4",
        "hsaId": UNIT,
        "namn": "Provtagning",
        "beskrivning": "",
        "syfte": "Kom fastande.",
        "langdMinuter": 15,
        "standardniva1177": 4,
    }


async def test_lediga_tider_local_times_levels_and_paging(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    body = (await pasis.get(f"/enheter/{UNIT}/lediga-tider", params={"fran": "2026-11-23"})).json()
    ids = [t["tidId"] for t in body["poster"]]
    assert ids[0] == "S-TODAY"
    assert {"S-L1", "S-L2"} <= set(ids)  # every level is listed, with its niva1177
    first = body["poster"][1]
    assert first == {
        "tidId": "S-TUE-1",
        "hsaId": UNIT,
        "tidstypId": "TT4",
        "tidstypNamn": "Provtagning",
        "start": "2026-11-24T10:00:00",
        "slut": "2026-11-24T10:15:00",
        "utforare": "Dr Anna Berg",
        "resurs": "Rum 4",
        "niva1177": 4,
    }
    levels = {t["tidId"]: t["niva1177"] for t in body["poster"]}
    assert levels["S-OVERRIDE"] == 2
    assert levels["S-L3-THU"] == 4
    paged = (
        await pasis.get(f"/enheter/{UNIT}/lediga-tider", params={"offset": 2, "limit": 3})
    ).json()
    assert paged["totalt"] == body["totalt"]
    assert [t["tidId"] for t in paged["poster"]] == ids[2:5]
    window = await pasis.get(
        f"/enheter/{UNIT}/lediga-tider",
        params={"fran": "2026-11-24", "till": "2026-11-24", "tidstyp": "TT4"},
    )
    assert [t["tidId"] for t in window.json()["poster"]] == ["S-TUE-1", "S-TUE-2"]


async def test_booked_slot_leaves_and_returns(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    booking = (await book(pasis, "S-TUE-1")).json()
    ids = [t["tidId"] for t in (await pasis.get(f"/enheter/{UNIT}/lediga-tider")).json()["poster"]]
    assert "S-TUE-1" not in ids
    cancel = await pasis.post(
        f"/bokningar/{booking['bokningsId']}/avboka", json={"personnummer": PNR}
    )
    assert cancel.status_code == 200
    ids = [t["tidId"] for t in (await pasis.get(f"/enheter/{UNIT}/lediga-tider")).json()["poster"]]
    assert "S-TUE-1" in ids
    again = await book(pasis, "S-TUE-1", OTHER_PNR)
    assert again.status_code == 201


async def test_boka_returns_the_booking(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    response = await book(pasis, "S-TUE-1", orsak="Kontroll av blodvärden")
    assert response.status_code == 201
    body = response.json()
    assert body["bokningsId"].startswith("B")
    assert body == {
        **body,
        "hsaId": UNIT,
        "enhetNamn": "Vårdcentralen Test",
        "tidId": "S-TUE-1",
        "tidstypNamn": "Provtagning",
        "start": "2026-11-24T10:00:00",
        "slut": "2026-11-24T10:15:00",
        "personnummer": PNR,
        "syfte": "Kom fastande.",
        "orsak": "Kontroll av blodvärden",
        "bokadAv": "invanare",
        "dold": False,
        "status": "BOKAD",
        "kallelseId": None,
        "niva1177": 4,
        "skapad": "2026-11-23T09:00:00",
    }
    fetched = await pasis.get(f"/bokningar/{body['bokningsId']}")
    assert fetched.json() == body


async def test_bokningar_lists_staff_made_and_hidden(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    await pasis_admin.post(
        "/bookings", json={"slot": "S-L3", "person": PNR, "purpose": "Blodtryck"}
    )
    await pasis_admin.post("/bookings", json={"slot": "S-L2", "person": PNR, "hidden": True})
    await pasis_admin.post("/bookings", json={"slot": "S-WED", "person": OTHER_PNR})
    await book(pasis, "S-TUE-1")
    response = await pasis.get(f"/enheter/{UNIT}/bokningar", params={"personnummer": PNR})
    posts = response.json()["poster"]
    assert response.json()["totalt"] == 3
    assert [(b["tidId"], b["bokadAv"], b["dold"]) for b in posts] == [
        ("S-TUE-1", "invanare", False),
        ("S-L3", "personal", False),
        ("S-L2", "personal", True),
    ]
    assert posts[1]["syfte"] == "Blodtryck"
    other_unit = await pasis.get(f"/enheter/{OTHER_UNIT}/bokningar", params={"personnummer": PNR})
    assert other_unit.json()["totalt"] == 0


async def test_bokningar_across_units_with_repeated_hsa_id(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    await pasis_admin.post("/bookings", json={"slot": "S-OTHER", "person": PNR})
    await pasis_admin.post("/bookings", json={"slot": "S-L2", "person": PNR, "hidden": True})
    await pasis_admin.post("/bookings", json={"slot": "S-WED", "person": OTHER_PNR})
    cancelled = (await book(pasis, "S-TUE-1")).json()["bokningsId"]
    await pasis.post(f"/bokningar/{cancelled}/avboka", json={"personnummer": PNR})

    async def across(*units: str, **params: Any) -> dict[str, Any]:
        query = [("personnummer", PNR), *(("hsaId", unit) for unit in units), *params.items()]
        response = await pasis.get("/bokningar", params=query)
        assert response.status_code == 200, response.text
        return dict(response.json())

    both = await across(UNIT, OTHER_UNIT.lower())
    assert [(b["hsaId"], b["tidId"], b["dold"]) for b in both["poster"]] == [
        (OTHER_UNIT, "S-OTHER", False),
        (UNIT, "S-L2", True),
    ]
    assert (await across())["poster"] == both["poster"]  # no hsaId: every unit
    assert [b["tidId"] for b in (await across(OTHER_UNIT))["poster"]] == ["S-OTHER"]
    assert (await across("SE2321000016-0000"))["totalt"] == 0
    first = await across(UNIT, OTHER_UNIT, limit=1)
    rest = await across(UNIT, OTHER_UNIT, limit=1, offset=1)
    assert (first["totalt"], first["poster"] + rest["poster"]) == (2, both["poster"])
    missing = await pasis.get("/bokningar", params={"hsaId": UNIT})
    assert missing.status_code == 400


async def test_omboka_moves_in_one_step(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    booking = (await book(pasis, "S-TUE-1", orsak="Prover")).json()
    response = await pasis.post(
        f"/bokningar/{booking['bokningsId']}/omboka", json={"nyTidId": "S-WED", "personnummer": PNR}
    )
    assert response.status_code == 200
    moved = response.json()
    assert moved["bokningsId"] == booking["bokningsId"]
    assert moved["tidId"] == "S-WED"
    assert moved["start"] == "2026-11-25T10:00:00"
    assert moved["orsak"] == "Prover"
    book_entries = (await pasis_admin.get("/appointment-book")).json()["entries"]
    assert [(e["booking_id"], e["slot_id"]) for e in book_entries] == [
        (booking["bokningsId"], "S-WED")
    ]
    free = [t["tidId"] for t in (await pasis.get(f"/enheter/{UNIT}/lediga-tider")).json()["poster"]]
    assert "S-TUE-1" in free
    assert "S-WED" not in free


async def test_omboka_refusals(pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient) -> None:
    await seed(pasis_admin, pasis_scenario())
    booking_id = (await book(pasis, "S-TUE-1")).json()["bokningsId"]
    await book(pasis, "S-WED", OTHER_PNR)

    async def omboka(tid: str, pnr: str = PNR) -> dict[str, Any]:
        response = await pasis.post(
            f"/bokningar/{booking_id}/omboka", json={"nyTidId": tid, "personnummer": pnr}
        )
        return {"status": response.status_code, **response.json()}

    assert (await omboka("S-WED"))["felkod"] == "TIDEN_UPPTAGEN"
    assert (await omboka("S-TUE-1"))["felkod"] == "OGILTIG_BEGARAN"
    assert (await omboka("S-L3"))["felkod"] == "OGILTIG_BEGARAN"  # another time type
    assert (await omboka("S-OVERRIDE"))["felkod"] == "EJ_BOKNINGSBAR_VIA_1177"  # level 2
    assert (await omboka("S-TODAY"))["felkod"] == "UTANFOR_BOKNINGSFONSTER"
    assert (await omboka("S-OTHER"))["felkod"] == "HITTAS_EJ"  # another unit
    assert (await omboka("S-TUE-2", OTHER_PNR))["status"] == 403
    after = (await pasis.get(f"/bokningar/{booking_id}")).json()
    assert after["tidId"] == "S-TUE-1"
    assert after["status"] == "BOKAD"


async def test_avboka_with_message(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    booking_id = (await book(pasis, "S-TUE-1")).json()["bokningsId"]
    wrong = await pasis.post(f"/bokningar/{booking_id}/avboka", json={"personnummer": OTHER_PNR})
    assert wrong.status_code == 403
    assert wrong.json()["felkod"] == "EJ_BEHORIG"
    response = await pasis.post(
        f"/bokningar/{booking_id}/avboka",
        json={"personnummer": PNR, "meddelande": "Jag är bortrest."},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "AVBOKAD"
    assert response.json()["avbokningsmeddelande"] == "Jag är bortrest."
    entries = (await pasis_admin.get("/appointment-book?include_cancelled=true")).json()["entries"]
    assert entries[0]["cancel_message"] == "Jag är bortrest."
    listed = await pasis.get(f"/enheter/{UNIT}/bokningar", params={"personnummer": PNR})
    assert listed.json()["totalt"] == 0
    twice = await pasis.post(f"/bokningar/{booking_id}/avboka", json={"personnummer": PNR})
    assert twice.status_code == 409
    assert twice.json()["felkod"] == "BOKNINGEN_AVBOKAD"


async def test_unknown_ids_are_hittas_ej(
    pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient
) -> None:
    await seed(pasis_admin, pasis_scenario())
    for response in [
        await pasis.get("/enheter/SE2321000016-0000"),
        await pasis.get("/enheter/SE2321000016-0000/lediga-tider"),
        await pasis.get(f"/enheter/{UNIT}/lediga-tider", params={"tidstyp": "NOPE"}),
        await pasis.get("/bokningar/B999"),
        await pasis.post("/bokningar/B999/avboka", json={"personnummer": PNR}),
        await pasis.get("/kallelser/K999"),
        await book(pasis, "NOPE"),
        await book(pasis, "S-OTHER"),
        await pasis.get("/no/such/path"),
    ]:
        assert response.status_code == 404, response.text
        assert response.json()["felkod"] == "HITTAS_EJ"


async def test_api_key_required(pasis_server: Any, pasis_admin: httpx.AsyncClient) -> None:
    await seed(pasis_admin, pasis_scenario())
    async with httpx.AsyncClient(base_url=pasis_server.api_url) as anonymous:
        missing = await anonymous.get("/enheter")
        wrong = await anonymous.get("/enheter", headers={"X-Api-Key": "fel"})
    for response in (missing, wrong):
        assert response.status_code == 401
        assert response.json()["felkod"] == "EJ_BEHORIG"
        assert "meddelande" in response.json()


async def test_ledig_tid_by_id(pasis: httpx.AsyncClient, pasis_admin: httpx.AsyncClient) -> None:
    await seed(pasis_admin, pasis_scenario())
    one = await pasis.get("/lediga-tider/S-L2")
    assert one.status_code == 200
    assert one.json()["tidId"] == "S-L2"
    assert one.json()["niva1177"] == 2
    assert one.json()["start"] == "2026-11-25T13:00:00"
    assert (await book(pasis, "S-TUE-1")).status_code == 201
    taken = await pasis.get("/lediga-tider/S-TUE-1")
    assert taken.status_code == 409
    assert taken.json()["felkod"] == "TIDEN_UPPTAGEN"
    unknown = await pasis.get("/lediga-tider/NOPE")
    assert unknown.status_code == 404
    assert unknown.json()["felkod"] == "HITTAS_EJ"
    invitation = {"unit": UNIT, "person": PNR, "slots": ["S-WED"]}
    assert (await pasis_admin.post("/invitations", json=invitation)).status_code == 201
    reserved = await pasis.get("/lediga-tider/S-WED")
    assert reserved.status_code == 422
    assert reserved.json()["felkod"] == "EJ_BOKNINGSBAR_VIA_1177"
