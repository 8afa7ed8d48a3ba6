"""PMO OAuth2 client credentials: the token endpoint and tokens that expire by the mock clock."""

from __future__ import annotations

import base64

import httpx
import pytest

from tidbok_mocks.pmo import PmoServer, run_pmo

from .conftest import fetch_token


async def test_token_endpoint(pmo_server: PmoServer) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            pmo_server.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": "tidbok",
                "client_secret": "pmo-dev-secret",
            },
        )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["access_token"]
    assert response.headers["Cache-Control"] == "no-store"


async def test_token_with_basic_auth(pmo_server: PmoServer) -> None:
    basic = base64.b64encode(b"tidbok:pmo-dev-secret").decode()
    async with httpx.AsyncClient() as client:
        response = await client.post(
            pmo_server.token_url,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic}"},
        )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        (
            {"grant_type": "client_credentials", "client_id": "tidbok", "client_secret": "x"},
            401,
            "invalid_client",
        ),
        (
            {"grant_type": "client_credentials", "client_id": "other", "client_secret": "x"},
            401,
            "invalid_client",
        ),
        ({"grant_type": "client_credentials"}, 401, "invalid_client"),
        (
            {"grant_type": "password", "client_id": "tidbok", "client_secret": "pmo-dev-secret"},
            400,
            "unsupported_grant_type",
        ),
    ],
)
async def test_token_refusals(
    pmo_server: PmoServer, data: dict[str, str], status: int, error: str
) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(pmo_server.token_url, data=data)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["error"] == error
    assert response.json()["code"] in ("unauthorized", "validation-error")


async def test_token_request_must_be_form_encoded(pmo_server: PmoServer) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            pmo_server.token_url, json={"grant_type": "client_credentials"}
        )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer unknown-token", "Basic abc"])
async def test_api_needs_a_valid_bearer_token(pmo_server: PmoServer, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    async with httpx.AsyncClient(base_url=pmo_server.api_url) as client:
        response = await client.get("/facilities", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_token_expires_by_the_mock_clock(pmo_server: PmoServer) -> None:
    token = await fetch_token(pmo_server)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=pmo_server.url) as client:
        assert (await client.get("/api/v1/facilities", headers=headers)).status_code == 200
        await client.post("/__admin/clock", json={"advance_seconds": 299})
        assert (await client.get("/api/v1/facilities", headers=headers)).status_code == 200
        await client.post("/__admin/clock", json={"advance_seconds": 1})
        expired = await client.get("/api/v1/facilities", headers=headers)
        assert expired.status_code == 401
        assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]


async def test_configurable_credentials_and_lifetime(mock_now: object) -> None:
    async with run_pmo(client_id="c1", client_secret="s1", token_lifetime=60) as server:
        assert server.credentials["client_id"] == "c1"
        async with httpx.AsyncClient() as client:
            response = await client.post(
                server.token_url,
                data={"grant_type": "client_credentials", "client_id": "c1", "client_secret": "s1"},
            )
        assert response.json()["expires_in"] == 60
