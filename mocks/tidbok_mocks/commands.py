"""``tidbok mock pasis|pmo|riv``: the mocks' command, added through ``tidbok_register_commands``.

Registered in the ``tidbok`` entry-point group like any plugin. The mocks never import ``tidbok``:
the hook marker is pluggy's own, for the project name ``tidbok``.
"""

from __future__ import annotations

import argparse
from typing import Any

import pluggy

hookimpl = pluggy.HookimplMarker("tidbok")


@hookimpl
def tidbok_register_commands(commands: Any) -> None:
    """Add ``tidbok mock``."""
    from .standalone import DESCRIPTION, add_arguments

    parser = commands.add(
        "mock",
        help="run a mock scheduling-system server (PASiS, PMO or a crm:scheduling producer)",
        description=DESCRIPTION,
        run=_run,
    )
    add_arguments(parser)


def _run(args: argparse.Namespace) -> int:
    from .standalone import run

    return run(args)
