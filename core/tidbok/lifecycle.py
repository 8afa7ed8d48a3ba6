"""Running until told to stop: the long-lived commands and the gateway's background tasks."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys


def stop_event() -> asyncio.Event:
    """An event that SIGINT or SIGTERM sets, installed on the running loop.

    Where the loop cannot take signal handlers (Windows, or outside the main thread), Ctrl-C still
    ends the program through KeyboardInterrupt.
    """
    stop = asyncio.Event()
    if sys.platform == "win32":
        return stop
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(RuntimeError, ValueError):  # not the main thread
            loop.add_signal_handler(signum, stop.set)
    return stop


async def cancel_and_wait(task: asyncio.Task[object] | None) -> None:
    """Cancel a background task (if any) and wait until it has ended."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
