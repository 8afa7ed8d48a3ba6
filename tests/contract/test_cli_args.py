"""``tidbok contract``'s argument handling, before pytest sees anything."""

from __future__ import annotations

import argparse

from tidbok_contract.cli import _pull_plugins


def pulled(*arguments: str) -> argparse.Namespace:
    args = argparse.Namespace(plugin=[], variant=None, pytest_args=list(arguments))
    _pull_plugins(args)
    return args


def test_a_path_valued_option_is_joined_so_pytest_keeps_the_plugin_s_rootdir() -> None:
    args = pulled("--tidbok-known-failures", "/abs/known.toml", "-k", "Booking")
    assert args.pytest_args == ["--tidbok-known-failures=/abs/known.toml", "-k", "Booking"]


def test_plugin_and_variant_after_the_system_are_the_command_s_own() -> None:
    args = pulled("--plugin", "acme_extra", "--variant=via-pasis", "-x")
    assert args.plugin == ["acme_extra"]
    assert args.variant == "via-pasis"
    assert args.pytest_args == ["-x"]
