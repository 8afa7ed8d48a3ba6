"""The gateway under load: mock PASiS in-process, BookingService, the gateway; for gateway_bench.

Started as its own process by ``gateway_bench.py`` (the load comes from another process). Prints
one JSON line (gateway URL, mock admin URL, JWT settings) and serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from tidbok.clock import FrozenClock
from tidbok.gateway import start_gateway
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings
from tidbok_mocks import run_pasis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gateway_scenario import AUDIENCE, NOW, SECRET, UNITS, scenario


async def serve() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    with tempfile.TemporaryDirectory() as tmp:
        async with run_pasis(now=NOW, demo_data=False) as mock:
            async with httpx.AsyncClient(base_url=mock.admin_url, timeout=60) as admin:
                doc = scenario()
                slots = doc.pop("slots")
                (await admin.post("/scenario", json=doc)).raise_for_status()
                for first in range(0, len(slots), 100):
                    answers = await asyncio.gather(
                        *(admin.post("/slots", json=slot) for slot in slots[first : first + 100])
                    )
                    for answer in answers:
                        answer.raise_for_status()
            settings = TidbokSettings(
                backends={
                    "pasis": {
                        "system": "pasis",
                        "base_url": mock.api_url,
                        "credentials": {"api_key": mock.api_key},
                    }
                },
                units=[
                    {
                        "hsa_id": unit,
                        "name": name,
                        "backend": "pasis",
                        "case_types": [{"kind": "book"}, {"kind": "manage"}],
                    }
                    for unit, name in UNITS.items()
                ],
                gateway={
                    "jwt_secret": SECRET,
                    "jwt_audience": AUDIENCE,
                    "outbox_path": str(Path(tmp) / "outbox.sqlite3"),
                },
            )
            async with BookingService(settings, clock=FrozenClock(NOW)) as service:
                gateway = await start_gateway(settings, service, host="127.0.0.1", port=0)
                async with gateway:
                    info: dict[str, Any] = {"url": gateway.url, "mock_admin": mock.admin_url}
                    print(json.dumps(info), flush=True)
                    await stop.wait()


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
