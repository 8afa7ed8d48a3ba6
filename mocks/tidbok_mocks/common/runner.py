"""Serve a mock app on loopback inside the current event loop."""

from __future__ import annotations

import errno
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .context import ADMIN_PREFIX, CONTEXT_KEY, MockContext

#: Seconds a connection may stay idle, or take to send a whole request header, before it is
#: closed (aiohttp arms the timer when the connection opens and after each answer).
KEEPALIVE_TIMEOUT = 10.0


def listen_problem(host: str, port: int, error: OSError) -> str:
    """One line saying why a server cannot listen on ``host:port`` and what to do about it."""
    reason = error.strerror or str(error)
    if error.errno == errno.EADDRINUSE:
        advice = "another program uses that port: stop it, or choose another with --port"
    elif error.errno == errno.EACCES:
        advice = "this user may not use that port: choose another with --port (above 1024)"
    else:
        advice = "check --host and --port"
    return f"cannot listen on {host}:{port}: {reason}; {advice}"


@dataclass(frozen=True)
class MockServer:
    """A running mock: where it listens and how to talk to it."""

    system: str
    url: str
    app: web.Application
    credentials: dict[str, Any] = field(default_factory=dict)

    @property
    def context(self) -> MockContext:
        """Clock, faults, request log and admin backend of the running app."""
        return self.app[CONTEXT_KEY]

    @property
    def api_url(self) -> str:
        """Base URL of the vendor API, e.g. ``http://127.0.0.1:8081/api/v2``."""
        return self.url + self.context.api_base

    @property
    def admin_url(self) -> str:
        """Base URL of the admin API."""
        return self.url + ADMIN_PREFIX


@asynccontextmanager
async def serve(
    app: web.Application,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    keepalive_timeout: float = KEEPALIVE_TIMEOUT,
) -> AsyncIterator[str]:
    """Serve ``app`` until the block ends; yields the root URL (``port=0`` picks a free port).

    Idle connections, and ones that do not finish a request header, are closed after
    ``keepalive_timeout`` seconds.
    """
    runner = web.AppRunner(
        app, access_log=None, shutdown_timeout=1.0, keepalive_timeout=keepalive_timeout
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        yield f"http://{shown}:{bound_port}"
    finally:
        await runner.cleanup()
