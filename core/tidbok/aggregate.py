"""Ask many units at once and keep going when some fail (R7)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

from tidbok.errors import BackendTimeout, TechnicalFault, TidbokError
from tidbok.models import UnitFailure

T = TypeVar("T")
U = TypeVar("U")

log = logging.getLogger("tidbok.aggregate")


async def gather_per_unit(
    units: Iterable[U],
    ask: Callable[[U], Awaitable[list[T]]],
    describe: Callable[[U], tuple[str, str]],
    unit_timeout: float,
) -> tuple[list[T], list[UnitFailure]]:
    """Run ``ask`` for every unit concurrently, each bounded by ``unit_timeout`` seconds.

    Returns the concatenated results of the units that answered and a :class:`UnitFailure` for
    each unit that did not. ``describe`` gives a unit's HSA-id and name for the failure report.
    """
    return await gather_per_group(
        [(unit,) for unit in units], lambda group: ask(group[0]), describe, unit_timeout
    )


async def gather_per_group(
    groups: Iterable[Sequence[U]],
    ask: Callable[[Sequence[U]], Awaitable[list[T]]],
    describe: Callable[[U], tuple[str, str]],
    unit_timeout: float,
) -> tuple[list[T], list[UnitFailure]]:
    """Run ``ask`` once for every group of units concurrently, each bounded by ``unit_timeout``.

    A group is what one backend call answers for (one unit, or all the units of a backend that
    lists across units). When a group's call fails, every unit of the group is reported as
    failed with the same error, exactly as if each had been asked alone and failed.
    """
    group_list = [tuple(group) for group in groups]

    async def one(group: Sequence[U]) -> list[T]:
        async with asyncio.timeout(unit_timeout):
            return await ask(group)

    outcomes = await asyncio.gather(*(one(group) for group in group_list), return_exceptions=True)
    results: list[T] = []
    failures: list[UnitFailure] = []
    for group, outcome in zip(group_list, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            if not isinstance(outcome, Exception):
                raise outcome
            failures.extend(_failure(describe(unit), outcome) for unit in group)
        else:
            results.extend(outcome)
    return results, failures


def _failure(described: tuple[str, str], error: Exception) -> UnitFailure:
    hsa_id, name = described
    if isinstance(error, TimeoutError):
        error = BackendTimeout(f"unit {hsa_id} did not answer in time")
    if not isinstance(error, TidbokError):
        log.error("unit %s failed with an unexpected error", hsa_id, exc_info=error)
        error = TechnicalFault(f"unexpected {type(error).__name__}")
    else:
        log.warning("unit %s could not answer: %s", hsa_id, error)
    return UnitFailure(
        unit=hsa_id, unit_name=name, code=error.code, citizen_text=error.citizen_text
    )
