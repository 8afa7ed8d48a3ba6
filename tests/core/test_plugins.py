"""Plugin loading: broken plugins are skipped (or fatal in strict mode), hooks are validated."""

from __future__ import annotations

import inspect
import logging
import sys
import types
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from tidbok import hookimpl, hookspecs
from tidbok.adapter import SchedulingSystem
from tidbok.events import BookingActivity
from tidbok.plugins import PluginError, PluginRegistry
from tidbok.settings import PluginSettings

from .conftest import sample_activity
from .memory_system import MemoryPlugin, MemorySystem

GOOD = """
from tidbok import hookimpl
from tests.core.memory_system import MemorySystem

@hookimpl
def tidbok_scheduling_systems():
    return [MemorySystem("{name}")]
"""


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [n for n in sys.modules if n.startswith("fake_tidbok_")]:
        del sys.modules[name]


def install(monkeypatch: pytest.MonkeyPatch, plugin_dir: Path, modules: dict[str, str]) -> None:
    for name, source in modules.items():
        (plugin_dir / f"{name}.py").write_text(source)
    eps = [
        EntryPoint(name=name.removeprefix("fake_tidbok_"), value=name, group="tidbok")
        for name in modules
    ]
    monkeypatch.setattr(
        "tidbok.plugins.entry_points", lambda group: eps if group == "tidbok" else []
    )


def test_a_plugin_that_raises_on_import_is_skipped_and_others_work(
    monkeypatch: pytest.MonkeyPatch, plugin_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    install(
        monkeypatch,
        plugin_dir,
        {
            "fake_tidbok_broken": "raise RuntimeError('vendor bug at import')\n",
            "fake_tidbok_good": GOOD.format(name="good"),
        },
    )
    registry = PluginRegistry()
    with caplog.at_level(logging.ERROR, logger="tidbok.plugins"):
        registry.load_entry_points()
    assert list(registry.scheduling_systems()) == ["good"]
    [failure] = registry.failures
    assert failure.name == "broken"
    assert "vendor bug at import" in failure.reason
    assert "plugin broken skipped: failed to import fake_tidbok_broken" in caplog.text


def test_strict_mode_makes_a_broken_plugin_fatal(
    monkeypatch: pytest.MonkeyPatch, plugin_dir: Path
) -> None:
    install(monkeypatch, plugin_dir, {"fake_tidbok_broken2": "import no_such_module_anywhere\n"})
    registry = PluginRegistry(PluginSettings(strict=True))
    with pytest.raises(PluginError, match="broken2"):
        registry.load_entry_points()


def test_allow_and_deny_lists(monkeypatch: pytest.MonkeyPatch, plugin_dir: Path) -> None:
    install(
        monkeypatch,
        plugin_dir,
        {"fake_tidbok_one": GOOD.format(name="one"), "fake_tidbok_two": GOOD.format(name="two")},
    )
    allowed = PluginRegistry(PluginSettings(allow=("one",)))
    allowed.load_entry_points()
    assert list(allowed.scheduling_systems()) == ["one"]
    denied = PluginRegistry(PluginSettings(deny=("one",)))
    denied.load_entry_points()
    assert list(denied.scheduling_systems()) == ["two"]


def test_a_plugin_implementing_an_unknown_hook_is_refused() -> None:
    plugin = types.SimpleNamespace()

    @hookimpl
    def tidbok_sheduling_systems() -> list[SchedulingSystem]:  # a typo
        return []

    plugin.tidbok_sheduling_systems = tidbok_sheduling_systems
    registry = PluginRegistry()
    assert registry.register(plugin, name="typo") is False
    assert "unknown hook" in registry.failures[0].reason


class _BadSystem(MemorySystem):
    pass


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Bad Name"}, "lower-case"),
        ({"rules": "next day"}, "SystemRules"),
        ({"case_type_names": {}}, "case_type_names"),
        ({"capabilities": {"open_invitations"}}, "Capability"),
    ],
)
def test_invalid_systems_are_skipped(change: dict[str, object], message: str) -> None:
    bad = _BadSystem("bad")
    for key, value in change.items():
        setattr(bad, key, value)
    registry = PluginRegistry()
    registry.register(MemoryPlugin(bad), name="bad")
    registry.register(MemoryPlugin(MemorySystem("fine")), name="fine")
    assert list(registry.scheduling_systems()) == ["fine"]
    assert message in registry.failures[0].reason


def test_two_systems_with_one_name_keep_the_first() -> None:
    registry = PluginRegistry()
    registry.register(MemoryPlugin(MemorySystem("same")), name="a")
    registry.register(MemoryPlugin(MemorySystem("same")), name="b")
    assert list(registry.scheduling_systems()) == ["same"]
    assert "already registered" in registry.failures[0].reason


async def test_a_failing_activity_listener_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[str] = []

    class Broken:
        @hookimpl
        def tidbok_booking_activity(self, activity: BookingActivity) -> None:
            raise RuntimeError("listener bug")

    class AsyncListener:
        @hookimpl
        async def tidbok_booking_activity(self, activity: BookingActivity) -> None:
            seen.append(activity.booking_id)

    registry = PluginRegistry()
    registry.register(Broken(), name="broken")
    registry.register(AsyncListener(), name="async")
    activity = sample_activity()
    with caplog.at_level(logging.ERROR):
        await registry.broadcast_activity(activity)
    assert seen == ["bk-1"]  # the coroutine was awaited
    assert "plugin broken failed" in caplog.text
    assert "191212121212" not in caplog.text


def undocumented_hooks(module: types.ModuleType) -> list[str]:
    """Names of hook specifications in ``module`` without a real docstring."""
    return [
        name
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("tidbok_") and len((function.__doc__ or "").strip()) < 40
    ]


def test_every_hook_is_documented() -> None:
    names = [
        n for n, _ in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("tidbok_")
    ]
    assert names, "no hook specifications found"
    assert undocumented_hooks(hookspecs) == []


def test_the_documentation_check_catches_an_undocumented_hook() -> None:
    fake = types.ModuleType("fake_hookspecs")

    def tidbok_undocumented() -> None:
        pass

    fake.tidbok_undocumented = tidbok_undocumented  # type: ignore[attr-defined]
    assert undocumented_hooks(fake) == ["tidbok_undocumented"]


def test_an_embedder_can_unregister_its_plugin() -> None:
    registry = PluginRegistry()
    registry.register(MemoryPlugin(MemorySystem("gone")), name="temporary")
    assert list(registry.scheduling_systems()) == ["gone"]
    registry.unregister("temporary")
    assert list(registry.scheduling_systems()) == []
    assert [plugin.name for plugin in registry.loaded] == []
