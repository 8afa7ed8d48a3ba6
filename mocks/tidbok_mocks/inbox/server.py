"""Run the mock inbox on loopback inside the current event loop, or from the command line."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from tidbok_mocks.common.context import ADMIN_PREFIX, ADMIN_TOKEN_HEADER
from tidbok_mocks.common.runner import listen_problem, serve

from .app import InboxState, create_inbox_app


@dataclass(frozen=True)
class InboxServer:
    """A running mock inbox."""

    url: str
    state: InboxState

    @property
    def admin_url(self) -> str:
        """Base URL of the admin API."""
        return self.url + ADMIN_PREFIX


@asynccontextmanager
async def running_inbox(
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str | None = None,
    admin_token: str | None = None,
) -> AsyncIterator[InboxServer]:
    """Serve a mock inbox until the block ends (``port=0`` picks a free port); ``admin_token``
    protects its admin API (``X-Admin-Token``)."""
    state = InboxState(api_key=api_key, admin_token=admin_token)
    async with serve(create_inbox_app(state), host, port) as url:
        yield InboxServer(url=url, state=state)


async def _serve_forever(
    host: str, port: int, api_key: str | None, admin_token: str | None
) -> None:
    async with running_inbox(host, port, api_key, admin_token) as server:
        print(f"mock 1177 inbox listening on {server.url}", flush=True)
        if admin_token is None:
            warning = (
                "  WARNING: no authentication; it lists every message with the citizen's "
                "identity number to anyone who can reach this port (a shared mock: --admin-token)"
            )
        else:
            warning = f"  (needs {ADMIN_TOKEN_HEADER}: the --admin-token)"
        print(f"  API: {server.url}/api  admin: {server.admin_url}{warning}", flush=True)
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tidbok_mocks.inbox [--host H] [--port P] [--api-key K]``.

    Returns 0 after Ctrl-C, 2 when it cannot listen (one line on stderr says why).
    """
    parser = argparse.ArgumentParser(
        prog="python -m tidbok_mocks.inbox",
        description="Serve a mock 1177 inbox (messages keyed by id, admin API, fault injection) "
        "until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--api-key", default=None, help="require this X-Api-Key on the API")
    parser.add_argument(
        "--admin-token", default=None, help="require this X-Admin-Token on the admin API"
    )
    args = parser.parse_args(argv)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_forever(args.host, args.port, args.api_key, args.admin_token))
    except OSError as error:
        print(f"mock inbox: {listen_problem(args.host, args.port, error)}", file=sys.stderr)
        return 2
    return 0
