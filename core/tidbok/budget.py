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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


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
