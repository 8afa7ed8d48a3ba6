"""The riv mock's SOAP plumbing: headers, faults, safe parsing, injected faults, standalone run."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import httpx
import pytest

from tidbok_mocks import SYSTEMS, RivServer, run_mock

from .conftest import seed
from .riv_soap import (
    call,
    envelope,
    fault,
    make_booking,
    payload,
    responder,
    riv_scenario,
    texts,
)
from .scenarios import PNR12, UNIT

SCHEDULE = (
    f"<urn:healthcare_facility>{UNIT}</urn:healthcare_facility>"
    f"<urn:subject_of_care>{PNR12}</urn:subject_of_care>"
)


async def test_headers_in_either_order_any_prefix_unknown_elements_ignored(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    request = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/">'
        "<e:Header>"
        f'<LogicalAddress xmlns="urn:riv:itintegration:registry:1">{UNIT.lower()}</LogicalAddress>'
        '<a:Actor xmlns:a="urn:riv:interoperability:headers:1"><a:actorId>191212121212</a:actorId>'
        "<a:actorType>subject_of_care</a:actorType></a:Actor>"
        '<x:Trace xmlns:x="urn:example:trace">abc</x:Trace>'
        "</e:Header><e:Body>"
        "<GetSubjectOfCareSchedule "
        'xmlns="urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1">'
        f"<healthcare_facility>{UNIT}</healthcare_facility>"
        "<subject_of_care>191212121212</subject_of_care>"
        '<extra xmlns="urn:example:any">ignored</extra>'
        "</GetSubjectOfCareSchedule></e:Body></e:Envelope>"
    )
    response = await riv.post(
        "/GetSubjectOfCareSchedule/1/rivtabp21",
        content=request.encode(),
        headers={"Content-Type": "text/xml; charset=UTF-8"},
    )
    assert response.status_code == 200, response.text
    assert [texts(item)["bookingId"] for item in payload(response)] == ["B-TUE", "B-FIXED"]


async def test_unknown_logical_address_is_vp004(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    head = envelope("GetSubjectOfCareSchedule", SCHEDULE).replace(UNIT, "SE2321000016-0000", 1)
    response = await riv.post(
        "/GetSubjectOfCareSchedule/1/rivtabp21",
        content=head.encode(),
        headers={"Content-Type": "text/xml"},
    )
    code, text = fault(response)
    assert code == "soap:Server"
    assert text.startswith(
        "VP004 No Logical Adress found for serviceNamespace:"
        "urn:riv:crm:scheduling:GetSubjectOfCareScheduleResponder:1, receiverId:SE2321000016-0000"
    )


@pytest.mark.parametrize(
    ("head", "text"),
    [
        (
            f"<soapenv:Header><itr:LogicalAddress>{UNIT}</itr:LogicalAddress></soapenv:Header>",
            "the Actor header is missing",
        ),
        (
            f"<soapenv:Header><itr:LogicalAddress>{UNIT}</itr:LogicalAddress><ih:Actor>"
            "<ih:actorId>191212121212</ih:actorId><ih:actorType>citizen</ih:actorType>"
            "</ih:Actor></soapenv:Header>",
            "actorType must be subject_of_care or subject_of_care_agent",
        ),
        ("", "the SOAP Header with LogicalAddress and Actor is missing"),
    ],
)
async def test_a_missing_or_bad_actor_is_a_client_fault(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient, head: str, text: str
) -> None:
    await seed(riv_admin, riv_scenario())
    response = await call(riv, "GetSubjectOfCareSchedule", SCHEDULE, head)
    assert fault(response) == ("soap:Client", text)


async def test_malformed_and_hostile_requests_are_client_faults(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    path = "/GetSubjectOfCareSchedule/1/rivtabp21"
    broken = await riv.post(path, content=b"<not-xml", headers={"Content-Type": "text/xml"})
    assert fault(broken)[0] == "soap:Client"
    entity = (
        '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + envelope("GetSubjectOfCareSchedule", SCHEDULE.replace(PNR12, "&x;"))
    )
    hostile = await riv.post(path, content=entity.encode(), headers={"Content-Type": "text/xml"})
    assert "root:" not in hostile.text
    assert hostile.status_code == 500
    other = await call(riv, "GetAllTimeTypes", SCHEDULE)
    wrong_body = await riv.post(
        path,
        content=envelope("GetAllTimeTypes", SCHEDULE).encode(),
        headers={"Content-Type": "text/xml"},
    )
    assert fault(other)[0] == "soap:Client"  # subject_of_care not in the 1.1 namespace
    assert fault(wrong_body) == (
        "soap:Client",
        "the Body holds no GetSubjectOfCareSchedule request",
    )


async def test_a_soap_action_of_another_operation_is_refused(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    response = await riv.post(
        "/GetSubjectOfCareSchedule/1/rivtabp21",
        content=envelope("GetSubjectOfCareSchedule", SCHEDULE).encode(),
        headers={
            "Content-Type": "text/xml",
            "SOAPAction": f'"{responder("MakeBooking")}:MakeBooking"',
        },
    )
    assert fault(response)[0] == "soap:Client"


async def test_injected_500_is_a_soap_fault_and_logged(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    rule = {"match": {"method": "POST", "path": "^/GetSubjectOfCareSchedule/1/rivtabp21$"}}
    await riv_admin.post("/faults", json={**rule, "kind": "http_500", "times": 1})
    assert fault(await call(riv, "GetSubjectOfCareSchedule", SCHEDULE))[0] == "soap:Server"
    assert (await call(riv, "GetSubjectOfCareSchedule", SCHEDULE)).status_code == 200
    log = (await riv_admin.get("/requests")).json()["requests"]
    assert [(e["path"], e["status"], e["fault"]) for e in log] == [
        ("/GetSubjectOfCareSchedule/1/rivtabp21", 500, "http_500"),
        ("/GetSubjectOfCareSchedule/1/rivtabp21", 200, None),
    ]


async def booked_slots(riv_admin: httpx.AsyncClient) -> list[str]:
    response = await riv_admin.get("/appointment-book", params={"unit": UNIT})
    return [entry["slot_id"] for entry in response.json()["entries"]]


async def test_reset_on_make_booking_books_nothing(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    match = {"method": "POST", "path": "^/MakeBooking/1/rivtabp21$"}
    await riv_admin.post("/faults", json={"match": match, "kind": "reset", "times": 1})
    with pytest.raises(httpx.TransportError):
        await call(riv, "MakeBooking", make_booking("20261124100000", "20261124101500"))
    assert "S-TUE-1" not in await booked_slots(riv_admin)


async def test_commit_then_drop_on_make_booking_books_the_slot(
    riv: httpx.AsyncClient, riv_admin: httpx.AsyncClient
) -> None:
    await seed(riv_admin, riv_scenario())
    match = {"method": "POST", "path": "^/MakeBooking/1/rivtabp21$"}
    await riv_admin.post("/faults", json={"match": match, "kind": "commit_then_drop", "times": 1})
    with pytest.raises(httpx.TransportError):
        await call(riv, "MakeBooking", make_booking("20261124100000", "20261124101500"))
    assert "S-TUE-1" in await booked_slots(riv_admin)
    retry = texts(
        payload(await call(riv, "MakeBooking", make_booking("20261124100000", "20261124101500")))
    )
    assert retry["resultText"] == "Tiden är redan bokad."


async def test_run_mock_knows_riv() -> None:
    assert "riv" in SYSTEMS
    async with run_mock("riv", demo_data=True, same_day_booking=True) as server:
        assert isinstance(server, RivServer)
        assert server.endpoint("MakeBooking") == server.url + "/MakeBooking/1/rivtabp21"
        async with httpx.AsyncClient(base_url=server.admin_url) as admin:
            info = (await admin.get("/info")).json()
        assert info["system"] == "riv"
        assert info["rules"] == {"change_cutoff_hours": 24.0, "same_day_booking": True}


@pytest.mark.parametrize("command", [["tidbok", "mock"], ["tidbok_mocks"]])
async def test_standalone_riv_serves_the_demo_and_stops(command: list[str]) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        *command,
        "riv",
        "--port",
        "0",
        "--change-cutoff-hours",
        "2",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), timeout=20)).decode()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", first)
        assert match, first
        async with httpx.AsyncClient(base_url=match.group(1)) as client:
            body = (
                "<urn:healthcare_facility>SE2321000016-3001</urn:healthcare_facility>"
                "<urn3:subject_of_care>191212121212</urn3:subject_of_care>"
            )
            head = (
                "<soapenv:Header><itr:LogicalAddress>SE2321000016-3001</itr:LogicalAddress>"
                "<ih:Actor><ih:actorId>191212121212</ih:actorId>"
                "<ih:actorType>subject_of_care</ih:actorType></ih:Actor></soapenv:Header>"
            )
            answer = payload(await call(client, "GetAllTimeTypes", body, head))
            assert [texts(item)["timeTypeName"] for item in answer][:1] == ["Provtagning"]
            rules = (await client.get("/__admin/rules")).json()
            assert rules["change_cutoff_hours"] == 2.0
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), timeout=20) == 0
        assert "stopped" in (await process.stdout.read()).decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
