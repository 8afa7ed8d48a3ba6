"""Whom the service acts for during one call, for adapters whose backend must be told.

Most scheduling systems take the citizen as an argument and need nothing more. A backend that
speaks crm:scheduling needs the caller itself in every request (the ``Actor`` header: the
citizen, or staff acting for the citizen), also where tidbok's adapter methods carry no caller
(time types, free slots). Each budgeted service call (:func:`tidbok.budget.budgeted`) acts for
the :class:`Caller` among its arguments; an adapter reads it with :func:`acting_caller`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from tidbok.models import Caller

_ACTING: ContextVar[Caller | None] = ContextVar("tidbok_acting_caller", default=None)


def acting_caller() -> Caller | None:
    """The caller the current service call acts for, or None (no caller, e.g. the overview)."""
    return _ACTING.get()


@contextmanager
def acting_for(caller: Caller | None) -> Iterator[None]:
    """Within the block, :func:`acting_caller` is ``caller`` (tasks started inside inherit it);
    ``None`` leaves whatever is set."""
    if caller is None:
        yield
        return
    token = _ACTING.set(caller)
    try:
        yield
    finally:
        _ACTING.reset(token)


def caller_among(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Caller | None:
    """The first :class:`Caller` among a call's arguments, or None."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, Caller):
            return value
    return None
