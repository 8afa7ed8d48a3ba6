"""The ``tidbok`` command: inspect plugins, run mock backends, and more.

Run ``tidbok --help`` or ``tidbok COMMAND --help``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from tidbok import __version__
from tidbok.logsafe import configure_logging
from tidbok.plugins import default_registry
from tidbok.settings import PluginSettings

Command = Callable[[argparse.Namespace], int]


def _cmd_plugins(args: argparse.Namespace) -> int:
    registry = default_registry(PluginSettings(strict=False))
    systems = registry.scheduling_systems()
    if not systems:
        print("No scheduling-system plugins are installed (entry-point group 'tidbok').")
    for name, system in sorted(systems.items()):
        capabilities = ", ".join(sorted(system.capabilities)) or "none"
        names = "; ".join(f"{kind}: {label}" for kind, label in system.case_type_names.items())
        print(f"{name} {system.version} ({system.display_name})")
        print(f"  rules:        {system.rules.describe()}")
        print(f"  case types:   {names}")
        print(f"  capabilities: {capabilities}")
    for failure in registry.failures:
        print(f"SKIPPED {failure.name}: {failure.reason}", file=sys.stderr)
    return 1 if registry.failures and not systems else 0


def _cmd_mock(args: argparse.Namespace) -> int:
    from tidbok_mocks.standalone import main as run_mock

    argv = [args.system, "--host", args.host, "--port", str(args.port)]
    if args.no_demo_data:
        argv.append("--no-demo-data")
    return run_mock(argv)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per job."""
    parser = argparse.ArgumentParser(
        prog="tidbok",
        description=(
            "tidbok connects the 1177 patient portal to care units' scheduling systems. "
            "Each scheduling system (PASiS, PMO, a vendor's) is a plugin."
        ),
    )
    parser.add_argument("--version", action="version", version=f"tidbok {__version__}")
    parser.add_argument(
        "--log-level", default="WARNING", help="DEBUG, INFO, WARNING or ERROR (default WARNING)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    plugins = commands.add_parser(
        "plugins",
        help="list installed scheduling-system plugins",
        description="List the installed scheduling systems with version, rules and capabilities. "
        "Plugins that failed to load are reported on stderr.",
    )
    plugins.set_defaults(run=_cmd_plugins)

    mock = commands.add_parser(
        "mock",
        help="run a mock scheduling-system server",
        description="Serve a mock PASiS or PMO API with Swedish demo data until Ctrl-C. "
        "It prints its URL and credentials. The admin API is under /__admin.",
    )
    mock.add_argument("system", choices=["pasis", "pmo"], help="which system to mock")
    mock.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    mock.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    mock.add_argument("--no-demo-data", action="store_true", help="start with an empty system")
    mock.set_defaults(run=_cmd_mock)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tidbok`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    run: Command = args.run
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
