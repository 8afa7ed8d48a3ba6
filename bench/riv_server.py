"""The gateway with the crm:scheduling producer on, over the demo's PASiS and PMO; for riv_bench.

The same world as ``tests/riv/conftest.py`` (``open_world``): mock PASiS, mock PMO and the inbox
with the demo's data, in-process, the BookingService on the same frozen clock, the gateway serving
REST v1 and the producer (no client certificate required). Started as its own process by
``riv_bench.py`` (the load comes from another process). Prints one JSON line (gateway URL, JWT
settings, units) and serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from tidbok.clock import FrozenClock
from tidbok.gateway import start_gateway
from tidbok.service import BookingService
from tidbok.settings import RivSettings
from tidbok_demo.run import DemoBackends, demo_settings
from tidbok_mocks import run_pasis, run_pmo
from tidbok_mocks.inbox.server import running_inbox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import run_server, stop_on_signals
from riv_scenario import NOW, PREFIX


async def serve() -> None:
    stop = stop_on_signals()
    with tempfile.TemporaryDirectory() as tmp:
        async with AsyncExitStack() as stack:
            pasis = await stack.enter_async_context(run_pasis(demo_data=True, now=NOW))
            pmo = await stack.enter_async_context(run_pmo(demo_data=True, now=NOW))
            inbox = await stack.enter_async_context(running_inbox())
            backends = DemoBackends(
                pasis_url=pasis.api_url,
                pasis_api_key=pasis.api_key,
                pmo_url=pmo.url,
                pmo_client_id=pmo.client_id,
                pmo_client_secret=pmo.client_secret,
                pmo_token_url=pmo.token_url,
                inbox_url=inbox.url,
            )
            secret = secrets.token_urlsafe(32)
            settings = demo_settings(backends, Path(tmp) / "outbox.sqlite3", secret)
            producer = RivSettings(
                enabled=True, require_client_certificate=False, path_prefix=PREFIX
            )
            settings = settings.model_copy(update={"riv": producer})
            service = await stack.enter_async_context(
                BookingService(settings, clock=FrozenClock(NOW))
            )
            gateway = await stack.enter_async_context(await start_gateway(settings, service))
            info: dict[str, Any] = {
                "url": gateway.url,
                "jwt_secret": secret,
                "jwt_audience": settings.gateway.jwt_audience,
                "jwt_issuer": settings.gateway.jwt_issuer,
            }
            print(json.dumps(info), flush=True)
            await stop.wait()


def main() -> int:
    return run_server(serve)


if __name__ == "__main__":
    raise SystemExit(main())
