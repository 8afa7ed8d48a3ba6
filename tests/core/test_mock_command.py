"""``tidbok mock NAME`` runs whatever mock an installed plugin offers (``tidbok_mock_servers``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tidbok import hookimpl
from tidbok.cli import build_parser
from tidbok.plugins import PluginRegistry
from tidbok_mocks import commands as bundled


@dataclass
class AcmeMock:
    name: str = "acme"
    summary: str = "mock Acme API"
    calls: list[list[str]] = field(default_factory=list)

    def main(self, argv: list[str]) -> int:
        self.calls.append(argv)
        return 7


def registry_with(*offers: object) -> PluginRegistry:
    registry = PluginRegistry()

    class Vendor:
        @hookimpl
        def tidbok_mock_servers(self) -> list[object]:
            return list(offers)

    registry.register(Vendor(), name="vendor")
    registry.register(bundled, name="mocks")
    return registry


def test_a_vendor_mock_runs_with_its_own_options() -> None:
    acme = AcmeMock()
    parser = build_parser(registry_with(acme))
    args = parser.parse_args(["mock", "acme", "--port", "0", "--help"])
    assert args.run(args) == 7
    assert acme.calls == [["--port", "0", "--help"]]


def test_the_help_lists_every_offered_mock(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser(registry_with(AcmeMock()))
    with pytest.raises(SystemExit):
        parser.parse_args(["mock", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "acme: mock Acme API" in shown
    assert "pasis: mock PASiS API" in shown
    assert "riv: mock crm:scheduling 1.1 producer" in shown


def test_an_unknown_mock_names_the_offered_ones(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser(registry_with(AcmeMock()))
    with pytest.raises(SystemExit):
        parser.parse_args(["mock", "cosmic"])
    error = capsys.readouterr().err
    assert "invalid choice: 'cosmic'" in error
    assert all(name in error for name in ("acme", "pasis", "pmo", "riv"))


def test_a_malformed_offer_and_a_second_of_the_same_name_are_ignored() -> None:
    first, second = AcmeMock(), AcmeMock(summary="another")
    parser = build_parser(registry_with(object(), first, second))
    args = parser.parse_args(["mock", "acme"])
    args.run(args)
    assert (first.calls, second.calls) == ([[]], [])
