"""Hooks are called with pluggy's semantics, and one failing implementation never stops the others.

Each behaviour a pluggy user relies on is checked through the registry's own calls
(``scheduling_systems``, ``broadcast_activity``), not through ``pm.hook`` directly: tryfirst and
trylast order, new-style wrappers, implementations taking a subset of the arguments, and tracing.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Generator

import pytest

import tidbok_pasis
from tidbok import hookimpl
from tidbok.adapter import SchedulingSystem
from tidbok.cli import build_parser
from tidbok.commands import Commands
from tidbok.events import ActivityIntent, ActivityKind, BookingActivity
from tidbok.plugins import PluginRegistry
from tidbok_contract.targets import contract_registry, contract_targets

from .conftest import NOW, PASIS_UNIT, TOLVAN, sample_activity
from .memory_system import MemorySystem


class Offers:
    """A plugin offering one system, optionally ordered first or last."""

    def __init__(self, name: str) -> None:
        self.system = MemorySystem(name)

    @hookimpl
    def tidbok_scheduling_systems(self) -> list[SchedulingSystem]:
        return [self.system]


class OffersFirst(Offers):
    @hookimpl(tryfirst=True)
    def tidbok_scheduling_systems(self) -> list[SchedulingSystem]:
        return [self.system]


class OffersLast(Offers):
    @hookimpl(trylast=True)
    def tidbok_scheduling_systems(self) -> list[SchedulingSystem]:
        return [self.system]


def test_tryfirst_and_trylast_order_the_registration_calls() -> None:
    registry = PluginRegistry()
    # pluggy calls the last registered plain implementation first; tryfirst/trylast override that.
    registry.register(OffersFirst("early"), name="early")
    registry.register(Offers("plain_a"), name="plain_a")
    registry.register(OffersLast("late"), name="late")
    registry.register(Offers("plain_b"), name="plain_b")
    assert list(registry.scheduling_systems()) == ["early", "plain_b", "plain_a", "late"]


def test_a_new_style_wrapper_sees_and_may_change_the_result() -> None:
    seen: list[list[str]] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def tidbok_scheduling_systems(
            self,
        ) -> Generator[None, list[list[SchedulingSystem]], list[list[SchedulingSystem]]]:
            offered = yield
            seen.append([system.name for systems in offered for system in systems])
            return [systems for systems in offered if systems[0].name != "hidden"]

    registry = PluginRegistry()
    registry.register(Offers("shown"), name="shown")
    registry.register(Offers("hidden"), name="hidden")
    registry.register(Wrapper(), name="wrapper")
    assert list(registry.scheduling_systems()) == ["shown"]
    assert seen == [["hidden", "shown"]]


async def test_an_implementation_may_take_fewer_arguments_than_the_spec() -> None:
    calls: list[str] = []

    class NoArguments:
        @hookimpl
        def tidbok_booking_activity(self) -> None:
            calls.append("no arguments")

    class WithActivity:
        @hookimpl
        async def tidbok_booking_activity(self, activity: BookingActivity) -> None:
            calls.append(activity.booking_id)

    registry = PluginRegistry()
    assert registry.register(NoArguments(), name="bare")
    assert registry.register(WithActivity(), name="full")
    await registry.broadcast_activity(sample_activity())
    assert sorted(calls) == ["bk-1", "no arguments"]
    assert registry.failures == []


async def test_a_failing_implementation_is_logged_by_name_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    class Raises:
        @hookimpl(tryfirst=True)
        async def tidbok_booking_activity(self, activity: BookingActivity) -> None:
            raise RuntimeError("listener bug")

    class Listens:
        @hookimpl
        def tidbok_booking_activity(self, activity: BookingActivity) -> None:
            calls.append(activity.booking_id)

    registry = PluginRegistry()
    registry.register(Raises(), name="raises")
    registry.register(Listens(), name="listens")
    with caplog.at_level(logging.ERROR, logger="tidbok.plugins"):
        await registry.broadcast_activity(sample_activity())
    assert calls == ["bk-1"]
    assert "plugin raises failed in tidbok_booking_activity" in caplog.text


async def test_an_intent_listener_that_raises_is_not_isolated() -> None:
    """tidbok_activity_intent is unguarded: its failure reaches the caller (no write is sent)."""
    awaited: list[str] = []

    class Journal:
        @hookimpl(tryfirst=True)
        async def tidbok_activity_intent(self, intent: ActivityIntent) -> None:
            raise OSError("database is locked")

    class Audit:
        @hookimpl(trylast=True)
        async def tidbok_activity_intent(self, intent: ActivityIntent) -> None:
            awaited.append(intent.id)

    registry = PluginRegistry()
    assert registry.register(Journal(), name="journal")
    assert registry.register(Audit(), name="audit")
    intent = ActivityIntent(
        id="i-1",
        kind=ActivityKind.BOOKED,
        unit=PASIS_UNIT,
        unit_name="Vårdcentralen Tensta",
        system="pasis",
        subject_of_care=TOLVAN,
        created_at=NOW,
    )
    with pytest.raises(OSError, match="locked"):
        await registry.announce_intent(intent)
    assert awaited == []  # closed, not left un-awaited
    assert registry.failures == []


def test_a_raising_registration_hook_skips_only_that_plugin() -> None:
    class Raises:
        @hookimpl(tryfirst=True)
        def tidbok_scheduling_systems(self) -> list[SchedulingSystem]:
            raise RuntimeError("vendor bug")

    registry = PluginRegistry()
    registry.register(Raises(), name="raises")
    registry.register(Offers("fine"), name="fine")
    assert list(registry.scheduling_systems()) == ["fine"]
    [failure] = registry.failures
    assert failure.name == "raises"
    assert "vendor bug" in failure.reason


def test_a_hook_function_without_the_marker_is_refused() -> None:
    class Forgot:
        def tidbok_scheduling_systems(self) -> list[SchedulingSystem]:
            return []

    registry = PluginRegistry()
    assert registry.register(Forgot(), name="forgot") is False
    assert "not marked with @tidbok.hookimpl" in registry.failures[0].reason


def test_trace_logs_every_hook_call_and_its_result(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TIDBOK_TRACE_HOOKS", "1")
    registry = PluginRegistry()
    registry.register(Offers("traced"), name="traced")
    with caplog.at_level(logging.INFO, logger="tidbok.hooks"):
        registry.scheduling_systems()
    traced = [record.getMessage() for record in caplog.records if record.name == "tidbok.hooks"]
    assert any("tidbok_scheduling_systems" in line for line in traced)
    assert any("finish tidbok_scheduling_systems -->" in line for line in traced)


def test_without_the_variable_nothing_is_traced(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("TIDBOK_TRACE_HOOKS", raising=False)
    registry = PluginRegistry()
    registry.register(Offers("quiet"), name="quiet")
    with caplog.at_level(logging.DEBUG, logger="tidbok.hooks"):
        registry.scheduling_systems()
    assert [r for r in caplog.records if r.name == "tidbok.hooks"] == []


def test_a_plugin_adds_a_command_through_the_hook(capsys: pytest.CaptureFixture[str]) -> None:
    ran: list[str] = []

    class Greeter:
        @hookimpl
        def tidbok_register_commands(self, commands: Commands) -> None:
            parser = commands.add("greet", help="say hello", description="Say hello.", run=self.run)
            parser.add_argument("who")

        def run(self, args: argparse.Namespace) -> int:
            ran.append(args.who)
            return 0

    registry = PluginRegistry()
    registry.register(Greeter(), name="greeter")
    parser = build_parser(registry)
    args = parser.parse_args(["greet", "Tolvan"])
    assert args.run(args) == 0
    assert ran == ["Tolvan"]
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    assert "greet" in capsys.readouterr().out


def test_the_contract_hook_is_the_contract_kits_own() -> None:
    plain = PluginRegistry()
    assert plain.register(tidbok_pasis, name="pasis")  # loads without the contract kit's specs
    assert not hasattr(plain.hook, "tidbok_contract_targets") or not (
        plain.hook.tidbok_contract_targets.has_spec()
    )
    kit = contract_registry()
    assert "pasis" in contract_targets(kit)
