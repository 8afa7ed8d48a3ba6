"""Fixtures for the mock tests: servers from ``tidbok_mocks.pytest_fixtures`` plus HTTP clients."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from tidbok_mocks.pasis import PasisServer
from tidbok_mocks.pmo import PmoServer
from tidbok_mocks.pytest_fixtures import (  # noqa: F401
    mock_now,
    pasis_demo_server,
    pasis_server,
    pmo_demo_server,
    pmo_server,
)


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


async def seed(admin: httpx.AsyncClient, scenario: dict[str, Any]) -> None:
    """Load a scenario through the admin API."""
    response = await admin.post("/scenario", json=scenario)
    assert response.status_code == 200, response.text


async def set_clock(admin: httpx.AsyncClient, now: str) -> None:
    """Freeze the mock clock at ``now`` (ISO with offset)."""
    response = await admin.post("/clock", json={"now": now})
    assert response.status_code == 200, response.text
