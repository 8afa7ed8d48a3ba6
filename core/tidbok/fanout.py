"""The citizen's bookings at every active unit: one backend call per unit, or per backend (R7).

A region is typically one installation of its scheduling system with hundreds of units. When a
backend's system lists a citizen's bookings across units (``Capability.BOOKINGS_ACROSS_UNITS``),
all the units routed to that backend are asked in one call; every other unit is asked alone, as
the national contract does (so is the only active unit of a backend). What the citizen sees is
the same either way: each booking is filtered and flagged by its own unit's rules, and a backend
call that fails reports every unit it answered for, with the same typed error, within the same
time bound.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from tidbok.aggregate import gather_per_group
from tidbok.citizen_bookings import shown_bookings, shown_bookings_across
from tidbok.models import Booking, Caller, Capability, UnitFailure
from tidbok.routing import UnitRoute


def lists_across_units(route: UnitRoute) -> bool:
    """Whether the unit's backend is asked once for all its units (declared capability)."""
    return route.adapter is not None and Capability.BOOKINGS_ACROSS_UNITS in route.capabilities


def backend_calls(routes: Sequence[UnitRoute]) -> list[tuple[UnitRoute, ...]]:
    """The routes grouped by the backend call that answers for them, in the routes' order:
    all the units of a backend that lists across units together, every other unit alone. A
    group of one is asked with ``bookings_for``, as before: one call either way."""
    calls: list[list[UnitRoute]] = []
    by_adapter: dict[int, list[UnitRoute]] = {}
    for route in routes:
        if not lists_across_units(route):
            calls.append([route])
            continue
        key = id(route.adapter)
        if key not in by_adapter:
            by_adapter[key] = []
            calls.append(by_adapter[key])
        by_adapter[key].append(route)
    return [tuple(call) for call in calls]


async def gather_bookings(
    routes: Sequence[UnitRoute],
    caller: Caller,
    now: Callable[[], datetime],
    unit_timeout: float,
) -> tuple[list[Booking], list[UnitFailure]]:
    """The citizen's shown bookings at ``routes`` and the units that could not answer (in the
    routes' order); each backend call is bounded by ``unit_timeout`` seconds."""

    async def ask(call: Sequence[UnitRoute]) -> list[Booking]:
        if len(call) > 1:
            return await shown_bookings_across(call, caller, now())
        return await shown_bookings(call[0], caller, now())

    bookings, failures = await gather_per_group(
        backend_calls(routes), ask, UnitRoute.describe, unit_timeout
    )
    order = {route.hsa_id: index for index, route in enumerate(routes)}
    failures.sort(key=lambda failure: order[failure.unit])
    return bookings, failures
