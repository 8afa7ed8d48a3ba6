"""Every answer is problem+json and none echoes request content, even below the application.

Fails on the code before issue 12: aiohttp's own protocol handler answered a header over its
8190-byte limit, an over-long URL and a malformed request line with ``text/plain`` bodies that
quote the first bytes of the offending line (for a token, base64 of the citizen's identity
number), and logged them.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from urllib.parse import urlsplit

import pytest

from tests.gateway.conftest import Gateway

MARK = base64.urlsafe_b64encode(b'{"sub": "191212121212"}').decode().rstrip("=")


async def raw(gw: Gateway, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as is; the status, headers (lower-case names) and body of the answer."""
    url = urlsplit(gw.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(request)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 5.0)
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def request(method: str, target: str, *headers: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


LONG_TOKEN = "Bearer eyJhbGciOiJIUzI1NiJ9." + MARK * (9000 // len(MARK) + 1)
CASES = {
    "9000-byte Authorization": request("GET", "/v1/bookings", f"Authorization: {LONG_TOKEN}"),
    "9000-byte header name": request("GET", "/v1/bookings", f"X-{MARK * 300}: 1"),
    "10 kB URL": request("GET", "/v1/units?" + "q=" + MARK * (10_000 // len(MARK))),
    "unknown method": request("FOO", f"/v1/bookings?{MARK}"),
    "method with bad characters": request("G(T", f"/v1/bookings?{MARK}"),
    "not HTTP": f"{MARK} hello\r\n\r\n".encode(),
    "bad header line": request("GET", "/v1/bookings", f"{MARK} no colon"),
}


@pytest.mark.parametrize("name", sorted(CASES))
async def test_low_level_errors_are_problem_json_and_echo_nothing(
    gw: Gateway, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    status, headers, body = await raw(gw, CASES[name])
    assert 400 <= status < 500, (status, body[:200])
    assert headers["content-type"].startswith("application/problem+json"), body[:200]
    problem = json.loads(body)
    assert problem["status"] == status
    assert MARK[:12].encode() not in body
    assert MARK[:12] not in caplog.text
    assert "server" not in headers or "aiohttp" not in headers["server"].lower()


@pytest.mark.parametrize(
    "path", ["/v1/bookings", "/v1/units", "/v1/nowhere", "/healthz", "/openapi.json"]
)
async def test_every_answer_carries_the_security_headers(gw: Gateway, path: str) -> None:
    """Failed on the old code: no Cache-Control, no nosniff, ``Server: Python/3.x aiohttp/3.x``."""
    response = await gw.client.get(path, headers=gw.auth())
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Server"] == "tidbok"


async def test_a_refused_request_carries_them_too(gw: Gateway) -> None:
    _, headers, _ = await raw(gw, CASES["unknown method"])
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["server"] == "tidbok"
