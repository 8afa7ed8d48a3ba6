"""The hook specifications: the whole surface a tidbok plugin can implement.

pluggy is synchronous, so no hook here returns a coroutine for pluggy to combine and none uses
``firstresult``. Registration hooks hand back objects whose methods are ``async``; broadcast hooks
may return an awaitable, which the core awaits. Every hook is called through pluggy, so
``tryfirst``/``trylast``, wrappers and implementations that take only some of the arguments work
as in any pluggy project; an implementation that raises is logged with its plugin's name and the
other implementations still run. The one exception is ``tidbok_activity_intent``: its failure stops
the write it announces. Every hook has a docstring; a test enforces it.

Other packages may bring their own hook specifications: the contract kit adds
``tidbok_contract_targets`` (see :mod:`tidbok_contract.hookspecs`). Implement such a hook with
``@hookimpl(optionalhook=True)``, so the plugin also loads where that package is not in use.

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
    from tidbok.commands import Commands, MockOffer
    from tidbok.events import ActivityIntent, BookingActivity

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
def tidbok_activity_intent(intent: ActivityIntent) -> Awaitable[None] | None:
    """Record a citizen write before it is sent to the backend, so that none goes unnoticed (R10).

    Called after the 1177 checks of each book, rebook, cancel and invitation booking by the citizen
    or an agent for the citizen, right before the write is sent; the core awaits every
    implementation. Unlike the other hooks, an implementation that raises is not isolated: the write
    is not sent and the citizen gets :class:`tidbok.errors.ActivityNotRecorded` (nothing booked).
    A successful write is then followed by ``tidbok_booking_activity`` with
    ``activity.intent_id == intent.id``, a failed one by ``tidbok_activity_failed``; an intent
    followed by neither (the process died) can be settled by reading the booking back.
    """
    raise AssertionError("hook specification; never called")


@hookspec
def tidbok_activity_failed(intent: ActivityIntent, error: Exception) -> Awaitable[None] | None:
    """Observe that the write an intent announced failed with ``error`` (the error the caller gets).

    A :class:`tidbok.errors.BookingRefused` means the backend did not make the change; any other
    error leaves it unknown (the answer may have been lost after the backend committed). Return
    ``None`` or an awaitable, which the core awaits. An implementation that raises is logged only.
    """
    raise AssertionError("hook specification; never called")


@hookspec
def tidbok_register_commands(commands: Commands) -> None:
    """Add sub-commands to the ``tidbok`` command line.

    Called once when ``tidbok`` starts, before its arguments are parsed. ``commands`` is a
    :class:`tidbok.commands.Commands`; call ``commands.add(name, help=..., description=...,
    run=...)`` for each command and configure the returned :class:`argparse.ArgumentParser`.
    ``run`` receives the parsed :class:`argparse.Namespace` and returns the exit code. The contract
    kit adds ``tidbok contract`` and ``tidbok new-plugin``, the demo ``tidbok demo``. Import heavy
    modules inside ``run``, so that ``tidbok --help`` stays fast.
    """
    raise AssertionError("hook specification; never called")


@hookspec
def tidbok_mock_servers() -> list[MockOffer]:
    """Offer mock servers of scheduling systems to ``tidbok mock NAME``.

    Return a list of :class:`tidbok.commands.MockOffer` objects: each has a ``name`` (what
    follows ``tidbok mock``, usually the system's name), a one-line ``summary`` and
    ``main(argv)``, which serves the mock with the options in ``argv`` until interrupted and
    returns the exit code (``tidbok mock NAME --help`` passes ``--help`` on). The bundled mocks
    offer ``pasis``, ``pmo`` and ``riv``; a vendor offers the mock of its own system. Called once
    when ``tidbok`` starts: import the mock itself inside ``main``.
    """
    raise AssertionError("hook specification; never called")
