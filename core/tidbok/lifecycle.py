"""Running until told to stop: the long-lived commands (`tidbok serve`, `tidbok demo --serve`)."""

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
