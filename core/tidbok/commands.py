"""Where plugins add sub-commands to ``tidbok`` (the ``tidbok_register_commands`` hook), and
what a plugin's mock server looks like to ``tidbok mock`` (the ``tidbok_mock_servers`` hook).

The core contributes ``plugins``, ``serve``, ``token``, ``overview`` and ``mock``; the contract
kit and the demo contribute theirs through the hook, exactly as a vendor's plugin would.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Protocol

Command = Callable[[argparse.Namespace], int]
"""A command's body: gets the parsed arguments, returns the exit code."""


class CommandExists(ValueError):
    """Two plugins tried to add a command with the same name."""


class Commands:
    """The ``tidbok`` sub-commands; plugins add theirs with :meth:`add`."""

    def __init__(self, subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        self._subparsers = subparsers
        self._names: set[str] = set()

    def add(
        self, name: str, *, help: str, description: str, run: Command
    ) -> argparse.ArgumentParser:
        """Add ``tidbok NAME``: ``help`` is its line in ``tidbok --help``, ``description`` the
        text of ``tidbok NAME --help``. Returns the parser for the command's own arguments."""
        if name in self._names:
            raise CommandExists(f"the command {name!r} already exists")
        self._names.add(name)
        parser = self._subparsers.add_parser(name, help=help, description=description)
        parser.set_defaults(run=run)
        return parser

    @property
    def names(self) -> frozenset[str]:
        """The names of the commands added so far."""
        return frozenset(self._names)


class MockOffer(Protocol):
    """A mock server a plugin offers to ``tidbok mock NAME`` (hook ``tidbok_mock_servers``)."""

    @property
    def name(self) -> str:
        """What follows ``tidbok mock``: usually the scheduling system's name."""
        ...

    @property
    def summary(self) -> str:
        """One line for ``tidbok mock --help``."""
        ...

    def main(self, argv: list[str]) -> int:
        """Serve the mock with the options in ``argv`` until interrupted; the exit code."""
        ...
