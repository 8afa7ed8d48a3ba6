"""The ``tidbok`` command: the core's commands, and those plugins add through a hook.

Run ``tidbok --help`` or ``tidbok COMMAND --help``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tidbok import __version__
from tidbok.commands import Command, Commands
from tidbok.logsafe import configure_logging
from tidbok.mock_command import add_mock_command
from tidbok.plugins import PluginRegistry, default_registry
from tidbok.settings import PluginSettings
from tidbok.store_cli import add_store_commands

if TYPE_CHECKING:
    from tidbok.clock import Clock
    from tidbok.service import BookingService
    from tidbok.settings import TidbokSettings


def _cmd_plugins(args: argparse.Namespace) -> int:
    registry: PluginRegistry = args.registry  # loaded once, when the parser was built
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


def _load(path: str) -> TidbokSettings | None:
    from pydantic import ValidationError

    from tidbok.settings import describe_settings_error, load_settings

    try:
        return load_settings(Path(path))
    except FileNotFoundError:
        print(f"tidbok: no settings file {path}", file=sys.stderr)
    except ValidationError as error:
        # Fields and problems only: pydantic's own text echoes the input, credentials included.
        print(
            f"tidbok: invalid settings in {path}:\n{describe_settings_error(error)}",
            file=sys.stderr,
        )
    except ValueError as error:
        print(f"tidbok: invalid settings in {path}:\n{error}", file=sys.stderr)
    return None


def _cmd_serve(args: argparse.Namespace) -> int:
    from tidbok.gateway import GatewayConfigError, serve
    from tidbok.gateway.migrations import SchemaTooNew
    from tidbok.gateway.sqlite_file import StoreInUse
    from tidbok.routing import BackendSetupError

    settings = _load(args.config)
    if settings is None:
        return 2
    try:
        asyncio.run(serve(settings, host=args.host, port=args.port))
    except (GatewayConfigError, StoreInUse, SchemaTooNew, BackendSetupError) as error:
        # One line saying what is wrong and what to do (the port in use, a missing key, ...).
        print(f"tidbok serve: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


class TokenRefused(ValueError):
    """``tidbok token`` may not (or cannot) sign a token with these settings and arguments."""


def environment_token(
    settings: TidbokSettings,
    subject: str,
    clock: Clock,
    *,
    agent: str | None = None,
    minutes: int = 60,
) -> str:
    """A citizen's token for a test environment's gateway, signed with its ``jwt_secret``.

    Refuses (:class:`TokenRefused`) unless ``gateway.test_environment`` is true, the gateway
    checks HS256 tokens, ``subject`` is a personal identity number and ``agent`` an HSA-id.
    """
    from tidbok.errors import InvalidInput
    from tidbok.gateway.auth import issue_token
    from tidbok.identity import PersonalIdentityNumber, normalize_hsa_id

    gateway = settings.gateway
    if not gateway.test_environment:
        raise TokenRefused(
            "the settings do not say this is a test environment "
            "([gateway] test_environment = true); real tokens come from the 1177 platform"
        )
    if gateway.jwt_algorithm != "HS256" or gateway.jwt_secret is None:
        raise TokenRefused("it signs HS256 tokens with gateway.jwt_secret, which is not set")
    if not 1 <= minutes <= 24 * 60:
        raise TokenRefused("--minutes must be 1 to 1440")
    try:
        citizen = PersonalIdentityNumber(subject)
    except (InvalidInput, ValueError):
        raise TokenRefused("--sub is not a personal identity number (YYYYMMDDNNNC)") from None
    try:
        agent_id = normalize_hsa_id(agent) if agent is not None else None
    except ValueError:
        raise TokenRefused("--act is not an HSA-id (e.g. SE2321000016-1234)") from None
    now = clock.now()
    return issue_token(
        gateway.jwt_secret.get_secret_value(),
        citizen.value,
        audience=gateway.jwt_audience,
        issuer=gateway.jwt_issuer,
        expires_at=now + timedelta(minutes=minutes),
        issued_at=now,
        agent_id=agent_id,
        agent_claim=gateway.agent_claim,
    )


def _cmd_token(args: argparse.Namespace) -> int:
    from tidbok.clock import SystemClock

    settings = _load(args.config)
    if settings is None:
        return 2
    try:
        token = environment_token(
            settings, args.sub, SystemClock(), agent=args.act, minutes=args.minutes
        )
    except TokenRefused as error:
        print(f"tidbok token: {error}", file=sys.stderr)
        return 2
    print(token)
    return 0


def _cell(granted: bool, on_1177: bool) -> str:
    """yes/no for what 1177 does; '(service off)' when the access is granted but not used."""
    if on_1177:
        return "yes"
    return "no (service off)" if granted else "no"


async def overview_table(service: BookingService, hsa_id: str) -> str:
    """The R14 overview of one unit as a text table (:meth:`BookingService.overview`).

    One row per time type; under it, one line per distinct 1177 level of its free slots in the
    next four weeks that differs from the type's own (PASiS sets levels per slot).
    """
    overview = await service.overview(hsa_id)
    unit = overview.unit
    header = ("Time type", "Name", "Visible on 1177", "Bookable", "Cancel/rebook")
    rows: list[tuple[str, ...]] = []
    for entry in overview.time_types:
        granted, used = entry.time_type.access, entry.on_1177
        rows.append(
            (
                entry.time_type.id,
                entry.time_type.name,
                _cell(granted.visible, used.visible),
                _cell(granted.bookable, used.bookable),
                _cell(granted.changeable, used.changeable),
            )
        )
        rows += [
            (
                "",
                f"\u2514 {level.free_slots} of {entry.free_slots} free slots",
                _cell(level.access.visible, level.on_1177.visible),
                _cell(level.access.bookable, level.on_1177.bookable),
                _cell(level.access.changeable, level.on_1177.changeable),
            )
            for level in entry.slot_levels
        ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        f"{unit.name} ({unit.hsa_id}), system {unit.system}",
        "Activated services: "
        + (", ".join(f"{case.name} [{case.kind}]" for case in unit.case_types) or "none"),
        "",
        "  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * width for width in widths),
    ]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    if not rows:
        lines.append("(the scheduling system reports no time types for this unit)")
    lines.append("")
    if any(entry.slot_levels for entry in overview.time_types):
        start, end = (
            f"{moment:%Y-%m-%d %H:%M}" for moment in (overview.period_start, overview.period_end)
        )
        lines += [
            f"\u2514 free slots from {start} to {end} whose 1177 level differs from their "
            "time type's.",
        ]
    lines.append("Nothing that is not visible on 1177 is ever shown to citizens.")
    return "\n".join(lines)


def _cmd_overview(args: argparse.Namespace) -> int:
    from tidbok.errors import TidbokError
    from tidbok.routing import BackendSetupError
    from tidbok.service import BookingService

    settings = _load(args.config)
    if settings is None:
        return 2

    async def run() -> str:
        async with BookingService(settings) as service:
            return await overview_table(service, args.hsa_id)

    try:
        print(asyncio.run(run()))
    except BackendSetupError as error:
        print(f"tidbok overview: {error}", file=sys.stderr)
        return 2
    except TidbokError as error:
        # An operator reads this, not a citizen: the technical detail and what to check.
        hint = {
            "not_found": "is the unit in the settings file's [[units]]?",
            "backend_unavailable": "is the unit's backend running and its base_url right?",
            "backend_timeout": "the backend answered too slowly; see [resilience] timeouts",
        }.get(error.code, "")
        suffix = f" ({hint})" if hint else ""
        print(f"tidbok overview: {error}{suffix}", file=sys.stderr)
        return 1
    return 0


def build_parser(registry: PluginRegistry | None = None) -> argparse.ArgumentParser:
    """The argument parser: the core's commands and those the plugins add."""
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
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands = Commands(subparsers)
    commands.add(
        "plugins",
        help="list installed scheduling-system plugins",
        description="List the installed scheduling systems with version, rules and capabilities. "
        "Plugins that failed to load are reported on stderr.",
        run=_cmd_plugins,
    )
    serve = commands.add(
        "serve",
        help="run the 1177 HTTP gateway (JSON API v1)",
        description="Serve the JSON API v1 over the configured units and backends until Ctrl-C: "
        "bearer-JWT authentication, problem+json errors, idempotent booking, and the inbox "
        "outbox (an SQLite file, or PostgreSQL for several replicas: see tidbok store) whose "
        "worker delivers messages to gateway.inbox_url. "
        "The [gateway] section of the settings holds the JWT key, audience and paths; "
        "see docs/gateway.md. The OpenAPI document is at /openapi.json.",
        run=_cmd_serve,
    )
    serve.add_argument("--config", required=True, help="settings file (TOML), e.g. tidbok.toml")
    serve.add_argument("--host", default=None, help="address to bind (default: gateway.host)")
    serve.add_argument(
        "--port", type=int, default=None, help="port; 0 picks a free one (default: gateway.port)"
    )
    token = commands.add(
        "token",
        help="print a citizen's bearer token for a test environment's gateway",
        description="Sign a JWT as the 1177 platform would, with gateway.jwt_secret (HS256), "
        "audience and issuer from the settings, for curl and trials. It refuses unless the "
        "settings say [gateway] test_environment = true. The token (printed alone on stdout) "
        "names the citizen; treat it as the citizen's login.",
        run=_cmd_token,
    )
    token.add_argument(
        "--sub", required=True, help="the citizen's personal identity number, e.g. 191212121212"
    )
    token.add_argument("--act", default=None, help="HSA-id of an agent acting for the citizen")
    token.add_argument(
        "--minutes", type=int, default=60, help="minutes until it expires (default 60)"
    )
    token.add_argument("--config", required=True, help="settings file (TOML), e.g. tidbok.toml")
    overview = commands.add(
        "overview",
        help="show a unit's time types and what 1177 may do with each (R14)",
        description="Ask the unit's scheduling system for every time type and print whether each "
        "is visible on 1177, bookable directly, and cancellable/rebookable by the citizen. "
        "'(service off)' marks access the time type has but the unit's activated case types "
        "do not use. Under a time type, one line per distinct 1177 level of its free slots in "
        "the next four weeks that differs from the type's own (PASiS sets levels per slot). "
        "The same overview is GET /v1/units/{hsa_id}/overview.",
        run=_cmd_overview,
    )
    overview.add_argument("hsa_id", metavar="HSA_ID", help="the unit, e.g. SE2321000016-1234")
    overview.add_argument("--config", required=True, help="settings file (TOML), e.g. tidbok.toml")
    add_store_commands(commands, _load)

    # Everything else comes from plugins: the mocks they offer (`mock NAME`), the contract kit
    # (`contract`, `new-plugin`), the demo (`demo`) and any vendor's commands.
    registry = registry or default_registry(PluginSettings(strict=False))
    add_mock_command(commands, registry)
    registry.hook.tidbok_register_commands(commands=commands)
    parser.set_defaults(registry=registry)
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
