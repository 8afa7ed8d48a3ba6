"""Hook implementations as pluggy calls them, with one failing plugin kept from hurting the others.

tidbok calls every hook through ``pm.hook.<name>(...)``, so plugins get pluggy's semantics:
``tryfirst``/``trylast`` order, new-style wrappers (``wrapper=True``), implementations that take a
subset of the arguments, and pluggy's tracing. What pluggy does not do is isolate a failing
implementation: one that raises ends the whole hook call. So the registry does not hand pluggy the
plugin object itself but a :class:`GuardedPlugin`: the same hook implementations with the same
markers and signatures, each wrapped so that an exception (raised, or raised later by the awaitable
it returned) is reported with the plugin's name and the call goes on without its result.

Wrappers are passed through unguarded: a wrapper takes part in every call on purpose. So are the
implementations of the hooks named in ``unguarded`` (``tidbok_activity_intent``), whose failure
must reach the caller.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

PROJECT = "tidbok"
IMPL_MARK = f"{PROJECT}_impl"
"""The attribute pluggy's ``HookimplMarker("tidbok")`` sets on a hook implementation."""

FailureHandler = Callable[[str, str, BaseException], None]
"""Called as ``handler(plugin_name, hook_name, error)`` when an implementation fails."""

ResultCheck = Callable[[Any], None]
"""Raises when a hook implementation's result is unusable; see :data:`GuardedPlugin` checks."""


class GuardedPlugin:
    """A plugin's hook implementations, each guarded, for registration with pluggy.

    ``checks`` maps hook names to a function that validates one implementation's result; a result
    it refuses counts as that implementation failing. Implementations of the hooks in
    ``unguarded`` are registered as they are, so that their exceptions propagate.
    """

    def __init__(
        self,
        plugin: object,
        name: str,
        on_failure: FailureHandler,
        checks: dict[str, ResultCheck] | None = None,
        unguarded: frozenset[str] = frozenset(),
    ) -> None:
        self.plugin = plugin
        self.name = name
        for attribute in dir(plugin):
            if not attribute.startswith(f"{PROJECT}_"):
                continue
            function = getattr(plugin, attribute, None)
            opts = getattr(function, IMPL_MARK, None)
            if not callable(function) or not isinstance(opts, dict):
                continue
            if opts.get("wrapper") or opts.get("hookwrapper") or attribute in unguarded:
                setattr(self, attribute, function)
            else:
                check = (checks or {}).get(attribute)
                setattr(self, attribute, _guard(function, name, attribute, on_failure, check))

    def __repr__(self) -> str:
        return f"<GuardedPlugin {self.name}: {self.plugin!r}>"


def unmarked_hooks(plugin: object) -> list[str]:
    """Callables named like a hook (``tidbok_*``) that lack the ``@hookimpl`` marker."""
    return [
        attribute
        for attribute in dir(plugin)
        if attribute.startswith(f"{PROJECT}_")
        and callable(getattr(plugin, attribute, None))
        and not isinstance(getattr(getattr(plugin, attribute), IMPL_MARK, None), dict)
    ]


def _guard(
    function: Callable[..., Any],
    plugin_name: str,
    hook_name: str,
    on_failure: FailureHandler,
    check: ResultCheck | None,
) -> Callable[..., Any]:
    """``function`` with failures reported and turned into "no result" (``None``).

    ``functools.wraps`` keeps the marker and lets pluggy read the original signature, so pluggy
    passes exactly the arguments the implementation asks for.
    """

    @functools.wraps(function)
    def guarded(*args: Any) -> Any:
        try:
            result = function(*args)
            if inspect.isawaitable(result):
                return _guarded_awaitable(result, plugin_name, hook_name, on_failure)
            if check is not None and result is not None:
                check(result)
        except Exception as error:
            on_failure(plugin_name, hook_name, error)
            return None
        return result

    return guarded


async def _guarded_awaitable(
    pending: Awaitable[Any], plugin_name: str, hook_name: str, on_failure: FailureHandler
) -> Any:
    try:
        return await pending
    except Exception as error:
        on_failure(plugin_name, hook_name, error)
        return None
