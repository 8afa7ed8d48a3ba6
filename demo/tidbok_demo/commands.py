"""``tidbok demo``, added through the ``tidbok_register_commands`` hook."""

from __future__ import annotations

import argparse
import asyncio
import sys

from tidbok import Commands, hookimpl


@hookimpl
def tidbok_register_commands(commands: Commands) -> None:
    """Add ``tidbok demo``."""
    demo = commands.add(
        "demo",
        help="run the end-to-end demo: mock PASiS and PMO, the gateway, one citizen's story",
        description="Start mock PASiS, mock PMO, a mock 1177 inbox and the gateway in this process "
        "on loopback with Swedish demo data, then tell one citizen's story against the real HTTP "
        "API: find a slot, accept the terms, book, see 'Bokade tider' across both systems, "
        "rebook, cancel, book from an open invitation, read the inbox, and be refused a "
        "cancellation inside PASiS' 24-hour window. Exits non-zero if any step goes wrong.",
        run=_run,
    )
    demo.add_argument(
        "--serve",
        action="store_true",
        help="keep everything running afterwards and print the URLs and a demo token for curl",
    )


def _run(args: argparse.Namespace) -> int:
    from tidbok_demo.run import run_demo
    from tidbok_demo.story import DemoFailed

    try:
        asyncio.run(run_demo(serve=args.serve))
    except DemoFailed as error:
        print(f"tidbok demo failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
