"""tidbok.oauth.ClientCredentialsAuth: fetch, cache, renew before expiry, refresh once on 401."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from tidbok.backend_http import BackendHttp
from tidbok.errors import BackendUnavailable
from tidbok.oauth import ClientCredentialsAuth, TokenUnavailable
from tidbok.settings import ResilienceSettings

TOKEN_URL = "https://auth.example/oauth/token"
API = "https://api.example"
SECRET = "s3cret-value"


class FakeTime:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token_answer(value: str, expires_in: float | None = 300) -> httpx.Response:
    body: dict[str, object] = {"access_token": value, "token_type": "Bearer"}
    if expires_in is not None:
        body["expires_in"] = expires_in
    return httpx.Response(200, json=body)


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def auth(clock: FakeTime) -> AsyncIterator[ClientCredentialsAuth]:
    made = ClientCredentialsAuth(TOKEN_URL, "tidbok", SECRET, monotonic=clock)
    yield made
    await made.aclose()


def bearer(request: httpx.Request) -> str:
    return request.headers["Authorization"].removeprefix("Bearer ")


@respx.mock
async def test_fetches_once_and_caches(auth: ClientCredentialsAuth) -> None:
    token_route = respx.post(TOKEN_URL).mock(return_value=token_answer("t1"))
    api = respx.get(f"{API}/x").mock(return_value=httpx.Response(200))
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(f"{API}/x")
        await client.get(f"{API}/x")
    assert token_route.call_count == 1
    form = parse_qs(token_route.calls[0].request.content.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["tidbok"],
        "client_secret": [SECRET],
    }
    assert [bearer(call.request) for call in api.calls] == ["t1", "t1"]


@respx.mock
async def test_basic_client_authentication_and_scope(clock: FakeTime) -> None:
    token_route = respx.post(TOKEN_URL).mock(return_value=token_answer("t1"))
    respx.get(f"{API}/x").mock(return_value=httpx.Response(200))
    auth = ClientCredentialsAuth(TOKEN_URL, "tidbok", SECRET, basic=True, scope="booking")
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(f"{API}/x")
    await auth.aclose()
    request = token_route.calls[0].request
    expected = base64.b64encode(f"tidbok:{SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["booking"],
    }


@respx.mock
async def test_renews_shortly_before_expiry(auth: ClientCredentialsAuth, clock: FakeTime) -> None:
    respx.post(TOKEN_URL).mock(side_effect=[token_answer("t1", 300), token_answer("t2", 300)])
    api = respx.get(f"{API}/x").mock(return_value=httpx.Response(200))
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(f"{API}/x")
        clock.now += 269  # 30 s margin: still fresh
        await client.get(f"{API}/x")
        clock.now += 2  # inside the margin: renewed before the backend would refuse it
        await client.get(f"{API}/x")
    assert [bearer(call.request) for call in api.calls] == ["t1", "t1", "t2"]


@respx.mock
async def test_short_lifetime_keeps_half_of_it(
    auth: ClientCredentialsAuth, clock: FakeTime
) -> None:
    respx.post(TOKEN_URL).mock(side_effect=[token_answer("t1", 10), token_answer("t2", 10)])
    api = respx.get(f"{API}/x").mock(return_value=httpx.Response(200))
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(f"{API}/x")
        clock.now += 4.9
        await client.get(f"{API}/x")
        clock.now += 0.2
        await client.get(f"{API}/x")
    assert [bearer(call.request) for call in api.calls] == ["t1", "t1", "t2"]


@respx.mock
async def test_no_expires_in_uses_a_default_lifetime(
    auth: ClientCredentialsAuth, clock: FakeTime
) -> None:
    token_route = respx.post(TOKEN_URL).mock(return_value=token_answer("t1", None))
    respx.get(f"{API}/x").mock(return_value=httpx.Response(200))
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(f"{API}/x")
        clock.now += 200
        await client.get(f"{API}/x")
    assert token_route.call_count == 1


@respx.mock
async def test_refreshes_once_on_401(auth: ClientCredentialsAuth) -> None:
    respx.post(TOKEN_URL).mock(side_effect=[token_answer("old"), token_answer("new")])
    api = respx.post(f"{API}/x").mock(
        side_effect=lambda request: httpx.Response(401 if bearer(request) == "old" else 201)
    )
    async with httpx.AsyncClient(auth=auth) as client:
        response = await client.post(f"{API}/x", json={"a": 1})
    assert response.status_code == 201
    assert [bearer(call.request) for call in api.calls] == ["old", "new"]
    assert api.calls[1].request.content == b'{"a":1}'
    assert auth.fetches == 2


@respx.mock
async def test_a_second_401_is_returned_not_looped(auth: ClientCredentialsAuth) -> None:
    token_route = respx.post(TOKEN_URL).mock(side_effect=[token_answer("a"), token_answer("b")])
    api = respx.get(f"{API}/x").mock(return_value=httpx.Response(401))
    async with httpx.AsyncClient(auth=auth) as client:
        response = await client.get(f"{API}/x")
    assert response.status_code == 401
    assert api.call_count == 2
    assert token_route.call_count == 2


@respx.mock
async def test_concurrent_requests_share_one_fetch(auth: ClientCredentialsAuth) -> None:
    async def slow_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.05)
        return token_answer("shared")

    token_route = respx.post(TOKEN_URL).mock(side_effect=slow_token)
    api = respx.get(f"{API}/x").mock(return_value=httpx.Response(200))
    async with httpx.AsyncClient(auth=auth) as client:
        await asyncio.gather(*(client.get(f"{API}/x") for _ in range(10)))
    assert token_route.call_count == 1
    assert {bearer(call.request) for call in api.calls} == {"shared"}


@respx.mock
async def test_concurrent_401s_share_one_refresh(auth: ClientCredentialsAuth) -> None:
    respx.post(TOKEN_URL).mock(side_effect=[token_answer("old"), token_answer("new")])
    respx.get(f"{API}/x").mock(
        side_effect=lambda request: httpx.Response(401 if bearer(request) == "old" else 200)
    )
    async with httpx.AsyncClient(auth=auth) as client:
        await client.get(f"{API}/x")  # caches "old" ... which the backend then refuses
    async with httpx.AsyncClient(auth=auth) as client:
        answers = await asyncio.gather(*(client.get(f"{API}/x") for _ in range(5)))
    assert {answer.status_code for answer in answers} == {200}
    assert auth.fetches == 2


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401, json={"error": "invalid_client"}),
        httpx.Response(400, json={"error": "unsupported_grant_type"}),
        httpx.Response(503, text="down"),
        httpx.Response(200, text="{not json"),
        httpx.Response(200, json={"token_type": "Bearer"}),
        httpx.Response(200, json={"access_token": "x", "token_type": "mac"}),
    ],
)
@respx.mock
async def test_token_failures_raise_token_unavailable(
    auth: ClientCredentialsAuth, answer: httpx.Response
) -> None:
    respx.post(TOKEN_URL).mock(return_value=answer)
    api = respx.get(f"{API}/x").mock(return_value=httpx.Response(200))
    async with httpx.AsyncClient(auth=auth) as client:
        with pytest.raises(TokenUnavailable) as raised:
            await client.get(f"{API}/x")
    assert isinstance(raised.value, httpx.ConnectError)
    assert SECRET not in str(raised.value)
    assert not api.called


@respx.mock
async def test_unreachable_token_endpoint(auth: ClientCredentialsAuth) -> None:
    respx.post(TOKEN_URL).mock(side_effect=httpx.ConnectTimeout("slow"))
    async with httpx.AsyncClient(auth=auth) as client:
        with pytest.raises(TokenUnavailable):
            await client.get(f"{API}/x")


@respx.mock
async def test_backend_http_sees_a_missing_token_as_backend_unavailable(
    auth: ClientCredentialsAuth,
) -> None:
    """The write was never sent: unavailable (retryable), never an unknown outcome."""
    respx.post(TOKEN_URL).mock(return_value=httpx.Response(503))
    api = respx.post(f"{API}/x").mock(return_value=httpx.Response(201))
    http = BackendHttp(
        system="test",
        backend="b",
        base_url=API,
        resilience=ResilienceSettings(read_retries=1, backoff_initial=0, deadline=2),
        auth=auth,
    )
    try:
        with pytest.raises(BackendUnavailable):
            await http.write("book", "POST", "/x", retry=False)
    finally:
        await http.aclose()
    assert not api.called


@respx.mock
async def test_never_logs_token_or_secret(
    auth: ClientCredentialsAuth, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    respx.post(TOKEN_URL).mock(
        side_effect=[token_answer("tok-abc"), httpx.Response(401, json={"error": "x"})]
    )
    respx.get(f"{API}/x").mock(return_value=httpx.Response(401))
    async with httpx.AsyncClient(auth=auth) as client:
        with pytest.raises(TokenUnavailable):
            await client.get(f"{API}/x")
    assert "tok-abc" not in caplog.text
    assert SECRET not in caplog.text
    assert SECRET not in repr(auth)


def test_sync_clients_are_refused() -> None:
    auth = ClientCredentialsAuth(TOKEN_URL, "tidbok", SECRET)
    with httpx.Client(auth=auth) as client, pytest.raises(RuntimeError):
        client.get(f"{API}/x")
