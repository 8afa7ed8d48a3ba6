"""A typed facade over pluggy: load plugins, keep broken ones from hurting the others, validate.

Scheduling-system plugins are found through the ``tidbok`` entry-point group, the same group a
vendor's distribution uses. A plugin that fails to import, to register or to describe a valid
system is reported and skipped (or stops start-up when ``PluginSettings.strict`` is set).
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy

from tidbok import hookspecs
from tidbok.adapter import SchedulingSystem
from tidbok.events import BookingActivity
from tidbok.models import Capability, CaseTypeKind
from tidbok.rules import SystemRules
from tidbok.seeding import ContractTarget
from tidbok.settings import PluginSettings

ENTRY_POINT_GROUP = "tidbok"
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

log = logging.getLogger("tidbok.plugins")


class PluginError(Exception):
    """A plugin could not be loaded or is invalid (raised only in strict mode)."""


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that was skipped, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class LoadedPlugin:
    """A plugin that was registered."""

    name: str
    version: str


class PluginRegistry:
    """The plugin manager facade the rest of tidbok uses."""

    def __init__(self, settings: PluginSettings | None = None) -> None:
        self.settings = settings or PluginSettings()
        self._pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self._pm.add_hookspecs(hookspecs)
        self.loaded: list[LoadedPlugin] = []
        self.failures: list[PluginFailure] = []
        self._systems: dict[str, SchedulingSystem] | None = None

    # -- loading -------------------------------------------------------------------------

    def load_entry_points(self) -> None:
        """Load and register every allowed plugin of the ``tidbok`` entry-point group."""
        for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
            if not self._allowed(entry_point.name):
                log.info("plugin %s not loaded: excluded by plugin settings", entry_point.name)
                continue
            self._load(entry_point)

    def register(self, plugin: object, name: str, version: str = "0") -> bool:
        """Register a plugin object (a module or instance with hook implementations).

        Returns False (and records a failure) when pluggy refuses it.
        """
        try:
            self._pm.register(plugin, name=name)
            self._check_known_hooks(plugin, name)
        except Exception as error:
            if self._pm.is_registered(plugin):
                self._pm.unregister(plugin)
            self._fail(name, f"could not register: {error}")
            return False
        self.loaded.append(LoadedPlugin(name=name, version=version))
        self._systems = None
        return True

    def unregister(self, name: str) -> None:
        """Remove a registered plugin by name (for plugins an embedding application added)."""
        plugin = self._pm.get_plugin(name)
        if plugin is not None:
            self._pm.unregister(plugin)
        self.loaded = [loaded for loaded in self.loaded if loaded.name != name]
        self._systems = None

    def _load(self, entry_point: EntryPoint) -> None:
        version = entry_point.dist.version if entry_point.dist else "unknown"
        try:
            plugin = entry_point.load()
        except Exception as error:
            self._fail(entry_point.name, f"failed to import {entry_point.value}: {error!r}")
            return
        self.register(plugin, entry_point.name, version)

    def _check_known_hooks(self, plugin: object, name: str) -> None:
        """Refuse implementations of hooks that do not exist (a typo would silently do nothing)."""
        for attribute in dir(plugin):
            if attribute.startswith("tidbok_") and not hasattr(hookspecs, attribute):
                candidate = getattr(plugin, attribute)
                if callable(candidate):
                    raise PluginError(f"{name} implements unknown hook {attribute!r}")
        self._pm.check_pending()

    def _allowed(self, name: str) -> bool:
        if name in self.settings.deny:
            return False
        return self.settings.allow is None or name in self.settings.allow

    def _fail(self, name: str, reason: str) -> None:
        if self.settings.strict:
            raise PluginError(f"plugin {name}: {reason}")
        log.error("plugin %s skipped: %s", name, reason)
        self.failures.append(PluginFailure(name=name, reason=reason))

    # -- hooks ---------------------------------------------------------------------------

    def scheduling_systems(self) -> Mapping[str, SchedulingSystem]:
        """Every valid scheduling system the registered plugins provide, by name."""
        if self._systems is not None:
            return self._systems
        systems: dict[str, SchedulingSystem] = {}
        for impl in self._pm.hook.tidbok_scheduling_systems.get_hookimpls():
            try:
                offered = impl.function()
                if not isinstance(offered, list | tuple):
                    raise PluginError("tidbok_scheduling_systems must return a list")
                for system in offered:
                    validate_system(system)
                    if system.name in systems:
                        raise PluginError(f"system name {system.name!r} is already registered")
                    systems[system.name] = system
            except Exception as error:
                self._fail(impl.plugin_name, f"invalid scheduling system: {error}")
        self._systems = systems
        return systems

    def contract_targets(self) -> Mapping[str, ContractTarget]:
        """Every contract target the registered plugins offer, by system name."""
        targets: dict[str, ContractTarget] = {}
        for impl in self._pm.hook.tidbok_contract_targets.get_hookimpls():
            try:
                offered = impl.function()
                if not isinstance(offered, list | tuple):
                    raise PluginError("tidbok_contract_targets must return a list")
                for target in offered:
                    if not isinstance(target, ContractTarget):
                        raise PluginError(f"{target!r} is not a tidbok.seeding.ContractTarget")
                    targets.setdefault(target.system, target)
            except Exception as error:
                self._fail(impl.plugin_name, f"invalid contract target: {error}")
        return targets

    async def broadcast_activity(self, activity: BookingActivity) -> None:
        """Hand an activity to every ``tidbok_booking_activity`` implementation and await each."""
        for impl in self._pm.hook.tidbok_booking_activity.get_hookimpls():
            try:
                result = impl.function(activity=activity)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("plugin %s failed to handle %s", impl.plugin_name, activity.summary())

    @property
    def hook(self) -> Any:
        """The raw pluggy hook relay, for advanced use."""
        return self._pm.hook

    def plugin_modules(self) -> list[ModuleType]:
        """The registered plugin objects that are modules."""
        return [p for p in self._pm.get_plugins() if isinstance(p, ModuleType)]


def validate_system(system: object) -> None:
    """Raise PluginError unless ``system`` is a complete :class:`SchedulingSystem`."""
    if not isinstance(system, SchedulingSystem):
        raise PluginError(f"{system!r} is not a tidbok.adapter.SchedulingSystem")
    name = getattr(system, "name", None)
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise PluginError(f"system name {name!r} must be lower-case letters, digits or _")
    for attribute in ("display_name", "version"):
        if not isinstance(getattr(system, attribute, None), str):
            raise PluginError(f"system {name}: {attribute} must be a string")
    if not isinstance(getattr(system, "rules", None), SystemRules):
        raise PluginError(f"system {name}: rules must be a tidbok.rules.SystemRules")
    names = getattr(system, "case_type_names", None)
    if not isinstance(names, Mapping) or not {CaseTypeKind.BOOK, CaseTypeKind.MANAGE} <= set(names):
        raise PluginError(f"system {name}: case_type_names must name 'book' and 'manage'")
    capabilities = getattr(system, "capabilities", None)
    if not isinstance(capabilities, frozenset) or not all(
        isinstance(capability, Capability) for capability in capabilities
    ):
        raise PluginError(f"system {name}: capabilities must be a frozenset of Capability")


def default_registry(settings: PluginSettings | None = None) -> PluginRegistry:
    """A registry with every installed plugin loaded from entry points."""
    registry = PluginRegistry(settings)
    registry.load_entry_points()
    return registry
