"""Identifier factories: PASiS numbers its records, PMO uses UUIDs."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable

IdFactory = Callable[[str], str]
"""Makes a fresh identifier for a record kind such as ``"slot"`` or ``"booking"``."""


def sequential_ids(prefixes: dict[str, str], start: int = 1001) -> IdFactory:
    """Ids like ``T1001``, ``B1002``: a prefix per kind and one shared counter."""
    counter = itertools.count(start)

    def make(kind: str) -> str:
        return f"{prefixes.get(kind, 'X')}{next(counter)}"

    return make


def uuid_ids(kind: str) -> str:
    """A random UUID, whatever the kind."""
    del kind
    return str(uuid.uuid4())
