"""A typed facade over pluggy: load plugins, call hooks with pluggy's semantics, isolate failures.

Scheduling-system plugins are found through the ``tidbok`` entry-point group, the same group a
vendor's distribution uses. A plugin that fails to import, to register or to describe a valid
system is reported and skipped (or stops start-up when ``PluginSettings.strict`` is set).

Every hook is called through pluggy (``pm.hook.<name>(...)``): ``tryfirst``/``trylast``, wrappers,
implementations taking a subset of the arguments and pluggy's tracing all behave as a pluggy user
expects. Each implementation runs guarded (:mod:`tidbok.hookcalls`): one that raises is logged with
its plugin's name and the others still run; only ``tidbok_activity_intent`` is unguarded, since its
failure must stop the write it announces. ``TIDBOK_TRACE_HOOKS=1`` logs every hook call and its
result on the ``tidbok.hooks`` logger (at INFO).
"""

from __future__ import annotations

import inspect
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy
from pydantic import ValidationError

from tidbok import hookspecs
from tidbok.adapter import SchedulingSystem
from tidbok.events import ActivityIntent, BookingActivity
from tidbok.hookcalls import GuardedPlugin, unmarked_hooks
from tidbok.models import Capability, CaseTypeKind
from tidbok.rules import SystemRules
from tidbok.settings import PluginSettings

ENTRY_POINT_GROUP = "tidbok"
TRACE_ENV = "TIDBOK_TRACE_HOOKS"
"""Set to ``1`` to log every hook call and its result (pluggy's tracing)."""
BROADCAST_HOOKS = frozenset({"tidbok_booking_activity", "tidbok_activity_failed"})
"""Hooks whose failures are only logged: a listener's bug never makes a plugin 'skipped'."""
UNGUARDED_HOOKS = frozenset({"tidbok_activity_intent"})
"""Hooks whose failures propagate to the caller: a write that cannot be recorded is not sent."""
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

log = logging.getLogger("tidbok.plugins")
hook_log = logging.getLogger("tidbok.hooks")


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
        if os.environ.get(TRACE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
            self.trace_hooks()

    # -- loading -------------------------------------------------------------------------

    def load_entry_points(self) -> None:
        """Load and register every allowed plugin of the ``tidbok`` entry-point group."""
        for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
            if not self._allowed(entry_point.name):
                log.info("plugin %s not loaded: excluded by plugin settings", entry_point.name)
                continue
            self._load(entry_point)

    def add_hookspecs(self, module_or_class: ModuleType | type) -> None:
        """Add another package's hook specifications (the contract kit brings its own)."""
        self._pm.add_hookspecs(module_or_class)

    def register(self, plugin: object, name: str, version: str = "0") -> bool:
        """Register a plugin object (a module or instance with hook implementations).

        Returns False (and records a failure) when pluggy refuses it: an implementation of a hook
        nobody specified (a typo would silently do nothing), a hook function without the
        ``@tidbok.hookimpl`` marker, or arguments the specification does not have.
        """
        guarded = GuardedPlugin(
            plugin,
            name,
            self._hook_failed,
            {"tidbok_scheduling_systems": _check_systems},
            unguarded=UNGUARDED_HOOKS,
        )
        try:
            unmarked = [hook for hook in unmarked_hooks(plugin) if self._specified(hook)]
            if unmarked:
                raise PluginError(f"{', '.join(unmarked)} not marked with @tidbok.hookimpl")
            self._pm.register(guarded, name=name)
            self._pm.check_pending()
        except Exception as error:
            if self._pm.is_registered(guarded):
                self._pm.unregister(guarded)
            reason = str(error).replace("\n", " ")
            if isinstance(error, pluggy.PluginValidationError) and "unknown hook" in reason:
                reason = f"implements an unknown hook ({reason})"
            self._fail(name, f"could not register: {reason}")
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

    def trace_hooks(self) -> None:
        """Log every hook call, its arguments and its result on ``tidbok.hooks`` (INFO)."""
        self._pm.trace.root.setwriter(lambda message: hook_log.info("%s", message.rstrip()))
        self._pm.enable_tracing()

    def _load(self, entry_point: EntryPoint) -> None:
        version = entry_point.dist.version if entry_point.dist else "unknown"
        try:
            plugin = entry_point.load()
        except Exception as error:
            self._fail(entry_point.name, f"failed to import {entry_point.value}: {_said(error)}")
            return
        self.register(plugin, entry_point.name, version)

    def _specified(self, hook_name: str) -> bool:
        caller = getattr(self._pm.hook, hook_name, None)
        return caller is not None and caller.has_spec()

    def _allowed(self, name: str) -> bool:
        if name in self.settings.deny:
            return False
        return self.settings.allow is None or name in self.settings.allow

    def _fail(self, name: str, reason: str) -> None:
        if self.settings.strict:
            raise PluginError(f"plugin {name}: {reason}")
        log.error("plugin %s skipped: %s", name, reason)
        self.failures.append(PluginFailure(name=name, reason=reason))

    def _hook_failed(self, plugin_name: str, hook_name: str, error: BaseException) -> None:
        if hook_name in BROADCAST_HOOKS:
            log.error(
                "plugin %s failed in %s: %s",
                plugin_name,
                hook_name,
                type(error).__name__,
                exc_info=error,
            )
            return
        self._fail(plugin_name, f"{hook_name} failed: {error}")

    # -- hooks ---------------------------------------------------------------------------

    @property
    def hook(self) -> pluggy.HookRelay:
        """pluggy's hook relay: ``registry.hook.<name>(...)`` calls every implementation."""
        return self._pm.hook

    def scheduling_systems(self) -> Mapping[str, SchedulingSystem]:
        """Every valid scheduling system the registered plugins provide, by name."""
        if self._systems is not None:
            return self._systems
        systems: dict[str, SchedulingSystem] = {}
        for offered in self._pm.hook.tidbok_scheduling_systems():
            for system in offered:
                if system.name in systems:
                    self._fail(system.name, f"system name {system.name!r} is already registered")
                    continue
                systems[system.name] = system
        self._systems = systems
        return systems

    async def broadcast_activity(self, activity: BookingActivity) -> None:
        """Call ``tidbok_booking_activity`` and await every awaitable an implementation returned."""
        await _await_each(self._pm.hook.tidbok_booking_activity(activity=activity))

    async def announce_intent(self, intent: ActivityIntent) -> None:
        """Call ``tidbok_activity_intent`` and await every awaitable; any failure propagates."""
        results = self._pm.hook.tidbok_activity_intent(intent=intent)
        pending = [result for result in results if inspect.isawaitable(result)]
        for index, result in enumerate(pending):
            try:
                await result
            except BaseException:
                for left in pending[index + 1 :]:
                    if inspect.iscoroutine(left):
                        left.close()
                raise

    async def broadcast_failure(self, intent: ActivityIntent, error: Exception) -> None:
        """Call ``tidbok_activity_failed`` and await every awaitable (failures only logged)."""
        await _await_each(self._pm.hook.tidbok_activity_failed(intent=intent, error=error))


async def _await_each(results: list[Any]) -> None:
    """Await, in order, the awaitables among a broadcast hook's results (guarded, never raising)."""
    for result in results:
        if inspect.isawaitable(result):
            await result


def _check_systems(offered: Any) -> None:
    """What ``tidbok_scheduling_systems`` returns: a list of valid, complete systems."""
    if not isinstance(offered, list | tuple):
        raise PluginError("tidbok_scheduling_systems must return a list")
    for system in offered:
        validate_system(system)


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


def _said(error: Exception) -> str:
    """An import failure in one line: a validation error names each field and the problem."""
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{error.title}.{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors(include_input=False, include_url=False)
        )
    return f"{type(error).__name__}: {error}"


def default_registry(settings: PluginSettings | None = None) -> PluginRegistry:
    """A registry with every installed plugin loaded from entry points."""
    registry = PluginRegistry(settings)
    registry.load_entry_points()
    return registry
