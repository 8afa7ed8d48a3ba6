"""tidbok_demo: ``tidbok demo``, one citizen's booking story end to end on loopback.

Mock PASiS, mock PMO, a mock 1177 inbox and the gateway run in one process; the story calls the
gateway's HTTP API exactly as the 1177 platform would. The demo is a plugin like any other: it adds
its command through the ``tidbok_register_commands`` hook (:mod:`tidbok_demo.commands`).
"""

from __future__ import annotations

from tidbok_demo.run import run_demo
from tidbok_demo.story import DemoFailed, Story

__all__ = ["DemoFailed", "Story", "run_demo"]
