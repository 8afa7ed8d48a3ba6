"""``tidbok contract`` and ``tidbok new-plugin``, added by the ``tidbok_register_commands`` hook.

The contract kit registers this module in the ``tidbok`` entry-point group, like any plugin.

Nothing here imports pytest until a command runs, so ``tidbok --help`` stays light.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tidbok import Commands, hookimpl


def _pull_plugins(args: argparse.Namespace) -> None:
    """Move ``--plugin MODULE`` and ``--variant NAME`` given after SYSTEM (argparse leaves them
    to pytest) to ``plugin`` and ``variant``."""
    rest: list[str] = []
    items = iter(args.pytest_args)
    for item in items:
        if item == "--plugin":
            args.plugin.append(next(items, ""))
        elif item.startswith("--plugin="):
            args.plugin.append(item.partition("=")[2])
        elif item == "--variant":
            args.variant = next(items, "")
        elif item.startswith("--variant="):
            args.variant = item.partition("=")[2]
        else:
            rest.append(item)
    args.pytest_args = _joined(rest[1:] if rest[:1] == ["--"] else rest)


#: The suite's options that take a value (see tidbok_contract.options).
_VALUED = (
    "--tidbok-url",
    "--tidbok-credential",
    "--tidbok-known-failures",
    "--tidbok-plugin",
    "--tidbok-variant",
    "--tidbok-results",
)


def _joined(arguments: list[str]) -> list[str]:
    """``--tidbok-x VALUE`` as ``--tidbok-x=VALUE``: pytest reads a separate value that looks
    like a path (``/abs/known.toml``) as a test path before the suite's options exist, which
    moves its rootdir away from the plugin's folder and drops the plugin's ``addopts``."""
    joined: list[str] = []
    items = iter(arguments)
    for item in items:
        if item in _VALUED:
            joined.append(f"{item}={next(items, '')}")
        else:
            joined.append(item)
    return joined


def cmd_contract(args: argparse.Namespace) -> int:
    """``tidbok contract SYSTEM [pytest args]`` or ``tidbok contract --report [--output DIR]``."""
    _pull_plugins(args)
    plugin_args = [arg for module in args.plugin for arg in ("--tidbok-plugin", module)]
    if args.report:
        from tidbok_contract.report import run_report

        systems = [*([args.system] if args.system else []), *args.only]
        return run_report(Path(args.output), systems, args.plugin, args.pytest_args)
    if not args.system:
        print("tidbok contract: name a SYSTEM, or use --report for every installed system")
        return 2
    import pytest

    argv = ["--pyargs", "tidbok_contract", "--tidbok-system", args.system, *plugin_args]
    if args.variant:
        argv += ["--tidbok-variant", args.variant]
    from tidbok_contract.options import UNRELATED_PLUGINS

    return int(pytest.main([*argv, *UNRELATED_PLUGINS, *args.pytest_args]))


def cmd_new_plugin(args: argparse.Namespace) -> int:
    """``tidbok new-plugin NAME [--dir DIR] [--example | --http]``."""
    from tidbok_contract.newplugin import TemplateError, write_plugin

    target = Path(args.dir) if args.dir else Path(f"tidbok-{args.name.replace('_', '-')}")
    try:
        written = write_plugin(args.name, target, example=args.example, http=args.http)
    except TemplateError as error:
        print(f"tidbok new-plugin: {error}")
        return 2
    print(f"Wrote {len(written)} files to {target}/. Next:")
    print(f"  pip install -e {target}")
    print(f"  cd {target} && pytest   # runs the tidbok contract suite against {args.name}")
    return 0


@hookimpl
def tidbok_register_commands(commands: Commands) -> None:
    """Add ``tidbok contract`` and ``tidbok new-plugin``."""
    contract = commands.add(
        "contract",
        help="run the contract suite against a scheduling system, or write the report",
        description="Run the tidbok contract suite (pytest) against an installed system's mock, "
        "or with --report against every installed system, writing a features x systems matrix "
        "as Markdown and JSON. Extra arguments go to pytest, e.g. --tidbok-url URL "
        "--tidbok-credential KEY=VALUE for a real test environment, or -k NAME.",
        run=cmd_contract,
    )
    contract.add_argument("system", nargs="?", help="the scheduling system, e.g. pmo")
    contract.add_argument("--report", action="store_true", help="run every installed system")
    contract.add_argument(
        "--variant",
        metavar="NAME",
        help="another contract target of the system (riv: via-pasis, via-pmo: the riv plugin "
        "through tidbok's own crm:scheduling producer in front of that mock)",
    )
    contract.add_argument(
        "--output", default="contract-report", help="report directory (default contract-report)"
    )
    contract.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE",
        help="also register this module as a tidbok plugin (repeatable)",
    )
    contract.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="with --report: only this system (repeatable; default every installed one)",
    )
    contract.add_argument("pytest_args", nargs=argparse.REMAINDER, help="arguments for pytest")

    new_plugin = commands.add(
        "new-plugin",
        help="write a new scheduling-system plugin distribution from the template",
        description="Write a separate distribution (pyproject.toml with a 'tidbok' entry point, "
        "an adapter skeleton, a seeder skeleton, a contract target and a test that runs the "
        "contract suite). With --example every operation is implemented over an in-memory "
        "sandbox, so the contract suite passes at once. With --http the plugin is a complete one "
        "over HTTP: an adapter on HttpSchedulingAdapter, a mock of its JSON API on the mock kit "
        "(tidbok mock NAME serves it) and a seeder over the kit's admin API, also green at once.",
        run=cmd_new_plugin,
    )
    new_plugin.add_argument("name", help="the system's name: lower-case letters, digits, _")
    new_plugin.add_argument("--dir", help="where to write it (default ./tidbok-NAME)")
    kind = new_plugin.add_mutually_exclusive_group()
    kind.add_argument(
        "--example", action="store_true", help="a complete in-memory example instead of stubs"
    )
    kind.add_argument(
        "--http",
        action="store_true",
        help="a complete HTTP plugin with a mock on the mock kit, instead of stubs",
    )
