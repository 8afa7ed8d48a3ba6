"""A plugin author's mistakes read as one line naming the plugin, the field and what to write.

From the vendor who wrote ``change_cutoff=None`` and got "no installed plugin registers ...
failed to import ... validation error" (issue 16).
"""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import EntryPoint

import pytest
from pydantic import ValidationError

from tests.core.memory_system import PASIS_UNIT, MemorySystem
from tidbok import (
    AdapterContext,
    BackendSettings,
    BookingService,
    EarliestBooking,
    SchedulingAdapter,
    SystemRules,
    hookimpl,
)
from tidbok.plugins import PluginRegistry
from tidbok.routing import BackendSetupError
from tidbok.settings import PluginSettings, TidbokSettings


def test_none_as_a_cutoff_says_to_write_timedelta_0() -> None:
    with pytest.raises(ValidationError, match=r"write timedelta\(0\) for no cut-off"):
        SystemRules(earliest_booking=EarliestBooking.NEXT_DAY, change_cutoff=None)
    with pytest.raises(ValidationError, match=r"write EarliestBooking\.NEXT_DAY"):
        SystemRules(earliest_booking=None)
    assert SystemRules(earliest_booking=EarliestBooking.SAME_DAY).change_cutoff == timedelta(0)


def test_a_plugin_that_fails_to_import_is_named_in_one_line() -> None:
    registry = PluginRegistry(PluginSettings())
    entry = EntryPoint(name="cosmic", value="tests.core.broken_rules_plugin", group="tidbok")
    registry._load(entry)
    [failure] = registry.failures
    assert failure.name == "cosmic"
    assert "\n" not in failure.reason
    assert failure.reason == (
        "failed to import tests.core.broken_rules_plugin: SystemRules.change_cutoff: Value "
        "error, None is not a duration: write timedelta(0) for no cut-off (changes allowed "
        "until the start), or e.g. timedelta(hours=24)"
    )


class Unfinished(SchedulingAdapter):
    """An adapter whose author has not written its methods yet."""


class UnfinishedSystem(MemorySystem):
    def connect(self, backend: BackendSettings, context: AdapterContext) -> SchedulingAdapter:
        return Unfinished()  # type: ignore[abstract]


class WrongSystem(MemorySystem):
    def connect(self, backend: BackendSettings, context: AdapterContext) -> SchedulingAdapter:
        return "an adapter"  # type: ignore[return-value]


def settings_for(system: str) -> TidbokSettings:
    return TidbokSettings(
        backends={"b": {"system": system, "base_url": "memory://"}},
        units=[
            {"hsa_id": PASIS_UNIT, "name": "U", "backend": "b", "case_types": [{"kind": "book"}]}
        ],
    )


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        (UnfinishedSystem, "its adapter cannot be created (Can't instantiate abstract class"),
        (WrongSystem, "connect() returned str, not a tidbok.SchedulingAdapter"),
    ],
)
async def test_an_adapter_that_cannot_be_made_says_what_to_implement(
    system: type[MemorySystem], expected: str
) -> None:
    registry = PluginRegistry()
    made = system("memory")

    class Plugin:
        @hookimpl
        def tidbok_scheduling_systems(self) -> list[MemorySystem]:
            return [made]

    registry.register(Plugin(), name="memory")
    with pytest.raises(BackendSetupError) as caught:
        async with BookingService(settings_for("memory"), registry=registry):
            pass
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


async def test_bad_backend_options_name_the_backend_and_the_field() -> None:
    settings = TidbokSettings(
        backends={
            "region": {"system": "riv", "base_url": "https://x", "options": {"endpoint": "/"}}
        },
        units=[{"hsa_id": PASIS_UNIT, "name": "U", "backend": "region", "case_types": []}],
    )
    with pytest.raises(BackendSetupError) as caught:
        async with BookingService(settings):
            pass
    assert str(caught.value) == (
        "backend region (riv): Value error, endpoint must contain {operation}"
    )
