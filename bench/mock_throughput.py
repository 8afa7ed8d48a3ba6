"""Print how many slot searches per second each mock serves on loopback.

Each mock runs as its own process (``python -m tidbok_mocks <system> --port 0``, demo data) so that
the client does not share its event loop. Usage::

    .venv/bin/python bench/mock_throughput.py [--seconds 3] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import signal
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx


async def _start(system: str) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tidbok_mocks",
        system,
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
    match = re.search(r"(http://\S+)", line)
    if match is None:
        raise RuntimeError(f"unexpected output from the {system} mock: {line!r}")
    return process, match.group(1)


async def _search_request(system: str, client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    if system == "pasis":
        client.headers["X-Api-Key"] = "pasis-dev-key"
        return "/api/v2/enheter/SE2321000016-1001/lediga-tider", {}
    token = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "tidbok",
            "client_secret": "pmo-dev-secret",
        },
    )
    client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    now = datetime.now(UTC)
    return "/api/v1/facilities/SE2321000016-2001/slots", {
        "start": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


async def measure(system: str, seconds: float, concurrency: int) -> float:
    """Slot searches per second served by ``system``'s mock."""
    process, url = await _start(system)
    try:
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=url, limits=limits) as client:
            path, params = await _search_request(system, client)
            (await client.get(path, params=params)).raise_for_status()
            deadline = time.monotonic() + seconds
            done = 0

            async def worker() -> None:
                nonlocal done
                while time.monotonic() < deadline:
                    response = await client.get(path, params=params)
                    response.raise_for_status()
                    done += 1

            started = time.monotonic()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return done / (time.monotonic() - started)
    finally:
        process.send_signal(signal.SIGINT)
        await process.wait()


async def _main(seconds: float, concurrency: int) -> None:
    for system in ("pasis", "pmo"):
        rate = await measure(system, seconds, concurrency)
        print(
            f"{system}: {rate:.0f} slot searches/s ({concurrency} concurrent clients, {seconds} s)"
        )


def main(argv: list[str] | None = None) -> int:
    """Measure both mocks and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    asyncio.run(_main(args.seconds, args.concurrency))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
