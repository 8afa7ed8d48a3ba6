"""The crm:scheduling producer over HTTPS with client certificates, end to end.

The gateway serves ``[gateway.tls]`` with a trustme CA as ``client_ca`` (tests/certs.py) and the
producer's default ``require_client_certificate = true``; only 1177's consumer id is in
``allowed_consumers`` and the national platform's certificate is a ``trusted_platforms`` one.
Calls go with httpx over HTTPS to the PASiS and PMO mocks behind the service; each client
presents its own certificate (or none). A refused call is a SOAP ``Client`` fault with HTTP 500
(:meth:`RivWorld.call` checks the status) and leaves the backend's appointment book as it was.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.certs import ClientCert, Pki, new_pki
from tests.riv.conftest import CITIZEN, PREFIX, TENSTA, RivWorld, open_world
from tests.riv.test_producer import FIRST_DAY, LAST_DAY, NAMES, UNITS, changeable, requested
from tidbok.crm.envelope import SoapFault
from tidbok.crm.messages import GetAvailableTimeslots, MakeBooking, ResultCode
from tidbok.crm.types import TimeslotType
from tidbok.settings import RivSettings

ALLOWED = "SE5565594230-1177"
"""The consumer allowed to call (1177)."""
STRANGER = "SE2321000016-9ZZ9"
"""A consumer with a certificate from the same CA, not in ``allowed_consumers``."""
PLATFORM = "SE165565594230-1000"
"""The national service platform: trusted to name the original consumer in the header."""
HEADER = RivSettings().consumer_header
"""``x-rivta-original-serviceconsumer-hsaid``."""
NOT_ALLOWED = "consumer refused: the consumer is not allowed to call this producer"


@dataclass
class Mtls:
    """The world behind HTTPS, the test PKI, and clients that present a certificate or none."""

    world: RivWorld
    pki: Pki
    stack: AsyncExitStack

    async def client(self, cert: ClientCert | None) -> httpx.AsyncClient:
        """An HTTPS client that trusts the test CA and presents ``cert`` (None: no certificate)."""
        client = httpx.AsyncClient(verify=self.pki.client_context(cert), timeout=10)
        return await self.stack.enter_async_context(client)

    async def consumer(self, hsa_id: str) -> httpx.AsyncClient:
        """A client presenting a certificate whose subject serialNumber is ``hsa_id``."""
        name = hsa_id.lower().replace("-", "_")
        return await self.client(self.pki.client(name, serial_number=hsa_id))


@pytest_asyncio.fixture
async def mtls(tmp_path: Path) -> AsyncIterator[Mtls]:
    pki = new_pki(tmp_path / "pki")
    async with AsyncExitStack() as stack:
        world = await open_world(
            stack,
            tmp_path,
            tls=pki.tls(),
            verify=pki.client_context(),
            allowed_consumers=(ALLOWED,),
            trusted_platforms=(PLATFORM,),
        )
        assert world.settings.riv.require_client_certificate
        assert world.gateway.url.startswith("https://")
        yield Mtls(world, pki, stack)


async def timeslots(
    world: RivWorld, unit: str, http: httpx.AsyncClient, headers: dict[str, str] | None = None
) -> Any:
    """GetAvailableTimeslots for the coming two weeks (the answer, or the fault)."""
    return await world.call(
        "GetAvailableTimeslots",
        unit,
        GetAvailableTimeslots(
            healthcare_facility=unit,
            startDateInclusive=FIRST_DAY,
            endDateInclusive=LAST_DAY,
            subject_of_care=CITIZEN,
        ),
        http=http,
        headers=headers,
    )


async def book(
    world: RivWorld,
    unit: str,
    slot: TimeslotType,
    http: httpx.AsyncClient,
    headers: dict[str, str] | None = None,
) -> Any:
    """MakeBooking of ``slot`` for the citizen (the answer, or the fault)."""
    return await world.call(
        "MakeBooking",
        unit,
        MakeBooking(
            healthcare_facility_med=unit,
            requestedTimeslot=requested(slot),
            subject_of_care_info=NAMES,
        ),
        http=http,
        headers=headers,
    )


async def free(mtls: Mtls, unit: str = TENSTA) -> list[TimeslotType]:
    """Free slots far enough ahead, as the allowed consumer sees them."""
    answer = await timeslots(mtls.world, unit, await mtls.consumer(ALLOWED))
    assert not isinstance(answer, SoapFault), answer
    slots = changeable(list(answer.timeslotDetail))
    assert len(slots) >= 3
    return slots


def assert_refused(answer: Any, text: str) -> None:
    assert isinstance(answer, SoapFault), answer
    assert answer.code == "Client"
    assert answer.text == text


async def assert_booked(world: RivWorld, unit: str, answer: Any, slot: TimeslotType) -> None:
    assert not isinstance(answer, SoapFault), answer
    assert answer.resultCode in (ResultCode.OK, ResultCode.INFO), answer.resultText
    book = {entry["booking_id"]: entry for entry in await world.appointment_book(unit)}
    assert datetime.fromisoformat(book[answer.bookingId]["start"]) == slot.startTimeInclusive


@pytest.mark.parametrize("unit", UNITS)
async def test_an_allowed_consumers_certificate_is_answered_and_books(
    mtls: Mtls, unit: str
) -> None:
    allowed = await mtls.consumer(ALLOWED)
    slot = (await free(mtls, unit))[0]
    answer = await book(mtls.world, unit, slot, allowed)
    await assert_booked(mtls.world, unit, answer, slot)


async def test_without_a_client_certificate_the_call_is_refused_and_nothing_booked(
    mtls: Mtls,
) -> None:
    world = mtls.world
    slot = (await free(mtls))[0]
    before = await world.appointment_book(TENSTA)
    anonymous = await mtls.client(None)
    # the header is no way around the certificate: only a trusted platform's counts
    for headers in (None, {HEADER: ALLOWED}):
        required = "consumer refused: a client certificate is required"
        assert_refused(await timeslots(world, TENSTA, anonymous, headers), required)
        assert_refused(await book(world, TENSTA, slot, anonymous, headers), required)
    assert await world.appointment_book(TENSTA) == before


async def test_a_consumer_not_allowed_is_refused_and_nothing_booked(mtls: Mtls) -> None:
    world = mtls.world
    slot = (await free(mtls))[0]
    before = await world.appointment_book(TENSTA)
    stranger = await mtls.consumer(STRANGER)
    assert_refused(await timeslots(world, TENSTA, stranger), NOT_ALLOWED)
    assert_refused(await book(world, TENSTA, slot, stranger), NOT_ALLOWED)
    # a consumer that is no trusted platform cannot name another in the header
    assert_refused(await book(world, TENSTA, slot, stranger, {HEADER: ALLOWED}), NOT_ALLOWED)
    assert await world.appointment_book(TENSTA) == before


async def test_a_trusted_platform_calls_for_the_consumer_its_header_names(mtls: Mtls) -> None:
    world = mtls.world
    first, second = (await free(mtls))[:2]
    platform = await mtls.consumer(PLATFORM)
    before = await world.appointment_book(TENSTA)
    # naming a consumer that is not allowed, or none (the platform itself is not allowed)
    assert_refused(await book(world, TENSTA, first, platform, {HEADER: STRANGER}), NOT_ALLOWED)
    assert_refused(await book(world, TENSTA, first, platform), NOT_ALLOWED)
    assert await world.appointment_book(TENSTA) == before

    for_1177 = {HEADER: ALLOWED.lower()}  # HSA-ids compare case-insensitively
    answer = await timeslots(world, TENSTA, platform, for_1177)
    assert not isinstance(answer, SoapFault), answer
    assert answer.timeslotDetail
    booked = await book(world, TENSTA, second, platform, for_1177)
    await assert_booked(world, TENSTA, booked, second)


async def test_rest_health_and_the_wsdl_need_no_client_certificate(mtls: Mtls) -> None:
    anonymous = await mtls.client(None)
    url = mtls.world.gateway.url
    health = await anonymous.get(f"{url}/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    wsdl = await anonymous.get(f"{url}{PREFIX}/MakeBooking/1/rivtabp21", params={"wsdl": ""})
    assert wsdl.status_code == 200
    assert b"MakeBookingResponderService" in wsdl.content
