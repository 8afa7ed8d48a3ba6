"""The time budget of one citizen call: every backend request it makes shares one deadline.

The national service level is 3 s for a citizen's call, however many backend requests, retries,
pages and read-backs it takes. :class:`~tidbok.service.BookingService` opens a budget of
``resilience.deadline`` seconds around each call; :class:`~tidbok.backend_http.BackendHttp` never
starts or waits on an attempt past it, and :func:`~tidbok.readback.write_with_readback` stops
reading back when it is spent. Outside a budget (tools, health probes) each backend operation has
its own deadline, as before.

The budget lives in a context variable, so the tasks of a fan-out inherit it and concurrent calls
never share one. It is measured on the timer it was opened with, so a fake timer drives it in tests.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from tidbok.acting import acting_for, caller_among

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class _Budget:
    ends: float
    monotonic: Callable[[], float]

    def left(self) -> float:
        return self.ends - self.monotonic()


_current: ContextVar[_Budget | None] = ContextVar("tidbok_call_budget", default=None)


@contextmanager
def call_budget(seconds: float, monotonic: Callable[[], float]) -> Iterator[None]:
    """Within the block, backend calls share ``seconds`` measured on ``monotonic``.

    A budget opened inside another never outlasts it: the tighter one applies.
    """
    outer = budget_left()
    if outer is not None:
        seconds = min(seconds, outer)
    token = _current.set(_Budget(monotonic() + seconds, monotonic))
    try:
        yield
    finally:
        _current.reset(token)


def budget_left() -> float | None:
    """Seconds left in the current call's budget (negative once spent), or None outside one."""
    budget = _current.get()
    return budget.left() if budget is not None else None


class BudgetOwner(Protocol):
    """What owns budgeted calls: the budget's length and the clock that measures it."""

    @property
    def call_deadline(self) -> float:
        """Seconds one call may take, all its backend requests included."""
        ...

    def monotonic(self) -> float:
        """Elapsed seconds on the owner's timer."""
        ...


Owner = TypeVar("Owner", bound=BudgetOwner)


def budgeted(
    call: Callable[Concatenate[Owner, P], Awaitable[T]],
) -> Callable[Concatenate[Owner, P], Coroutine[Any, Any, T]]:
    """Decorate an async method so that each call runs within one budget of its owner's, acting
    for the :class:`~tidbok.models.Caller` among its arguments (:mod:`tidbok.acting`)."""

    @functools.wraps(call)
    async def within_budget(owner: Owner, *args: P.args, **kwargs: P.kwargs) -> T:
        caller = caller_among(args, kwargs)
        with call_budget(owner.call_deadline, owner.monotonic), acting_for(caller):
            return await call(owner, *args, **kwargs)

    return within_budget
