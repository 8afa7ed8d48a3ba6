"""The hook specifications: the whole surface a tidbok plugin can implement.

pluggy is synchronous, so no hook here returns a coroutine for pluggy to combine and none uses
``firstresult``. Registration hooks hand back objects whose methods are ``async``; broadcast hooks
may return an awaitable, which the core awaits. Every hook has a docstring; a test enforces it.

Implement a hook with the ``tidbok.hookimpl`` marker::

    from tidbok import hookimpl

    @hookimpl
    def tidbok_scheduling_systems():
        return [MySystem()]
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from tidbok.adapter import SchedulingSystem
    from tidbok.events import BookingActivity
    from tidbok.seeding import ContractTarget

hookspec = pluggy.HookspecMarker("tidbok")


@hookspec
def tidbok_scheduling_systems() -> list[SchedulingSystem]:
    """Register scheduling systems.

    Called once at start-up. Return a list of :class:`tidbok.adapter.SchedulingSystem` objects, one
    per system the plugin speaks to (usually one). Each declares its name, rules, case-type names
    and capabilities, and creates one adapter per configured backend through ``connect``. The core
    validates every returned system; an invalid one is reported and skipped.
    """
    raise AssertionError("hook specification; never called")


@hookspec
def tidbok_booking_activity(activity: BookingActivity) -> Awaitable[None] | None:
    """Observe a booking activity the citizen performed via 1177 (R10).

    Called after each successful book, rebook, cancel and invitation booking made by the citizen or
    an agent for the citizen; never for staff actions. Return ``None`` or an awaitable, which the
    core awaits. An implementation that raises is logged and does not affect the citizen's answer or
    the other implementations. Use it for the inbox message and for audit trails.
    """
    raise AssertionError("hook specification; never called")


@hookspec
def tidbok_contract_targets() -> list[ContractTarget]:
    """Offer the contract suite a way to reach and seed each of the plugin's systems.

    Return a list of :class:`tidbok.seeding.ContractTarget` objects, one per scheduling system the
    plugin registers. A target starts the system's mock in-process (the default for contract runs)
    or connects to a real test environment, and yields a
    :class:`tidbok.seeding.ContractEnvironment`: backend settings plus a seeder that puts the
    backend into system-neutral states. Only the contract suite calls this hook.
    """
    raise AssertionError("hook specification; never called")
