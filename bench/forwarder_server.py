"""The floor for the gateway: a bare aiohttp forwarder doing the gateway's backend call.

Same set-up as ``gateway_server.py`` (mock PASiS in this process, the same scenario), but where
the gateway verifies a token, applies 1177's rules through BookingService and the PASiS plugin,
this process only forwards ``GET /v1/units/{unit}/slots`` as the one backend call the plugin makes
for it (14 days of free slots, one page of up to 500) over one pooled aiohttp session and answers
the backend's slots as JSON. Prints one JSON line (its URL) and serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

from tidbok_mocks import run_pasis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import run_server, stop_on_signals
from gateway_scenario import NOW, seed


def forwarder(api_url: str, api_key: str) -> web.Application:
    """The forwarding app; its aiohttp session opens and closes with the app."""
    app = web.Application()
    session_key = web.AppKey("session", aiohttp.ClientSession)
    first, last = NOW.date(), (NOW + timedelta(days=14)).date()

    async def session(app: web.Application):  # type: ignore[no-untyped-def]
        connector = aiohttp.TCPConnector(limit=100)
        async with aiohttp.ClientSession(connector=connector) as opened:
            app[session_key] = opened
            yield

    async def slots(request: web.Request) -> web.Response:
        unit = request.match_info["unit"]
        params = {"fran": first.isoformat(), "till": last.isoformat(), "offset": 0, "limit": 500}
        async with request.app[session_key].get(
            f"{api_url}/enheter/{unit}/lediga-tider",
            params=params,
            headers={"X-Api-Key": api_key},
        ) as answer:
            page = json.loads(await answer.read())
        return web.json_response({"slots": page["poster"]})

    app.cleanup_ctx.append(session)
    app.router.add_get("/v1/units/{unit}/slots", slots)
    return app


async def serve() -> None:
    stop = stop_on_signals()
    async with run_pasis(now=NOW, demo_data=False) as mock:
        await seed(mock.admin_url)
        runner = web.AppRunner(forwarder(mock.api_url, mock.api_key), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        print(json.dumps({"url": f"http://127.0.0.1:{port}"}), flush=True)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()


def main() -> int:
    return run_server(serve)


if __name__ == "__main__":
    raise SystemExit(main())
