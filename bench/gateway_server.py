"""The gateway under load: mock PASiS in-process, BookingService, the gateway; for gateway_bench.

Started as its own process by ``gateway_bench.py`` (the load comes from another process). Prints
one JSON line (gateway URL, mock admin URL, JWT settings) and serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from tidbok.clock import FrozenClock
from tidbok.gateway import start_gateway
from tidbok.service import BookingService
from tidbok.settings import TidbokSettings
from tidbok_mocks import run_pasis

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import run_server, stop_on_signals
from gateway_scenario import AUDIENCE, NOW, SECRET, UNITS, extra_units, seed


def settings_for(api_url: str, api_key: str, outbox: Path, backends: int) -> TidbokSettings:
    """The scenario's units on one PASiS backend, plus ``backends`` more units each on its own
    backend (own adapter and connection pool, all on the same mock) for the memory benchmark."""
    more = extra_units(backends)
    pasis = {"system": "pasis", "base_url": api_url, "credentials": {"api_key": api_key}}
    return TidbokSettings(
        backends={"pasis": pasis, **{f"pasis-{unit[-4:]}": pasis for unit in more}},
        units=[
            {
                "hsa_id": unit,
                "name": name,
                "backend": "pasis" if unit in UNITS else f"pasis-{unit[-4:]}",
                "case_types": [{"kind": "book"}, {"kind": "manage"}],
            }
            for unit, name in {**UNITS, **more}.items()
        ],
        gateway={"jwt_secret": SECRET, "jwt_audience": AUDIENCE, "outbox_path": str(outbox)},
    )


async def serve(backends: int) -> None:
    stop = stop_on_signals()
    with tempfile.TemporaryDirectory() as tmp:
        async with run_pasis(now=NOW, demo_data=False) as mock:
            await seed(mock.admin_url, extra_units(backends))
            outbox = Path(tmp) / "outbox.sqlite3"
            settings = settings_for(mock.api_url, mock.api_key, outbox, backends)
            async with BookingService(settings, clock=FrozenClock(NOW)) as service:
                gateway = await start_gateway(settings, service, host="127.0.0.1", port=0)
                async with gateway:
                    info: dict[str, Any] = {"url": gateway.url, "mock_admin": mock.admin_url}
                    print(json.dumps(info), flush=True)
                    await stop.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--backends", type=int, default=0, help="this many more units, each on its own backend"
    )
    args = parser.parse_args()
    return run_server(lambda: serve(args.backends))


if __name__ == "__main__":
    raise SystemExit(main())
