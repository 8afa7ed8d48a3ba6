"""``tidbok store status`` and ``tidbok store migrate``: the gateway store, for operators."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from tidbok.commands import Commands

_STORE = (
    "The gateway keeps its state (the inbox outbox, the activity intents, the idempotency keys) "
    "in a store: the SQLite file gateway.outbox_path by default (one gateway process), or the "
    "PostgreSQL database of [gateway.store] url (or TIDBOK_GATEWAY__STORE__URL), which any "
    "number of gateway replicas share. Its schema is versioned; a gateway migrates it when it "
    "starts, once however many replicas start together. See docs/gateway.md, 'Stores'."
)


def add_store_commands(commands: Commands, load: Callable[[str], object | None]) -> None:
    """Add ``tidbok store`` with its ``status`` and ``migrate`` sub-commands.

    ``load`` reads the settings file (the CLI's own loader, which reports a bad file itself).
    """
    store = commands.add(
        "store",
        help="show or migrate the gateway's store (SQLite or PostgreSQL)",
        description=_STORE,
        run=lambda args: _usage(store),
    )
    actions = store.add_subparsers(dest="store_command", metavar="ACTION")
    status = actions.add_parser(
        "status",
        help="print the store's kind, location and schema version",
        description="Print the store the settings choose (sqlite or postgresql), where it is "
        "(the file, or the URL without its password), its schema version and the latest this "
        "tidbok knows. It changes nothing and works while gateways run. Exit code 0 when the "
        "schema is up to date, 1 when migrations are pending (or it is newer), 2 on errors.",
    )
    status.set_defaults(run=lambda args: _run(args, load, migrate=False))
    migrate = actions.add_parser(
        "migrate",
        help="apply the schema migrations the store lacks",
        description="Bring the store to the latest schema version, as a gateway does when it "
        "starts: each migration once, under a lock (PostgreSQL: an advisory lock, so it is safe "
        "while replicas run or start; SQLite: the file's lock, so it refuses while a gateway "
        "uses the file, which migrated it when it started). Prints the versions applied.",
    )
    migrate.set_defaults(run=lambda args: _run(args, load, migrate=True))
    for parser in (status, migrate):
        parser.add_argument(
            "--config", required=True, help="settings file (TOML), e.g. tidbok.toml"
        )


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _run(args: argparse.Namespace, load: Callable[[str], object | None], *, migrate: bool) -> int:
    from tidbok.gateway.migrations import SchemaTooNew
    from tidbok.gateway.sqlite_file import StoreInUse
    from tidbok.gateway.store_admin import migrate_store, store_status
    from tidbok.settings import TidbokSettings

    settings = load(str(Path(args.config)))
    if not isinstance(settings, TidbokSettings):
        return 2
    gateway = settings.gateway
    name = "tidbok store migrate" if migrate else "tidbok store status"
    try:
        if migrate:
            applied, status = asyncio.run(migrate_store(gateway))
            done = ", ".join(str(version) for version in applied) or "none (already up to date)"
            print(f"migrations applied: {done}")
        else:
            status = asyncio.run(store_status(gateway))
    except (StoreInUse, SchemaTooNew) as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the database is down, refuses the login, ...
        print(f"{name}: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    for line in status.lines():
        print(line)
    return 0 if status.current == status.latest else 1
