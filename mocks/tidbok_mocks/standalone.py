"""Run a mock as a standalone server until SIGINT or SIGTERM.

The first line printed is ``<System> mock listening on <url>``; the following lines give the API
base, the admin base and the credentials. ``tidbok mock pasis --port 0`` delegates here (likewise
``pmo`` and ``riv``).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from . import SYSTEMS, run_mock
from .common.context import ADMIN_TOKEN_HEADER
from .common.runner import MockServer, listen_problem
from .common.times import parse_aware
from .pasis import DEFAULT_API_KEY
from .pmo import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TOKEN_LIFETIME
from .riv import DEFAULT_CHANGE_CUTOFF_HOURS

TITLES = {"pasis": "PASiS", "pmo": "PMO", "riv": "crm:scheduling (riv)"}


DESCRIPTION = (
    "Serve a mock PASiS or PMO API, or a crm:scheduling 1.1 producer (riv), with Swedish demo "
    "data until Ctrl-C. It prints its URL and credentials. The admin API (clock, faults, request "
    "log, seeding) is under /__admin."
)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface of ``python -m tidbok_mocks``."""
    parser = argparse.ArgumentParser(prog="python -m tidbok_mocks", description=DESCRIPTION)
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m tidbok_mocks`` and ``tidbok mock``."""
    parser.add_argument("system", choices=SYSTEMS, help="which scheduling system to mock")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    parser.add_argument("--no-demo-data", action="store_true", help="start with an empty system")
    parser.add_argument(
        "--now", help="freeze the mock clock at this ISO 8601 time with offset (default: real)"
    )
    parser.add_argument(
        "--admin-token",
        default=None,
        help="require this X-Admin-Token on the admin API (/__admin), which otherwise hands the "
        "API credentials to anyone who reaches the port; use it when the mock is shared",
    )
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="PASiS: the X-Api-Key value")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="PMO: OAuth client id")
    parser.add_argument(
        "--client-secret", default=DEFAULT_CLIENT_SECRET, help="PMO: OAuth client secret"
    )
    parser.add_argument(
        "--token-lifetime",
        type=int,
        default=DEFAULT_TOKEN_LIFETIME,
        help="PMO: access token lifetime in seconds",
    )
    parser.add_argument(
        "--change-cutoff-hours",
        type=float,
        default=DEFAULT_CHANGE_CUTOFF_HOURS,
        help="riv: cancel and rebook until this many hours before the start (default 24)",
    )
    parser.add_argument(
        "--same-day-booking",
        action="store_true",
        help="riv: allow booking today (default: from tomorrow on)",
    )


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "demo_data": not args.no_demo_data,
        "now": parse_aware(args.now) if args.now else None,
        "admin_token": args.admin_token,
    }
    if args.system == "pasis":
        options["api_key"] = args.api_key
    elif args.system == "riv":
        options.update(
            change_cutoff_hours=args.change_cutoff_hours, same_day_booking=args.same_day_booking
        )
    else:
        options.update(
            client_id=args.client_id,
            client_secret=args.client_secret,
            token_lifetime=args.token_lifetime,
        )
    return options


def _announce(server: MockServer) -> None:
    print(f"{TITLES[server.system]} mock listening on {server.url}")
    print(f"  API:   {server.api_url}")
    if server.context.admin_token is None:
        print(
            f"  admin: {server.admin_url}  WARNING: no authentication; {server.admin_url}/info "
            "gives the credentials below to anyone who can reach this port (a shared mock: "
            "--admin-token)"
        )
    else:
        print(f"  admin: {server.admin_url}  (needs {ADMIN_TOKEN_HEADER}: the --admin-token)")
    for name, value in server.credentials.items():
        print(f"  {name}: {value}")
    print("Press Ctrl-C to stop.")
    sys.stdout.flush()


async def _serve(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with run_mock(args.system, **_options(args)) as server:
            _announce(server)
            await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    print(f"{TITLES[args.system]} mock stopped.")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, serve until SIGINT/SIGTERM, return the exit code (0 on a clean stop)."""
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Serve the mock the parsed arguments describe until SIGINT/SIGTERM; return the exit code."""
    if args.now:
        try:
            parse_aware(args.now)
        except ValueError as error:
            print(f"--now: {error}", file=sys.stderr)
            return 2
    try:
        asyncio.run(_serve(args))
    except OSError as error:
        print(
            f"{TITLES[args.system]} mock: {listen_problem(args.host, args.port, error)}",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 0
    return 0
