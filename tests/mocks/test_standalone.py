"""``tidbok mock pasis --port 0`` (or ``python -m tidbok_mocks pasis``) starts, prints its URL,
serves the demo data, and stops cleanly on SIGINT."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import httpx
import pytest

COMMANDS = {"tidbok mock": ["tidbok", "mock"], "python -m tidbok_mocks": ["tidbok_mocks"]}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("system", ["pasis", "pmo"])
async def test_standalone_serves_demo_data_and_stops_cleanly(system: str, command: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        *COMMANDS[command],
        system,
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), timeout=20)).decode()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", first)
        assert match, first
        url = match.group(1)
        async with httpx.AsyncClient(base_url=url) as client:
            if system == "pasis":
                response = await client.get(
                    "/api/v2/enheter", headers={"X-Api-Key": "pasis-dev-key"}
                )
                names = [unit["namn"] for unit in response.json()["poster"]]
            else:
                token = await client.post(
                    "/oauth/token",
                    data={
                        "grant_type": "client_credentials",
                        "client_id": "tidbok",
                        "client_secret": "pmo-dev-secret",
                    },
                )
                response = await client.get(
                    "/api/v1/facilities",
                    headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                )
                names = [unit["name"] for unit in response.json()["items"]]
            assert response.status_code == 200
            assert any(name.startswith("Vårdcentralen") for name in names)
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), timeout=20) == 0
        rest = (await process.stdout.read()).decode()
        assert "stopped" in rest
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_main_refuses_a_bad_now() -> None:
    from tidbok_mocks.standalone import main

    assert main(["pasis", "--now", "2026-11-23T09:00:00"]) == 2
