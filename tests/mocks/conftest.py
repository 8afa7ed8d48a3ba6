"""Fixtures for the mock tests: servers from ``tidbok_mocks.pytest_fixtures`` plus HTTP clients."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tidbok_mocks import MockServer, pytest_fixtures, run_mock
from tidbok_mocks.pasis import PasisServer
from tidbok_mocks.pmo import PmoServer
from tidbok_mocks.riv import RivServer

from .scenarios import PNR12, UNIT, pasis_scenario, pmo_scenario

mock_now = pytest_fixtures.mock_now
pasis_server = pytest_fixtures.pasis_server
pmo_server = pytest_fixtures.pmo_server
pasis_demo_server = pytest_fixtures.pasis_demo_server
pmo_demo_server = pytest_fixtures.pmo_demo_server
riv_server = pytest_fixtures.riv_server
riv_demo_server = pytest_fixtures.riv_demo_server


async def fetch_token(server: PmoServer) -> str:
    """A fresh PMO access token."""
    async with httpx.AsyncClient() as client:
        response = await client.post(
            server.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": server.client_id,
                "client_secret": server.client_secret,
            },
        )
    response.raise_for_status()
    return str(response.json()["access_token"])


@pytest_asyncio.fixture
async def pasis(pasis_server: PasisServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the PASiS API with the API key."""
    async with httpx.AsyncClient(
        base_url=pasis_server.api_url, headers=pasis_server.headers
    ) as client:
        yield client


@pytest_asyncio.fixture
async def pasis_admin(pasis_server: PasisServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the PASiS mock's admin API."""
    async with httpx.AsyncClient(base_url=pasis_server.admin_url) as client:
        yield client


class RefreshingBearer(httpx.Auth):
    """Bearer auth that fetches a token first and again after a 401 (tests move the clock)."""

    def __init__(self, server: PmoServer) -> None:
        self.server = server
        self.token: str | None = None

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self.token is None:
            self.token = await fetch_token(self.server)
        request.headers["Authorization"] = f"Bearer {self.token}"
        response = yield request
        if response.status_code == 401:
            self.token = await fetch_token(self.server)
            request.headers["Authorization"] = f"Bearer {self.token}"
            yield request


@pytest_asyncio.fixture
async def pmo(pmo_server: PmoServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the PMO API that keeps a valid bearer token."""
    async with httpx.AsyncClient(
        base_url=pmo_server.api_url, auth=RefreshingBearer(pmo_server)
    ) as client:
        yield client


@pytest_asyncio.fixture
async def pmo_admin(pmo_server: PmoServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the PMO mock's admin API."""
    async with httpx.AsyncClient(base_url=pmo_server.admin_url) as client:
        yield client


@pytest_asyncio.fixture
async def riv(riv_server: RivServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the riv mock's SOAP endpoints (no credentials)."""
    async with httpx.AsyncClient(base_url=riv_server.url) as client:
        yield client


@pytest_asyncio.fixture
async def riv_admin(riv_server: RivServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the riv mock's admin API."""
    async with httpx.AsyncClient(base_url=riv_server.admin_url) as client:
        yield client


async def seed(admin: httpx.AsyncClient, scenario: dict[str, Any]) -> None:
    """Load a scenario through the admin API."""
    response = await admin.post("/scenario", json=scenario)
    assert response.status_code == 200, response.text


async def set_clock(admin: httpx.AsyncClient, now: str) -> None:
    """Freeze the mock clock at ``now`` (ISO with offset)."""
    response = await admin.post("/clock", json={"now": now})
    assert response.status_code == 200, response.text


@dataclass
class Harness:
    """One running mock with authenticated API and admin clients, and system-neutral helpers."""

    system: str
    server: MockServer
    api: httpx.AsyncClient
    admin: httpx.AsyncClient

    def scenario(self) -> dict[str, Any]:
        """The system's base test scenario."""
        return pasis_scenario() if self.system == "pasis" else pmo_scenario()

    @property
    def bookable_slot(self) -> str:
        """A free slot bookable via the API in the base scenario."""
        return "S-TUE-1" if self.system == "pasis" else "s-tue"

    @property
    def slot_taken(self) -> str:
        """The system's error code for a taken slot."""
        return "TIDEN_UPPTAGEN" if self.system == "pasis" else "slot-taken"

    @property
    def write_path(self) -> str:
        """The path of a new booking."""
        return (
            f"/api/v2/enheter/{UNIT}/bokningar"
            if self.system == "pasis"
            else "/api/v1/appointments"
        )

    @property
    def search(self) -> tuple[str, dict[str, str]]:
        """Path and query of a slot search."""
        if self.system == "pasis":
            return f"/enheter/{UNIT}/lediga-tider", {}
        return f"/facilities/{UNIT}/slots", {
            "start": "2026-11-23T00:00:00Z",
            "end": "2026-11-30T00:00:00Z",
        }

    async def book(
        self, slot: str, person: str = PNR12, client_timeout: float | None = None
    ) -> httpx.Response:
        """Book ``slot`` through the API as the citizen, with the client's timeout if given."""
        limit = (
            httpx.USE_CLIENT_DEFAULT if client_timeout is None else httpx.Timeout(client_timeout)
        )
        if self.system == "pasis":
            return await self.api.post(
                f"/enheter/{UNIT}/bokningar",
                json={"tidId": slot, "personnummer": f"{person[:8]}-{person[8:]}"},
                timeout=limit,
            )
        return await self.api.post(
            "/appointments", json={"slotId": slot, "patientId": person}, timeout=limit
        )

    @staticmethod
    def code(response: httpx.Response) -> str:
        """The error code of an error response in either system's format."""
        body = response.json()
        return str(body.get("felkod") or body.get("code"))


@pytest_asyncio.fixture(params=["pasis", "pmo"])
async def harness(request: pytest.FixtureRequest, mock_now: datetime) -> AsyncIterator[Harness]:
    """Each mock in turn, empty, clock frozen at ``mock_now``."""
    async with run_mock(request.param, now=mock_now) as server:
        auth: httpx.Auth | None = None
        headers: dict[str, str] = {}
        if isinstance(server, PasisServer):
            headers = server.headers
        elif isinstance(server, PmoServer):
            auth = RefreshingBearer(server)
        async with (
            httpx.AsyncClient(base_url=server.api_url, headers=headers, auth=auth) as api,
            httpx.AsyncClient(base_url=server.admin_url) as admin,
        ):
            yield Harness(request.param, server, api, admin)
